#!/usr/bin/env node
// Claude Code transcripts (`npm run bench`): `tune report daily --json` beside ccusage 20.0.24 on the
// same generated corpus, each a whole process timed from outside with its peak RSS (GNU time).
// - full read of a fresh state, best of 2, both tools; their totals compared;
// - --mb-large (default 2000): full read's peak RSS, and `report daily` after appending 1% to it.
// Targets: full read at least as fast as ccusage with a lower peak RSS (500 MB); under 200 MB peak RSS
// at 2 GB; the report after a 1% append under 1 s at 2 GB.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { mb: { type: 'string', default: '500' }, 'mb-large': { type: 'string', default: '2000' } } });

function corpus(mb) {
  const dir = join(OUT, `claude-code-${mb}`);
  if (!existsSync(join(dir, 'truth.json'))) {
    rmSync(dir, { recursive: true, force: true });
    const g = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-claude-code.mjs'), '--out', dir, '--size-mb', String(mb), '--seed', '5', '--days', '60'], { stdio: 'inherit' });
    if (g.status !== 0) throw new Error('generation failed');
  }
  return dir;
}

/** Runs a command under GNU time: wall seconds, peak RSS in MB, stdout. */
function timed(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 512 << 20, cwd: OUT });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr}`);
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { s, mb: kb / 1024, stdout: r.stdout };
}

const tune = (dir, state) =>
  timed(process.execPath, [join(ROOT, 'bin/tune'), 'report', 'daily', '--json', '--timezone', 'UTC'], { CLAUDE_CONFIG_DIR: dir, XDG_STATE_HOME: state, XDG_CONFIG_HOME: join(state, 'cfg') });
const ccusage = (dir) => timed(join(ROOT, 'node_modules/.bin/ccusage'), ['daily', '--json', '--offline', '--timezone', 'UTC'], { CLAUDE_CONFIG_DIR: dir });
const size = (dir) => {
  let n = 0;
  for (const e of readdirSync(join(dir, 'projects'), { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
};

const result = { benchmark: 'tune report daily --json beside ccusage 20.0.24 daily --json --offline', node: process.version };
const dir = corpus(values.mb);
const runs = { tune: [], ccusage: [] };
for (let i = 0; i < 2; i++) {
  const state = join(OUT, 'cc-state');
  rmSync(state, { recursive: true, force: true });
  runs.tune.push(tune(dir, state));
  runs.ccusage.push(ccusage(dir));
}
const best = (xs) => xs.reduce((a, b) => (a.s < b.s ? a : b));
const t = best(runs.tune);
const c = best(runs.ccusage);
const ours = JSON.parse(t.stdout).totals;
const theirs = JSON.parse(c.stdout).totals;
result.corpus_mb = +(size(dir) / 1e6).toFixed(0);
result.full_read = {
  tune: { best_s: +t.s.toFixed(2), all_s: runs.tune.map((r) => +r.s.toFixed(2)), peak_rss_mb: +Math.max(...runs.tune.map((r) => r.mb)).toFixed(0) },
  ccusage: { best_s: +c.s.toFixed(2), all_s: runs.ccusage.map((r) => +r.s.toFixed(2)), peak_rss_mb: +Math.max(...runs.ccusage.map((r) => r.mb)).toFixed(0) },
};
result.totals_differ = Object.keys(ours)
  .filter((k) => Math.abs((ours[k] ?? 0) - (theirs[k] ?? 0)) > (k === 'totalCost' ? 0.005 : 0))
  .map((k) => ({ field: k, tune: ours[k], ccusage: theirs[k] }));

if (Number(values['mb-large']) > 0) {
  const large = corpus(values['mb-large']);
  const state = join(OUT, 'cc-state-large');
  rmSync(state, { recursive: true, force: true });
  const full = tune(large, state);
  // 1% more: a new session file of about 1% of the corpus, as a day of work adds.
  const extra = join(large, 'projects', 'bench-append');
  rmSync(extra, { recursive: true, force: true });
  mkdirSync(extra, { recursive: true });
  const g = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts/generate-claude-code.mjs'), '--out', join(OUT, 'cc-append'), '--size-mb', String(Math.round(Number(values['mb-large']) / 100)), '--seed', '9'],
    { stdio: 'ignore' },
  );
  if (g.status !== 0) throw new Error('generation failed');
  let appended = 0;
  for (const e of readdirSync(join(OUT, 'cc-append', 'projects'), { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const text = readFileSync(join(e.parentPath, e.name));
    appendFileSync(join(extra, `${appended++}.jsonl`), text);
  }
  const after = tune(large, state);
  rmSync(extra, { recursive: true, force: true });
  rmSync(join(OUT, 'cc-append'), { recursive: true, force: true });
  result.large = {
    corpus_mb: +(size(large) / 1e6).toFixed(0),
    full_read_s: +full.s.toFixed(2),
    full_read_peak_rss_mb: +full.mb.toFixed(0),
    after_1pct_append_s: +after.s.toFixed(2),
    after_1pct_peak_rss_mb: +after.mb.toFixed(0),
  };
}
result.targets = { full_read: 'at least as fast as ccusage, lower peak RSS', large_peak_rss_mb: '< 200', after_1pct_append_s: '< 1' };
writeFileSync(join(OUT, 'claude-code.json'), JSON.stringify(result, null, 2));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
