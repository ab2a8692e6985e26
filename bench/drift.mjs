#!/usr/bin/env node
// The drift gate on a generated history of about 1 GB of JSONL (`npm run bench`). Measures, as whole
// processes: a full ingest (`check --rebuild-state`), the no-op `check` (nothing new), and an
// incremental `check` after appending 1% new records; with peak RSS of each.
// Targets (issue 4): no-op < 100 ms and >= 200x faster than a full ingest; 1% incremental <= 3% of a
// full ingest; peak RSS < 200 MB at 1 GB. The 1% is appended twice: to a file of its own, and to the
// live phases file of a copy of the history. Then `tune daemon` checks six more 1% appends to that
// live file in one warm process: what the run costs without Node's start and with a warm JIT.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');
const { values } = parseArgs({ options: { phases: { type: 'string', default: '2400000' }, repeat: { type: 'string', default: '15' } } });
const PHASES = Number(values.phases);
const data = join(OUT, `history-${PHASES}`);

if (!(existsSync(join(data, '.phases')) && readFileSync(join(data, '.phases'), 'utf8') === String(PHASES))) {
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const g = spawnSync(process.execPath, [join(ROOT, 'scripts/generate-fixtures.mjs'), '--out', data, '--phases', String(PHASES), '--no-calls', '--seed', '11'], { stdio: 'inherit' });
  if (g.status !== 0) throw new Error('generation failed');
  writeFileSync(join(data, '.phases'), String(PHASES));
}
const bytes = readdirSync(data).filter((f) => f.endsWith('.jsonl')).reduce((s, f) => s + statSync(join(data, f)).size, 0);
const work = join(OUT, 'drift-run');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
// A private copy of the phases file's tail is appended to later; the history itself is never modified.
const extra = join(work, 'extra');
mkdirSync(extra);
writeFileSync(join(extra, 'late.jsonl'), '');
const config = join(work, 'tuner.yaml');
writeFileSync(config, `project: bench\nsources:\n  - {path: ${data}}\n  - {path: ${extra}}\n`);
const xdg = join(work, 'state');

