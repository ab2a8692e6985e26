import type { WholeFileAdapter } from './api.js';
import { count, object, text, timestamp } from './parse.js';
import type { CallRecord, SkippedLine, TelemetryRecord } from './records.js';

/**
 * The usage-tracker's task logs (`token-usage/tasks/usage-YYYY-MM-DD-HHMM-<task>.json`, written by
 * `tune log` or by the tracker agent itself): one document per task the build-lead ran, its entries
 * one agent invocation each, with the model, the tokens and the cost the tracker estimated. An entry
 * is a call record of its agent (`agent` and `role`), its task as the run. The tracker logs models as
 * `opus`, `sonnet`, `haiku` or a full id: a short name is read as the family's model of the day
 * (MODEL_OF_FAMILY); the cost the tracker estimated is kept as the source's own.
 */

/**
 * The model a family name meant when it was logged: Claude Code's aliases resolve to the family's
 * newest model. Checked on 2026-12-05 against the bundled price table (pricing/table.ts, from
 * platform.claude.com's model overview of that day).
 */
export const MODEL_OF_FAMILY: Record<string, string> = { opus: 'claude-opus-5-5', sonnet: 'claude-sonnet-5-5', haiku: 'claude-haiku-5-5' };

/** One entry of a task log: what the build-lead reported of one agent's invocation. */
export interface TrackerEntry {
  agent: string;
  model: string;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  estimated_cost: number | null;
}

/**
 * A task's entries, each checked: a bad entry is skipped with its place and why, the others kept. A
 * missing count is null (the spec's "unavailable"), never a guess.
 */
export function trackerEntries(entries: unknown, where = 'entries'): { entries: TrackerEntry[]; skipped: { at: string; reason: string }[] } {
  const out: TrackerEntry[] = [];
  const skipped: { at: string; reason: string }[] = [];
  if (!Array.isArray(entries)) return { entries: out, skipped: [{ at: where, reason: 'expected a list of entries' }] };
  entries.forEach((raw, i) => {
    const at = `${where}[${i}]`;
    const e = object(raw);
    if (!e) return skipped.push({ at, reason: 'not an object' });
    const agent = text(e['agent']);
    const model = text(e['model']);
    if (!agent) return skipped.push({ at, reason: 'agent: missing' });
    if (!model) return skipped.push({ at, reason: 'model: missing' });
    const n = (k: string): number | null | string => (e[k] === null || e[k] === undefined || e[k] === 'unavailable' ? null : count(e[k], k));
    const [input, output, total, cost] = [n('input_tokens'), n('output_tokens'), n('total_tokens'), n('estimated_cost')];
    const bad = [input, output, total, cost].find((x) => typeof x === 'string');
    if (bad) return skipped.push({ at, reason: bad as string });
    out.push({ agent, model, input_tokens: input as number | null, output_tokens: output as number | null, total_tokens: total as number | null, estimated_cost: cost as number | null });
    return undefined;
  });
  return { entries: out, skipped };
}

export function parseTrackerFile(content: string, file: string): { records: TelemetryRecord[]; skipped: SkippedLine[] } {
  const skip = (reason: string): { records: TelemetryRecord[]; skipped: SkippedLine[] } => ({ records: [], skipped: [{ file, line: 1, reason }] });
  let doc: Record<string, unknown> | undefined;
  try {
    doc = object(JSON.parse(content));
  } catch (e) {
    return skip(`not valid JSON (${(e as Error).message})`);
  }
  if (!doc) return skip('not a task log: expected an object');
  const task = text(doc['task_id']);
  if (!task) return skip('task_id: missing');
  const ts = timestamp(doc['timestamp']);
  if (typeof ts === 'string') return skip(ts);
  const { entries, skipped } = trackerEntries(doc['entries']);
  const records = entries.map((e, i): CallRecord => {
    // Only a total known: it counts as input, as a split cannot be told.
    const input = e.input_tokens ?? (e.output_tokens === null ? (e.total_tokens ?? 0) : Math.max(0, (e.total_tokens ?? 0) - e.output_tokens));
    return {
      kind: 'call',
      ts,
      run_id: task,
      phase_id: undefined,
      request_id: String(i),
      role: e.agent,
      agent: e.agent,
      provider: 'anthropic',
      model: MODEL_OF_FAMILY[e.model] ?? e.model,
      input_tokens: input,
      output_tokens: e.output_tokens ?? 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cost_usd: e.estimated_cost ?? undefined,
    };
  });
  return { records, skipped: skipped.map((s) => ({ file, line: 1, reason: `${s.at}: ${s.reason}` })) };
}

export const usageTracker: WholeFileAdapter = {
  format: 'usage-tracker',
  description: "the usage-tracker's task logs (token-usage/tasks/usage-*.json): one call record per agent invocation",
  shape: 'whole-file',
  extensions: ['.json'],
  parseFile: parseTrackerFile,
  // A task's entry by its place in the task's log: the same log copied counts once.
  dedupeKey: (r: TelemetryRecord) => `ut:${(r as CallRecord).run_id ?? ''}:${r.ts}:${(r as CallRecord).request_id ?? ''}`,
};
