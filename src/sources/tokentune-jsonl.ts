import * as z from 'zod';
import type { AppendLinesAdapter, LineResult } from './api.js';
import { isoTimestampMs, zodIssues } from './parse.js';
import { Complexity, Outcome, type TelemetryRecord } from './records.js';

/**
 * The tokentune JSONL export: one object per line, `type` = phase | call | ci. Field names follow
 * Autopack's own tables so such a system's export maps 1:1. Unknown extra fields are ignored.
 */

// Each field is one zod check (`z.custom`) rather than a chain of checks: the schema stays the single
// definition of a valid line, at a fraction of the cost per record (benchmarked in bench/).
const tokens = z.custom<number>((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, {
  error: (iss) => (typeof iss.input !== 'number' ? 'must be a number' : iss.input < 0 ? 'must not be negative' : 'must be an integer'),
});
const count = tokens;
const id = z.custom<string>((v) => typeof v === 'string' && v.length > 0 && v.length <= 200, {
  error: (iss) => (typeof iss.input !== 'string' ? 'must be a string' : iss.input.length === 0 ? 'must not be empty' : 'longer than 200 characters'),
});
// Checked here, converted in toRecord, parsed once: isoTimestampMs keeps its last answer, which is
// the line toRecord converts next. (A zod transform would do both but knocks zod off its fast path:
// it tripled the cost of a line in bench/.)
const timestamp = z.custom<string>((v) => typeof v === 'string' && !Number.isNaN(isoTimestampMs(v)), {
  error: 'not an ISO 8601 timestamp with a time zone',
});

const PhaseLine = z.object({
  type: z.literal('phase'),
  ts: timestamp,
  run_id: id,
  tier_id: id,
  phase_id: id,
  category: id,
  complexity: Complexity,
  builder_model: id,
  auditor_model: id.nullish(),
  tokens_used: tokens,
  incident_token_cap: tokens,
  outcome: Outcome,
  builder_attempts: count,
  auditor_attempts: count,
  retries: count,
  stop_reason: z.string().nullish(),
  session_id: id.nullish(),
  project: id.nullish(),
  turns: count.nullish(),
  duration_ms: count.nullish(),
  cost_usd: z.number().nonnegative().nullish(),
});

const CallLine = z.object({
  type: z.literal('call'),
  ts: timestamp,
  run_id: id.nullish(),
  phase_id: id.nullish(),
  role: id,
  provider: id.nullish(),
  model: id,
  input_tokens: tokens,
  output_tokens: tokens,
  cache_creation_input_tokens: tokens.nullish(),
  cache_read_input_tokens: tokens.nullish(),
  cost_usd: z.number().nullish(),
  cache_creation_1h_tokens: tokens.nullish(),
  session_id: id.nullish(),
  project: id.nullish(),
  agent: id.nullish(),
  duration_ms: count.nullish(),
});

const CiLine = z.object({
  type: z.literal('ci'),
  ts: timestamp,
  run_id: id,
  tier_id: id,
  ci_profile: id,
  runs: count,
  failures_caught: count,
  false_positives: count,
  tokens_equivalent: tokens.nullish(),
});

/** The documented shape of a line; parsing dispatches on `type` to the member schema directly. */
export const TokentuneLine = z.discriminatedUnion('type', [PhaseLine, CallLine, CiLine]);
export type TokentuneLine = z.infer<typeof TokentuneLine>;

// A Map, not an object literal: `type: "constructor"` must not find Object.prototype's members.
const BY_TYPE = new Map<unknown, z.ZodType<TokentuneLine>>([
  ['phase', PhaseLine],
  ['call', CallLine],
  ['ci', CiLine],
]);

/** Maps one validated export line onto a canonical record. */
export function toRecord(line: TokentuneLine): TelemetryRecord {
  const ts = isoTimestampMs(line.ts);
  switch (line.type) {
    case 'phase':
      return {
        kind: 'phase',
        ts,
        run_id: line.run_id,
        tier_id: line.tier_id,
        phase_id: line.phase_id,
        category: line.category,
        complexity: line.complexity,
        builder_model: line.builder_model,
        auditor_model: line.auditor_model ?? undefined,
        tokens_used: line.tokens_used,
        incident_token_cap: line.incident_token_cap,
        outcome: line.outcome,
        builder_attempts: line.builder_attempts,
        auditor_attempts: line.auditor_attempts,
        retries: line.retries,
        truncated: line.stop_reason === 'max_tokens',
        session_id: line.session_id ?? undefined,
        project: line.project ?? undefined,
        turns: line.turns ?? undefined,
        duration_ms: line.duration_ms ?? undefined,
        cost_usd: line.cost_usd ?? undefined,
      };
    case 'call':
      return {
        kind: 'call',
        ts,
        run_id: line.run_id ?? undefined,
        phase_id: line.phase_id ?? undefined,
        role: line.role,
        provider: line.provider ?? undefined,
        model: line.model,
        input_tokens: line.input_tokens,
        output_tokens: line.output_tokens,
        cache_creation_input_tokens: line.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: line.cache_read_input_tokens ?? 0,
        cost_usd: line.cost_usd ?? undefined,
        cache_creation_1h_tokens: line.cache_creation_1h_tokens ?? undefined,
        session_id: line.session_id ?? undefined,
        project: line.project ?? undefined,
        agent: line.agent ?? undefined,
        duration_ms: line.duration_ms ?? undefined,
      };
    case 'ci':
      return {
        kind: 'ci',
        ts,
        run_id: line.run_id,
        tier_id: line.tier_id,
        ci_profile: line.ci_profile,
        runs: line.runs,
        failures_caught: line.failures_caught,
        false_positives: line.false_positives,
        tokens_equivalent: line.tokens_equivalent ?? undefined,
      };
  }
}

/** One record of the export, already parsed from JSON; returns the record or why it was rejected. */
export function parseRecordObject(json: unknown): { record: TelemetryRecord } | { error: string } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { error: 'not a JSON object' };
  const schema = BY_TYPE.get((json as { type?: unknown }).type);
  if (!schema) return { error: 'type must be "phase", "call" or "ci"' };
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { error: zodIssues(parsed.error) };
  return { record: toRecord(parsed.data) };
}

