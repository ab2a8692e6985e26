import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dailySummary, periodReview, type Recommendation, type TrackedTask } from '../report/tracker.js';
import { fmtInt } from '../common/format.js';
import { isoTimestampMs } from '../sources/parse.js';
import { trackerEntries } from '../sources/usage-tracker.js';

/**
 * `tune log`: what the usage-tracker agent does for the build-lead, as a command. One telemetry
 * request in (the spec's envelope), the task log written under `token-usage/`, the spec's answer out.
 * It never fails its caller: any problem is appended to `token-usage/errors-YYYY-MM-DD.md` with what
 * was kept, and the answer says so. It loads no schema library and no stage beyond what it writes,
 * as the build-lead calls it after every task.
 */

export type LogAnswer =
  | { status: 'recorded'; task_id: string; log_path: string; summary?: string; problems?: string[] }
  | { status: 'report_generated'; report_path: string; recommendations: Recommendation[]; problems?: string[] }
  | { status: 'error'; error: string; error_log: string; task_id?: string };

const MODES = ['log_only', 'log_and_summarize', 'review_period'] as const;

export function runLog(input: string, o: { dir: string; now: Date }): LogAnswer {
  const today = o.now.toISOString().slice(0, 10);
  const errorLog = join(o.dir, `errors-${today}.md`);
  const problems: string[] = [];
  const fail = (error: string, task?: string): LogAnswer => {
    note(errorLog, o.now, [`**Not logged**${task ? ` (task ${task})` : ''}: ${error}`, '', 'What was received:', '', '```json', input.slice(0, 20_000), '```']);
    return { status: 'error', error, error_log: rel(o.dir, errorLog), ...(task ? { task_id: task } : {}) };
  };
  try {
    let req: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(input);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('the request is not a JSON object');
      req = parsed as Record<string, unknown>;
    } catch (e) {
      return fail(`the request is not JSON (${(e as Error).message})`);
    }
    const mode = req['mode'] ?? 'log_only';
    if (!MODES.includes(mode as (typeof MODES)[number])) return fail(`mode: expected ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
    if (mode === 'review_period') {
      const days = typeof req['days'] === 'number' && Number.isInteger(req['days']) && req['days'] > 0 ? req['days'] : 7;
      if (req['days'] !== undefined && days !== req['days']) problems.push(`days: expected a positive whole number, got ${JSON.stringify(req['days'])}; reviewed 7`);
      const since = o.now.getTime() - days * 86_400_000;
      const tasks = readTasks(o.dir, problems, new Date(since).toISOString().slice(0, 10)).filter((t) => t.ts > since);
      const review = periodReview(today, days, tasks);
      const path = join(o.dir, 'reports', `usage-review-${today}.md`);
      writeAtomic(path, review.markdown);
      if (problems.length)
        note(
          errorLog,
          o.now,
          problems.map((p) => `- ${p}`),
        );
      return { status: 'report_generated', report_path: rel(o.dir, path), recommendations: review.recommendations, ...(problems.length ? { problems } : {}) };
    }

    const task = typeof req['task_id'] === 'string' && req['task_id'].trim() ? req['task_id'].trim() : undefined;
    if (!task) return fail('task_id: missing');
    let ts = typeof req['timestamp'] === 'string' ? isoTimestampMs(req['timestamp']) : Number.NaN;
    if (Number.isNaN(ts)) {
      problems.push(`timestamp: expected ISO 8601 with a zone, got ${JSON.stringify(req['timestamp'] ?? null)}; logged at the time it was received`);
      ts = o.now.getTime();
    }
    const { entries, skipped } = trackerEntries(req['entries']);
    for (const s of skipped)
      problems.push(
        `${s.at}: ${s.reason}; the entry is not logged (it is kept here): ${JSON.stringify((req['entries'] as unknown[] | undefined)?.[Number(/\[(\d+)\]/.exec(s.at)?.[1])] ?? null).slice(0, 2000)}`,
      );
    for (const [i, e] of entries.entries()) {
      const missing = (['input_tokens', 'output_tokens', 'total_tokens', 'estimated_cost'] as const).filter((k) => e[k] === null);
      if (missing.length) problems.push(`entries[${i}] (${e.agent}): ${missing.join(', ')} unavailable; logged as null`);
    }
    const at = new Date(ts).toISOString();
    const summary = typeof req['user_request_summary'] === 'string' ? req['user_request_summary'] : '';
    const doc = {
      task_id: task,
      timestamp: at,
      user_request_summary: summary,
      entries,
      totals: totalsOf(entries),
    };
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const path = taskLogPath(o.dir, task, at, text);
    writeAtomic(path, text);
    if (problems.length) note(errorLog, o.now, [`**Task ${task}**, logged with what was usable:`, '', ...problems.map((p) => `- ${p}`)]);
    const answer: LogAnswer = { status: 'recorded', task_id: task, log_path: rel(o.dir, path), ...(problems.length ? { problems } : {}) };
    if (mode === 'log_and_summarize') {
      const day = at.slice(0, 10);
      const tasks = tasksOfDay(o.dir, day);
      writeAtomic(join(o.dir, `usage-${day}.md`), dailySummary(day, tasks));
      const cost = doc.totals.estimated_cost;
      const dayCost = tasks.reduce((a, t) => a + t.entries.reduce((b, e) => b + (e.estimated_cost ?? 0), 0), 0);
      answer.summary = `${task}: ${fmtInt(doc.totals.total_tokens)} tokens, $${cost.toFixed(2)} across ${Object.keys(doc.totals.by_agent).length} agent(s). ${day} so far: $${dayCost.toFixed(2)} over ${tasks.length} task(s).`;
    }
    return answer;
  } catch (e) {
    return fail(`could not write under ${o.dir}: ${(e as Error).message}`);
  }
}

/**
 * Rewrites the day summaries (`usage-YYYY-MM-DD.md`) older than a task log of their day, as the
 * nightly check does for a usage-tracker source (`dir`: the folder holding `tasks/`). Returns the days
 * written.
 */
export function refreshSummaries(dir: string): string[] {
  const at = join(dir, 'tasks');
  if (!existsSync(at)) return [];
  const newest = new Map<string, number>();
  for (const name of readdirSync(at)) {
    const day = name.endsWith('.json') ? dayOfName(name) : undefined;
    if (day) newest.set(day, Math.max(newest.get(day) ?? 0, statSync(join(at, name)).mtimeMs));
  }
  const written: string[] = [];
  for (const [day, mtime] of [...newest].sort()) {
    const file = join(dir, `usage-${day}.md`);
    if (existsSync(file) && statSync(file).mtimeMs >= mtime) continue;
    const tasks = tasksOfDay(dir, day);
    writeAtomic(file, dailySummary(day, tasks));
    written.push(day);
  }
  return written;
}

function totalsOf(entries: ReturnType<typeof trackerEntries>['entries']) {
  const by_model: Record<string, number> = {};
  const by_agent: Record<string, number> = {};
  let total = 0;
  let cost = 0;
  for (const e of entries) {
    const t = e.total_tokens ?? (e.input_tokens ?? 0) + (e.output_tokens ?? 0);
    total += t;
    cost += e.estimated_cost ?? 0;
    by_model[e.model] = (by_model[e.model] ?? 0) + t;
    by_agent[e.agent] = (by_agent[e.agent] ?? 0) + t;
  }
  return { total_tokens: total, by_model, by_agent, estimated_cost: Math.round(cost * 1e6) / 1e6 };
}

/** `tasks/usage-YYYY-MM-DD-HHMM-<task>.json`; the same request again is the same file, another one in the same minute gets -2, -3… */
function taskLogPath(dir: string, task: string, at: string, text: string): string {
  const slug =
    task
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'task';
  const base = join(dir, 'tasks', `usage-${at.slice(0, 10)}-${at.slice(11, 13)}${at.slice(14, 16)}-${slug}`);
  for (let k = 1; ; k++) {
    const path = `${base}${k === 1 ? '' : `-${k}`}.json`;
    if (!existsSync(path) || readFileSync(path, 'utf8') === text) return path;
  }
}

/** The day a task log's name carries (`usage-YYYY-MM-DD-HHMM-<task>.json`), if it is named so. */
const dayOfName = (name: string): string | undefined => /^usage-(\d{4}-\d{2}-\d{2})-/.exec(name)?.[1];

/** The task logs of one UTC day. */
const tasksOfDay = (dir: string, day: string): TrackedTask[] => readTasks(dir, [], day).filter((t) => new Date(t.ts).toISOString().slice(0, 10) === day);

/**
 * The task logs under `tasks/` from `sinceDay` (`YYYY-MM-DD`) on, by the day their names carry (a file
 * named otherwise is read to tell); one that cannot be read is named in `problems` and left out.
 */
function readTasks(dir: string, problems: string[], sinceDay: string): TrackedTask[] {
  const at = join(dir, 'tasks');
  if (!existsSync(at)) return [];
  const out: TrackedTask[] = [];
  for (const name of readdirSync(at)
    .filter((f) => f.endsWith('.json') && (dayOfName(f) ?? sinceDay) >= sinceDay)
    .sort()) {
    try {
      const d = JSON.parse(readFileSync(join(at, name), 'utf8')) as Record<string, unknown>;
      const ts = typeof d['timestamp'] === 'string' ? isoTimestampMs(d['timestamp']) : Number.NaN;
      if (typeof d['task_id'] !== 'string' || Number.isNaN(ts)) throw new Error('no task_id or timestamp');
      out.push({ task_id: d['task_id'], ts, summary: typeof d['user_request_summary'] === 'string' ? d['user_request_summary'] : '', entries: trackerEntries(d['entries']).entries });
    } catch (e) {
      problems.push(`tasks/${name}: left out (${(e as Error).message})`);
    }
  }
  return out;
}

/** Writes whole or not at all: a reader never sees half a log. */
function writeAtomic(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function note(file: string, now: Date, lines: string[]): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    if (!existsSync(file)) appendFileSync(file, `# Usage tracking errors: ${now.toISOString().slice(0, 10)}\n\n`);
    appendFileSync(file, `## ${now.toISOString().slice(11, 19)} UTC\n\n${lines.join('\n')}\n\n`);
  } catch {
    // Nowhere to write even the error: the answer still says what went wrong.
  }
}

/** A path as the answer gives it: from where the command ran, as the spec's `token-usage/…`. */
const rel = (_dir: string, path: string): string => {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith('..') ? r : path;
};
