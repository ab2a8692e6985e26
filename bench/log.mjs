#!/usr/bin/env node
// `tune log` as the build-lead calls it (`npm run bench`): a log_and_summarize request into a
// token-usage folder that already holds a year of task logs (20 a day), whole process, median of
// --runs (default 10). Target: within 200 ms.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const repo = join(ROOT, 'bench/out/tracker-repo');
const tasks = join(repo, 'token-usage/tasks');
// Made anew each time: the runs below add their own task logs.
rmSync(repo, { recursive: true, force: true });
{
  mkdirSync(tasks, { recursive: true });
  const end = Date.UTC(2026, 11, 5);
  for (let d = 0; d < 365; d++) {
    for (let k = 0; k < 20; k++) {
      const at = new Date(end - d * 86_400_000 + k * 1_800_000).toISOString();
      const entries = [
        { agent: 'build-lead', model: 'opus', input_tokens: 20_000 + k, output_tokens: 5_000, total_tokens: 25_000 + k, estimated_cost: 0.9 },
        { agent: 'ui-impl', model: 'sonnet', input_tokens: 8_000, output_tokens: 2_000, total_tokens: 10_000, estimated_cost: 0.06 },
      ];
      writeFileSync(
        join(tasks, `usage-${at.slice(0, 10)}-${at.slice(11, 13)}${at.slice(14, 16)}-task-${d}-${k}.json`),
        JSON.stringify({ task_id: `task-${d}-${k}`, timestamp: at, user_request_summary: 'A task.', entries }),
      );
    }
  }
}
const request = (i) =>
  JSON.stringify({
    mode: 'log_and_summarize',
    task_id: `bench-${i}`,
    timestamp: new Date().toISOString(),
    user_request_summary: 'Bench.',
    entries: [{ agent: 'api-impl', model: 'sonnet', input_tokens: 1000, output_tokens: 100, total_tokens: 1100, estimated_cost: 0.01 }],
  });
const times = [];
let rss = 0;
for (let i = 0; i < Number(values.runs); i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin/tune'), 'log'], { cwd: repo, input: request(i), encoding: 'utf8' });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status !== 0 || !r.stdout.includes('"recorded"')) throw new Error(`tune log failed: ${r.stdout}${r.stderr}`);
  rss = Math.max(rss, Number(r.stderr.trim().split('\n').at(-1)) / 1024);
}
const sorted = [...times].sort((a, b) => a - b);
const node = [];
for (let i = 0; i < 5; i++) {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  node.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const result = {
  benchmark: 'tune log (log_and_summarize) into a year of task logs (7,300 files), whole process',
  median_ms: Math.round(sorted[Math.floor(sorted.length / 2)]),
  min_ms: Math.round(sorted[0]),
  max_ms: Math.round(sorted.at(-1)),
  peak_rss_mb: Math.round(rss),
  bare_node_median_ms: Math.round([...node].sort((a, b) => a - b)[2]),
  target: '<= 200 ms',
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
