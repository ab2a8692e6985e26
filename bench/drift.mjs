#!/usr/bin/env node
// The drift gate on a generated history of about 1 GB of JSONL (`npm run bench`), each command run
// through bin/tune as a whole process, as cron runs it, in this shell's environment:
// - full ingest: `check --rebuild-state`, best of two, and a third run for peak RSS;
// - no-op `check` (nothing new): median of ten;
// - 1% of the records appended to the live phases file, then `check`: median of three from the same
//   saved state, and a fourth run for peak RSS.
// Targets: full ingest <= 20 s with peak RSS < 250 MB; no-op <= 150 ms; 1% append <= 1.5 s.
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { phases: { type: 'string', default: '2400000' } } });
const PHASES = Number(values.phases);
const history = join(OUT, `history-${PHASES}`);

if (!(existsSync(join(history, '.phases')) && readFileSync(join(history, '.phases'), 'utf8') === String(PHASES))) {
  rmSync(history, { recursive: true, force: true });
  mkdirSync(history, { recursive: true });
  const g = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-fixtures.mjs'), '--out', history, '--phases', String(PHASES), '--no-calls', '--seed', '11'], { stdio: 'inherit' });
  if (g.status !== 0) throw new Error('generation failed');
  writeFileSync(join(history, '.phases'), String(PHASES));
}

// A private copy of the history: the 1% is appended to its live file.
const work = join(OUT, 'drift-run');
rmSync(work, { recursive: true, force: true });
const data = join(work, 'data');
mkdirSync(data, { recursive: true });
for (const f of readdirSync(history).filter((n) => n.endsWith('.jsonl'))) copyFileSync(join(history, f), join(data, f));
const bytes = readdirSync(data).reduce((s, f) => s + statSync(join(data, f)).size, 0);
const config = join(work, 'tuner.yaml');
writeFileSync(config, `project: bench\nsources:\n  - {path: ${data}}\n`);
const xdg = join(work, 'state');

function run(args, { rss = false, without } = {}) {
  const rssFile = join(work, 'rss.json');
  rmSync(rssFile, { force: true });
  const env = { ...process.env, XDG_STATE_HOME: xdg };
  if (without) delete env[without];
  if (rss) Object.assign(env, { NODE_OPTIONS: `--import ${join(ROOT, 'bench/rss-hook.mjs')}`, TOKENTUNE_BENCH_RSS_FILE: rssFile });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(join(ROOT, 'bin/tune'), [...args, '--config', config], { encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, out: r.stdout.trim(), rssMb: rss ? JSON.parse(readFileSync(rssFile, 'utf8')).maxRssKb / 1024 : null };
}
/** Node itself, started and stopped with nothing to do, in the same environment: the floor under any figure. */
function bareNode(env = process.env) {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0'], { env });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => [Math.min(...xs), Math.max(...xs)].map((x) => Math.round(x));

spawnSync('sync');
const fulls = [run(['check', '--rebuild-state', '--json']), run(['check', '--rebuild-state', '--json'])];
const fullRss = run(['check', '--rebuild-state', '--json'], { rss: true }).rssMb;
const fullRecords = JSON.parse(fulls[0].out).records;

const noops = [];
const bare = [];
for (let i = 0; i < 10; i++) {
  const r = run(['check']);
  if (r.out !== 'noop') throw new Error(`expected noop, got ${r.out}`);
  noops.push(r.ms);
  bare.push(bareNode());
}
const noopRss = run(['check'], { rss: true }).rssMb;
// Node 20 reads the whole certificate store at start-up when NODE_EXTRA_CA_CERTS is set, as some
// machines (this project's among them) do: the same series without it, for comparison.
const CA = 'NODE_EXTRA_CA_CERTS';
const plain = { noops: [], bare: [] };
if (process.env[CA]) {
  const env = { ...process.env };
  delete env[CA];
  for (let i = 0; i < 10; i++) {
    plain.noops.push(run(['check'], { without: CA }).ms);
    plain.bare.push(bareNode(env));
  }
}

// 1% new records: the last 1% of the history's phase lines under new run ids, appended to the live file.
const phasesFile = join(data, 'phases.jsonl');
const want = Math.floor(fullRecords / 100);
const size = statSync(phasesFile).size;
const buf = Buffer.alloc(Math.min(size, want * 500));
const fd = openSync(phasesFile, 'r');
readSync(fd, buf, 0, buf.length, size - buf.length);
closeSync(fd);
const tail = buf
  .toString('utf8')
  .split('\n')
  .slice(1, -1)
  .slice(-want)
  .map((l) => l.replace(/"run_id":"run-/, '"run_id":"late-'));
const dir = join(xdg, 'tokentune');
const saved = `${dir}.saved`;
cpSync(dir, saved, { recursive: true });
appendFileSync(phasesFile, `${tail.join('\n')}\n`);
const incs = [];
for (let i = 0; i <= 3; i++) {
  rmSync(dir, { recursive: true, force: true });
  cpSync(saved, dir, { recursive: true });
  spawnSync('sync');
  incs.push(run(['check', '--json'], { rss: i === 3 }));
}
const incRecords = JSON.parse(incs[0].out).records;
rmSync(work, { recursive: true, force: true });

const full = Math.min(...fulls.map((f) => f.ms));
const inc = median(incs.slice(0, 3).map((r) => r.ms));
const result = {
  benchmark: 'drift gate on a generated history, whole processes through bin/tune',
  node: process.version,
  history_mb: +(bytes / 1e6).toFixed(0),
  records: fullRecords,
  bare_node_ms: { median: Math.round(median(bare)), range: range(bare) },
  full_ingest: { seconds: +(full / 1000).toFixed(1), all: fulls.map((f) => +(f.ms / 1000).toFixed(1)), peak_rss_mb: Math.round(fullRss), target: '<= 20 s, < 250 MB' },
  noop_check: { median_ms: Math.round(median(noops)), range_ms: range(noops), peak_rss_mb: Math.round(noopRss), target: '<= 150 ms' },
  ...(plain.noops.length ? { [`noop_check_without_${CA}`]: { median_ms: Math.round(median(plain.noops)), range_ms: range(plain.noops), bare_node_ms: Math.round(median(plain.bare)) } } : {}),
  append_1pct: {
    records: incRecords,
    median_seconds: +(inc / 1000).toFixed(2),
    all: incs.slice(0, 3).map((r) => +(r.ms / 1000).toFixed(2)),
    peak_rss_mb: Math.round(incs[3].rssMb),
    target: '<= 1.5 s',
  },
};
result.pass = full <= 20_000 && fullRss < 250 && median(noops) <= 150 && inc <= 1500;
console.log(JSON.stringify(result, null, 2));
writeFileSync(join(OUT, 'drift.json'), JSON.stringify(result, null, 2));
