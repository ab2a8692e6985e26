import type { LineResult, TelemetryRecord } from '../sources/index.js';

/**
 * What a record must not be to be believed, and when it is too new to read yet. A record from the
 * future, or with a token count no call could have, is a bad line: skipped with the reason, never a
 * reason to hold a file back.
 */
export interface Limits {
  /** Epoch ms: a record newer than this may belong to a session still running; reading stops before it. */
  quietAfter: number;
  /** Epoch ms: a record newer than this is in the future beyond any clock skew. */
  futureAfter: number;
  futureMinutes: number;
  /** The plausibility bound of any token count. */
  maxTokens: number;
  /** The plausibility bound of any other count (retries, attempts, turns, CI runs). */
  maxCount?: number;
  /** A line longer than this, in bytes, is a bad line, skipped without being held whole. */
  maxLineBytes?: number;
  /** Epoch ms: a record older than this falls on days whose dedupe keys retention pruned; it cannot be told from one counted before. */
  prunedBefore?: number;
}

const TOKEN_FIELDS = [
  'tokens_used',
  'incident_token_cap',
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'cache_creation_1h_tokens',
  'tokens_equivalent',
  'tokens',
] as const;

const COUNT_FIELDS = ['builder_attempts', 'auditor_attempts', 'retries', 'turns', 'runs', 'failures_caught', 'false_positives'] as const;
const DEFAULT_MAX_COUNT = 100_000;
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Why a record cannot be true, or undefined when it can. */
export function implausible(r: TelemetryRecord, l: Limits): string | undefined {
  if (r.ts > l.futureAfter) return `ts ${new Date(r.ts).toISOString()} is more than ${l.futureMinutes} min in the future`;
  if (l.prunedBefore !== undefined && r.ts < l.prunedBefore) {
    return `ts ${new Date(r.ts).toISOString()} is before ${new Date(l.prunedBefore).toISOString().slice(0, 10)}, whose dedupe keys retention pruned (state.retention_days): not counted, so that nothing is counted twice`;
  }
  for (const field of TOKEN_FIELDS) {
    const v = (r as unknown as Record<string, unknown>)[field];
    if (typeof v === 'number' && v > l.maxTokens) return `${field}: ${v} is above the plausible ${l.maxTokens} (ingest.max_tokens)`;
  }
  const maxCount = l.maxCount ?? DEFAULT_MAX_COUNT;
  for (const field of COUNT_FIELDS) {
    const v = (r as unknown as Record<string, unknown>)[field];
    if (typeof v === 'number' && v > maxCount) return `${field}: ${v} is above the plausible ${maxCount} (ingest.max_count)`;
  }
  return undefined;
}

/** Why a parsed line or row is skipped (its parse error, or its first record that cannot be true), or undefined. */
export function rejection(parsed: LineResult, l: Limits | undefined): string | undefined {
  if ('error' in parsed) return parsed.error;
  if (!l) return undefined;
  for (const r of parsed.records) {
    const why = implausible(r, l);
    if (why) return why;
  }
  return undefined;
}
