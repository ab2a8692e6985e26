#!/usr/bin/env node
// Myco's run database (`npm run bench`): a generated database of 90 days of seven tasks run ten
// times as often as the bundled example's (about 128,000 finished runs), read from a fresh state by a
// whole `tune check --json` process; then the rules over the window (`tune --dry-run --force`), and
// no-op `tune check`s (median of 3). Each is timed from outside, with its peak RSS (GNU time).
//
//   node bench/myco.mjs [--scale 10]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { scale: { type: 'string', default: '10' } } });
const corpus = join(ROOT, 'bench/out', `myco-x${values.scale}`);
if (!existsSync(join(corpus, 'truth.json'))) {
  rmSync(corpus, { recursive: true, force: true });
  const g = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-myco.mjs'), '--out', corpus, '--days', '90', '--scale', values.scale], { stdio: 'inherit' });
  if (g.status !== 0) throw new Error('generation failed');
}
const config = join(corpus, 'tuner.yaml');
writeFileSync(
  config,
  `sources: [{path: myco.db, format: myco-db}]
targets: [{path: ${join(ROOT, 'config/myco-target/.myco/myco.yaml')}, preset: myco}]
window: {days: 14}
llm: {enabled: false}
publish: {enabled: false}
`,
);
const state = join(corpus, 'state');
rmSync(state, { recursive: true, force: true });
mkdirSync(state);

/** A whole `tune …` under GNU time: wall seconds, peak RSS in MB, and its stdout. */
function tune(...args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin/tune'), ...args, '--config', config], {
    env: { ...process.env, XDG_STATE_HOME: state, ANTHROPIC_API_KEY: '' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`tune ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { s: +s.toFixed(2), mb: Math.round(Number(r.stderr.trim().split('\n').at(-1)) / 1024), out: r.stdout };
}

const full = tune('check', '--json');
const records = JSON.parse(full.out).records;
const rules = tune('--dry-run', '--force');
// The first check after the config was written moments before hashes it (its stat is not trusted yet).
tune('check');
const noops = [tune('check'), tune('check'), tune('check')].sort((a, b) => a.s - b.s);
const noop = noops[1];
console.log(
  JSON.stringify(
    {
      benchmark: "Myco's run database: full read, the rules over the window, a no-op check",
      node: process.version,
      records,
      full_read: { seconds: full.s, records_per_s: Math.round(records / full.s), peak_rss_mb: full.mb },
      dry_run: { seconds: rules.s, peak_rss_mb: rules.mb },
      noop_check: { median_of_3_s: noop.s, peak_rss_mb: noop.mb, result: noop.out.trim() },
    },
    null,
    2,
  ),
);