// bin/tune, as cron runs it (the launcher and its fast path included); the peak-RSS hook rides in
// through NODE_OPTIONS when asked for.
function run(args, { rss = false, config: cfg = config, state = xdg } = {}) {
  const rssFile = join(work, 'rss.json');
  rmSync(rssFile, { force: true });
  const env = { ...process.env, XDG_STATE_HOME: state };
  if (rss) Object.assign(env, { NODE_OPTIONS: `--import ${join(ROOT, 'bench/rss-hook.mjs')}`, TOKENTUNE_BENCH_RSS_FILE: rssFile });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(join(ROOT, 'bin/tune'), [...args, '--config', cfg], { encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, out: r.stdout.trim(), rssMb: rss ? JSON.parse(readFileSync(rssFile, 'utf8')).maxRssKb / 1024 : null };
}
/** Node itself, started and stopped with nothing to do: the floor under any whole-process figure. */
function bareNode() {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0'], { env });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The VM's speed drifts by tens of percent over minutes: the full ingest is run twice and the faster
// kept, the incremental runs three times and the median kept, so a share is never flattered. Peak
// RSS is taken in runs of their own: the hook rides in through `--import`, which starts Node's ES
// module loader in the process and its workers (~10 ms), so a timed run never carries it.
const fulls = [run(['check', '--rebuild-state', '--json']), run(['check', '--rebuild-state', '--json'])];
const fullRss = run(['check', '--rebuild-state', '--json'], { rss: true }).rssMb;
const full = { ms: Math.min(...fulls.map((f) => f.ms)), rssMb: fullRss, out: fulls[1].out };
const fullRecords = JSON.parse(full.out).records;

/**
 * Runs `check` `times` times from the same state (a copy of it before the first), after new lines
 * were appended, and once more for its peak RSS.
 */
function incrementalRuns(state, cfg, times = 3) {
  const dir = join(state, 'tokentune');
  const saved = `${state}.saved`;
  rmSync(saved, { recursive: true, force: true });
  cpSync(dir, saved, { recursive: true });
  const runs = [];
  for (let i = 0; i <= times; i++) {
    rmSync(dir, { recursive: true, force: true });
    cpSync(saved, dir, { recursive: true });
    // Written-back first: the run's fsyncs must not pay for the append or the copy (ext4 orders data writes).
    spawnSync('sync');
    runs.push(run(['check', '--json'], { rss: i === times, config: cfg, state }));
  }
  rmSync(saved, { recursive: true, force: true });
  const timed = runs.slice(0, times);
  return { ms: median(timed.map((r) => r.ms)), rssMb: runs[times].rssMb, records: JSON.parse(runs[0].out).records };
}

const noopTimes = [];
const bareTimes = [];
// Interleaved, so that both see the same machine.
for (let i = 0; i < Number(values.repeat); i++) {
  const r = run(['check']);
  if (r.out !== 'noop') throw new Error(`expected noop, got ${r.out}`);
  noopTimes.push(r.ms);
  bareTimes.push(bareNode());
}
const noopRss = run(['check'], { rss: true }).rssMb;

// Append 1% new records: the last 1% of the history's phase lines, under new run ids.
const phasesFile = join(data, 'phases.jsonl');
const size = statSync(phasesFile).size;
const want = Math.floor(fullRecords / 100);
const fd = openSync(phasesFile, 'r');
const buf = Buffer.alloc(Math.min(size, want * 400));
readSync(fd, buf, 0, buf.length, size - buf.length);
closeSync(fd);
const tail = buf.toString('utf8').split('\n').slice(1, -1).slice(-want).map((l) => l.replace(/"run_id":"run-/, '"run_id":"late-'));
appendFileSync(join(extra, 'late.jsonl'), `${tail.join('\n')}\n`);
const incremental = incrementalRuns(xdg, config);
const incRecords = incremental.records;

// The same lines appended to the live phases file itself, as an export that keeps growing does: a
// private copy of the history, read whole first.
const live = join(work, 'live');
mkdirSync(live);
for (const f of readdirSync(data).filter((n) => n.endsWith('.jsonl'))) copyFileSync(join(data, f), join(live, f));
const liveConfig = join(work, 'live.yaml');
// The check schedule serves the daemon series below; it changes nothing for `tune check`.
writeFileSync(liveConfig, `project: bench\nsources:\n  - {path: ${live}}\nschedule: {check: '*/3 * * * * *'}\n`);
const liveState = join(work, 'live-state');
spawnSync('sync');
const liveFull = run(['check', '--rebuild-state', '--json'], { config: liveConfig, state: liveState });
appendFileSync(join(live, 'phases.jsonl'), `${tail.join('\n')}\n`);
const liveInc = incrementalRuns(liveState, liveConfig);
const daemon = await daemonSeries(liveState, liveConfig, join(live, 'phases.jsonl'), tail, 6);
rmSync(live, { recursive: true, force: true });

/**
 * `tune daemon`, which runs its checks in-process, on a schedule of every 3 s: `rounds` times, 1% is
 * appended to the live file (the same lines under new run ids) right after a check logged its line,
 * and the next check's own duration_ms is taken. A first append warms the process up and is not
 * counted: the first check loads the modules. A check that caught an append half-written (fewer
 * records than appended) is not counted either, and the round is repeated.
 */
async function daemonSeries(state, cfg, file, lines, rounds) {
  const child = spawn(join(ROOT, 'bin/tune'), ['daemon', '--config', cfg], { env: { ...process.env, XDG_STATE_HOME: state }, stdio: ['ignore', 'pipe', 'inherit'] });
  const checks = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const append = (round) => appendFileSync(file, `${lines.map((l) => l.replace('"run_id":"late-', `"run_id":"d${round}-`)).join('\n')}\n`);
  const nextCheck = async () => {
    for (;;) {
      const { value, done } = await checks.next();
      if (done) throw new Error('tune daemon stopped');
      const entry = JSON.parse(value);
      if (entry.job !== 'check') continue;
      if (entry.result === 'error' || entry.result === 'locked') throw new Error(`tune daemon: ${value}`);
      if (entry.result !== 'noop') return entry;
    }
  };
  const durations = [];
  try {
    append(0);
    await nextCheck();
    for (let round = 1; durations.length < rounds && round <= rounds * 2; round++) {
      append(round);
      const entry = await nextCheck();
      if (entry.records === lines.length) durations.push(entry.duration_ms);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  if (durations.length < rounds) throw new Error(`tune daemon: only ${durations.length} of ${rounds} checks read a whole append`);
  return { ms: median(durations), min: Math.min(...durations), max: Math.max(...durations), records: lines.length };
}

const noop = median(noopTimes);
const result = {
  benchmark: 'tune check on a generated history',
  node: process.version,
  history_mb: +(bytes / 1e6).toFixed(0),
  full_ingest: { records: fullRecords, seconds: +(full.ms / 1000).toFixed(2), peak_rss_mb: +full.rssMb.toFixed(1) },
  noop_check: {
    median_ms: +noop.toFixed(1),
    bare_node_median_ms: +median(bareTimes).toFixed(1),
    peak_rss_mb: +noopRss.toFixed(1),
    times_faster_than_full_ingest: Math.round(full.ms / noop),
  },
  incremental_1_percent: { records: incRecords, seconds: +(incremental.ms / 1000).toFixed(2), share_of_full_ingest: +((incremental.ms / full.ms) * 100).toFixed(1) + '%', peak_rss_mb: +incremental.rssMb.toFixed(1) },
  incremental_1_percent_live_file: {
    records: liveInc.records,
    seconds: +(liveInc.ms / 1000).toFixed(2),
    share_of_its_full_ingest: +((liveInc.ms / liveFull.ms) * 100).toFixed(1) + '%',
    peak_rss_mb: +liveInc.rssMb.toFixed(1),
  },
  incremental_1_percent_live_file_daemon: {
    records: daemon.records,
    median_seconds: +(daemon.ms / 1000).toFixed(2),
    range_seconds: [+(daemon.min / 1000).toFixed(2), +(daemon.max / 1000).toFixed(2)],
    share_of_its_full_ingest: +((daemon.ms / liveFull.ms) * 100).toFixed(1) + '%',
  },
  targets: { noop_ms: '< 100', noop_speedup: '>= 200x', incremental_share: '<= 3%', peak_rss_mb: '< 200' },
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(join(OUT, 'drift.json'), JSON.stringify(result, null, 2));
