#!/usr/bin/env node
// Benchmarks of the built CLI (`npm run bench`). Not part of `npm test`: figures depend on the machine.
//
// dry-run: generates 1,000,000 phase records (plus CI records) with the fixture generator, then runs
// `tune --dry-run --json` on them as a whole process and reports records/s and peak RSS.
// Targets: >= 250,000 records/s and peak RSS < 250 MB. Each run starts from no state (a private
// XDG_STATE_HOME), so the dry run reads everything into its in-memory copy of the state.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { phases: { type: 'string', default: '1000000' }, repeat: { type: 'string', default: '3' } } });
const PHASES = Number(values.phases);

function generate(dir) {
  const stamp = join(dir, '.phases');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === String(PHASES)) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-fixtures.mjs'), '--out', dir, '--phases', String(PHASES), '--no-calls', '--seed', '7'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error('fixture generation failed');
  writeFileSync(stamp, String(PHASES));
}

function runCli(config, args) {
  const rssFile = join(OUT, 'rss.json');
  rmSync(rssFile, { force: true });
  const t0 = process.hrtime.bigint();
  // bin/tune, as a user runs it; the peak-RSS hook rides in through NODE_OPTIONS.
  const r = spawnSync(join(ROOT, 'bin/tune'), [...args, '--config', config], {
    env: { ...process.env, XDG_STATE_HOME: join(OUT, 'dry-run-state'), NODE_OPTIONS: `--import ${join(ROOT, 'bench/rss-hook.mjs')}`, TOKENTUNE_BENCH_RSS_FILE: rssFile, ANTHROPIC_API_KEY: '' },
    maxBuffer: 256 << 20,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`tune exited ${r.status}: ${r.stderr}`);
  return { ms, maxRssMb: JSON.parse(readFileSync(rssFile, 'utf8')).maxRssKb / 1024, stdout: r.stdout };
}

const data = join(OUT, `data-${PHASES}`);
generate(data);
const bytes = readdirSync(data)
  .filter((f) => f.endsWith('.jsonl'))
  .reduce((s, f) => s + statSync(join(data, f)).size, 0);
const config = join(OUT, 'tuner.bench.yaml');
writeFileSync(
  config,
  `project: bench\nsources: [{path: ${data}}]\ntargets:\n  - {path: ${join(ROOT, 'config/example-target/models.yaml')}, preset: seed-models}\n  - {path: ${join(ROOT, 'config/example-target/strategy_engine_config.yaml')}, preset: seed-strategy}\n`,
);

const runs = [];
let records = 0;
for (let i = 0; i < Number(values.repeat); i++) {
  const r = runCli(config, ['--dry-run', '--json']);
  const out = JSON.parse(r.stdout);
  records = out.ingest.records;
  runs.push(r);
}
const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
const peak = Math.max(...runs.map((r) => r.maxRssMb));
const rate = records / (best.ms / 1000);
const result = {
  benchmark: 'tune --dry-run --json, whole process',
  node: process.version,
  phase_records: PHASES,
  records,
  megabytes: +(bytes / 1e6).toFixed(1),
  best_seconds: +(best.ms / 1000).toFixed(2),
  all_seconds: runs.map((r) => +(r.ms / 1000).toFixed(2)),
  records_per_second: Math.round(rate),
  peak_rss_mb: +peak.toFixed(1),
  targets: { records_per_second: '>= 250000', peak_rss_mb: '< 250' },
  pass: rate >= 250_000 && peak < 250,
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(join(OUT, 'dry-run.json'), JSON.stringify(result, null, 2));