/** Parses one line of text; returns the record or the reason it was rejected. */
export function parseTokentuneLine(text: string): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  const r = parseRecordObject(json);
  return 'record' in r ? { records: [r.record] } : r;
}

/**
 * What makes two export records the same: a phase is its run and phase id; a call or a CI record,
 * which carry no id of their own, everything that tells two of them apart.
 */
export function tokentuneKey(r: TelemetryRecord): string {
  switch (r.kind) {
    case 'phase':
      return `p\u0000${r.run_id}\u0000${r.phase_id}`;
    case 'call':
      return `c\u0000${r.ts}\u0000${r.run_id ?? ''}\u0000${r.phase_id ?? ''}\u0000${r.role}\u0000${r.model}\u0000${r.input_tokens}\u0000${r.output_tokens}`;
    case 'ci':
      return `i\u0000${r.ts}\u0000${r.run_id}\u0000${r.tier_id}\u0000${r.ci_profile}`;
    case 'task_run':
      return `t\u0000${r.run_id}`;
    case 'work':
      return `w\u0000${r.ts}\u0000${r.agent}\u0000${r.run_id ?? ''}`;
  }
}

export const tokentuneJsonl: AppendLinesAdapter = {
  format: 'tokentune-jsonl',
  description: 'the tokentune JSONL export: one phase, call or ci record per line (*.jsonl)',
  shape: 'append-lines',
  extensions: ['.jsonl'],
  parseLine: parseTokentuneLine,
  dedupeKey: tokentuneKey,
};
