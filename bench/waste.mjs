#!/usr/bin/env node
// `tune report waste --json` on a 500 MB corpus of Claude Code transcripts with waste planted in it
// (`npm run bench`), beside a plain full read of the same corpus (`tune report daily --json` from a
// fresh state): each a whole process, best of --runs (default 2), with its peak RSS (GNU time).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { mb: { type: 'string', default: '500' }, runs: { type: 'string', default: '2' } } });
const dir = join(OUT, `waste-${values.mb}`);
if (!existsSync(join(dir, 'truth.json'))) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const g = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-waste.mjs'), '--out', dir, '--size-mb', values.mb, '--seed', '5'], { stdio: 'inherit' });
  if (g.status !== 0) throw new Error('generation failed');
}
let bytes = 0;
for (const e of readdirSync(join(dir, 'projects'), { withFileTypes: true, recursive: true })) if (e.isFile()) bytes += statSync(join(e.parentPath, e.name)).size;
const config = join(OUT, 'waste.bench.yaml');
writeFileSync(config, `sources: [{format: claude-code, path: ${join(dir, 'projects')}}]\n`);

function timed(args, state) {
  rmSync(state, { recursive: true, force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin/tune'), ...args, '--config', config], {
    env: { ...process.env, XDG_STATE_HOME: state },
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`tune ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { s, mb: Number(r.stderr.trim().split('\n').at(-1)) / 1024, stdout: r.stdout };
}
const best = (xs) => xs.reduce((a, b) => (a.s < b.s ? a : b));
const waste = [];
const read = [];
for (let i = 0; i < Number(values.runs); i++) {
  waste.push(timed(['report', 'waste', '--json'], join(OUT, 'waste-state')));
  read.push(timed(['report', 'daily', '--json', '--timezone', 'UTC'], join(OUT, 'waste-state')));
}
const w = best(waste);
const d = best(read);
const found = JSON.parse(w.stdout);
const result = {
  benchmark: 'tune report waste --json beside a plain full read (tune report daily --json, fresh state)',
  node: process.version,
  corpus_mb: +(bytes / 1e6).toFixed(0),
  calls: found.calls,
  waste: { best_s: +w.s.toFixed(2), all_s: waste.map((r) => +r.s.toFixed(2)), peak_rss_mb: +Math.max(...waste.map((r) => r.mb)).toFixed(0), mb_per_s: +(bytes / 1e6 / w.s).toFixed(0) },
  full_read: { best_s: +d.s.toFixed(2), all_s: read.map((r) => +r.s.toFixed(2)), peak_rss_mb: +Math.max(...read.map((r) => r.mb)).toFixed(0) },
  findings: found.findings.map((f) => ({ kind: f.kind, cases: f.occurrences })),
};
writeFileSync(join(OUT, 'waste.json'), JSON.stringify(result, null, 2));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
