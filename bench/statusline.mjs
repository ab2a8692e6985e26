#!/usr/bin/env node
// Claude Code's status line (`npm run bench`): `tokentune statusline` beside `ccusage statusline`
// (20.0.24, --offline) on the same generated history (--mb, default 2000), each a whole process fed
// Claude Code's JSON on stdin. tokentune's state is read in full once first (cold, not counted); then
// each tool is called --runs times (default 5) and the median wall time and peak RSS reported.
// Target: a warm call of tokentune within 150 ms.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { mb: { type: 'string', default: '2000' }, runs: { type: 'string', default: '5' } } });

const dir = join(OUT, `claude-code-${values.mb}`);
if (!existsSync(join(dir, 'truth.json'))) {
  rmSync(dir, { recursive: true, force: true });
  const g = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-claude-code.mjs'), '--out', dir, '--size-mb', values.mb, '--seed', '5', '--days', '60'], { stdio: 'inherit' });
  if (g.status !== 0) throw new Error('generation failed');
}
// The session Claude Code would be in: the newest transcript's.
const files = readdirSync(join(dir, 'projects'), { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
  .map((e) => join(e.parentPath, e.name))
  .sort();
const transcript = files.at(-1);
const input = JSON.stringify({
  session_id: transcript
    .split('/')
    .at(-1)
    .replace(/\.jsonl$/, ''),
  transcript_path: transcript,
  model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet 4.5' },
  workspace: { current_dir: OUT },
  cwd: OUT,
});

function timed(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { input, env: { ...process.env, ...env }, encoding: 'utf8', cwd: OUT, maxBuffer: 64 << 20 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr}`);
  return { s, mb: Number(r.stderr.trim().split('\n').at(-1)) / 1024, line: r.stdout.trim() };
}

const state = join(OUT, 'statusline-state');
rmSync(state, { recursive: true, force: true });
const env = { CLAUDE_CONFIG_DIR: dir, XDG_STATE_HOME: state, XDG_CONFIG_HOME: join(state, 'cfg') };
const tune = () => timed(process.execPath, [join(ROOT, 'bin/tune'), 'statusline'], env);
const ccusage = () => timed(join(ROOT, 'node_modules/.bin/ccusage'), ['statusline', '--offline'], { CLAUDE_CONFIG_DIR: dir });
const cold = tune();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { tune: [], ccusage: [] };
for (let i = 0; i < Number(values.runs); i++) {
  runs.tune.push(tune());
  runs.ccusage.push(ccusage());
}
const summary = (rs) => ({
  median_ms: Math.round(median(rs.map((r) => r.s)) * 1000),
  all_ms: rs.map((r) => Math.round(r.s * 1000)),
  peak_rss_mb: Math.round(Math.max(...rs.map((r) => r.mb))),
  line: rs[0].line,
});
const result = {
  benchmark: 'tokentune statusline beside ccusage 20.0.24 statusline --offline, whole process, warm',
  node: process.version,
  corpus_mb: Number(values.mb),
  tune_cold_first_call_s: +cold.s.toFixed(2),
  tune: summary(runs.tune),
  ccusage: summary(runs.ccusage),
  target: 'tokentune warm call <= 150 ms',
};
writeFileSync(join(OUT, 'statusline.json'), JSON.stringify(result, null, 2));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
