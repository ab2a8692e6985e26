import type { CallRecord, CiRecord, Complexity, PhaseRecord, TaskRunRecord, TelemetryRecord, WorkRecord } from '../sources/index.js';

/**
 * Daily rollups: everything the stats need, folded from records as they stream past, so no record has
 * to be kept. Days are UTC day numbers (epoch ms / 86 400 000). Token values of phases are kept per
 * bucket so percentiles stay exact, not estimated.
 */

export const DAY_MS = 86_400_000;
export const dayOf = (ts: number): number => Math.floor(ts / DAY_MS);
export const dayToIso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

export const phaseKey = (day: number, category: string, complexity: string, model: string): string => `${day}\u0000${category}\u0000${complexity}\u0000${model}`;
export const callKey = (day: number, model: string, role: string, agent: string, hasCost: 0 | 1): string => `${day}\u0000${model}\u0000${role}\u0000${agent}\u0000${hasCost}`;
export const tierKey = (day: number, tier: string): string => `${day}\u0000${tier}`;

export interface PhaseBucket {
  day: number;
  category: string;
  complexity: Complexity;
  model: string;
  phases: number;
  success: number;
  failed: number;
  timeout: number;
  stuck: number;
  retries: number;
  builder_attempts: number;
  auditor_attempts: number;
  truncations: number;
  tokens_sum: number;
  tokens_success_sum: number;
  /** Every phase's tokens_used, in no particular order: percentiles are exact. */
  tokens: ArrayLike<number> & Iterable<number>;
  /** The cap in force on the latest phase seen, and when. */
  cap: number;
  cap_ts: number;
}

export interface CallBucket {
  day: number;
  model: string;
  role: string;
  /** The agent that made the calls, where the source names one apart from the role; else the role. */
  agent: string;
  calls: number;
  input: number;
  output: number;
  cache_creation: number;
  /** Of cache_creation, the one-hour writes. */
  cache_creation_1h: number;
  cache_read: number;
  /** 1: calls whose source reported their cost; 0: calls without one (kept apart, so a report can use the one and price the other). */
  has_cost: 0 | 1;
  /** Cost the source reported for these calls (0 where it reported none). */
  reported_cost_usd: number;
}

export interface RunSummary {
  run_id: string;
  first_ts: number;
  last_ts: number;
  phases: number;
  failures: number;
  phase_tokens: number;
  /** Call tokens (input + output + cache) by builders, auditors and every other role. */
  builder_tokens: number;
  auditor_tokens: number;
  aux_tokens: number;
  ci_tokens: number;
}

/**
 * One tier on one day: which categories its phases had, and its CI activity. Keyed by day rather than
 * by run so the state stays bounded by days × tiers however many runs there are.
 */
export interface TierDay {
  day: number;
  tier_id: string;
  phases: Record<string, number>;
  failed: Record<string, number>;
  ci_profiles: string[];
  ci_runs: number;
  ci_failures_caught: number;
  ci_false_positives: number;
  ci_tokens: number;
}

export interface Rollups {
  phases: Map<string, PhaseBucket>;
  calls: Map<string, CallBucket>;
  runs: Map<string, RunSummary>;
  tiers: Map<string, TierDay>;
  /** Runs of scheduled tasks, kept whole (see task_runs in db.ts). */
  tasks: TaskRunRecord[];
  /** Units of work a source reports whole (agent invocations), kept whole (work_units). */
  work: WorkRecord[];
  /** Latest record timestamp seen: the default window ends on its day. */
  max_ts: number;
  records: number;
}

export function emptyRollups(): Rollups {
  return { phases: new Map(), calls: new Map(), runs: new Map(), tiers: new Map(), tasks: [], work: [], max_ts: 0, records: 0 };
}

/**
 * Folds a record into the rollups; `sign` -1 takes a call record's counts out again (a version of a
 * record replaced by a better one). Runs keep their first and last times.
 */
export function addRecord(r: Rollups, rec: TelemetryRecord, sign: 1 | -1 = 1): void {
  if (sign === -1) {
    if (rec.kind !== 'call') throw new Error('only call records can be taken out of the rollups');
    r.records--;
    return addCall(r, rec, -1);
  }
  r.records++;
  if (rec.ts > r.max_ts) r.max_ts = rec.ts;
  switch (rec.kind) {
    case 'phase':
      return addPhase(r, rec);
    case 'call':
      return addCall(r, rec);
    case 'ci':
      return addCi(r, rec);
    case 'task_run':
      r.tasks.push(rec);
      return;
    case 'work':
      r.work.push(rec);
      return;
  }
}

function run(r: Rollups, run_id: string, ts: number): RunSummary {
  let s = r.runs.get(run_id);
  if (!s) {
    s = { run_id, first_ts: ts, last_ts: ts, phases: 0, failures: 0, phase_tokens: 0, builder_tokens: 0, auditor_tokens: 0, aux_tokens: 0, ci_tokens: 0 };
    r.runs.set(run_id, s);
  } else {
    if (ts < s.first_ts) s.first_ts = ts;
    if (ts > s.last_ts) s.last_ts = ts;
  }
  return s;
}

function tier(r: Rollups, day: number, tier_id: string): TierDay {
  const key = tierKey(day, tier_id);
  let t = r.tiers.get(key);
  if (!t) {
    t = { day, tier_id, phases: {}, failed: {}, ci_profiles: [], ci_runs: 0, ci_failures_caught: 0, ci_false_positives: 0, ci_tokens: 0 };
    r.tiers.set(key, t);
  }
  return t;
}

function addPhase(r: Rollups, p: PhaseRecord): void {
  const day = dayOf(p.ts);
  const key = phaseKey(day, p.category, p.complexity, p.builder_model);
  let b = r.phases.get(key);
  if (!b) {
    b = {
      day,
      category: p.category,
      complexity: p.complexity,
      model: p.builder_model,
      phases: 0,
      success: 0,
      failed: 0,
      timeout: 0,
      stuck: 0,
      retries: 0,
      builder_attempts: 0,
      auditor_attempts: 0,
      truncations: 0,
      tokens_sum: 0,
      tokens_success_sum: 0,
      tokens: [],
      cap: p.incident_token_cap,
      cap_ts: p.ts,
    };
    r.phases.set(key, b);
  }
  b.phases++;
  b[p.outcome]++;
  b.retries += p.retries;
  b.builder_attempts += p.builder_attempts;
  b.auditor_attempts += p.auditor_attempts;
  if (p.truncated) b.truncations++;
  b.tokens_sum += p.tokens_used;
  if (p.outcome === 'success') b.tokens_success_sum += p.tokens_used;
  (b.tokens as number[]).push(p.tokens_used);
  if (p.ts >= b.cap_ts) {
    b.cap = p.incident_token_cap;
    b.cap_ts = p.ts;
  }

  const s = run(r, p.run_id, p.ts);
  s.phases++;
  s.phase_tokens += p.tokens_used;
  if (p.outcome !== 'success') s.failures++;

  const t = tier(r, day, p.tier_id);
  t.phases[p.category] = (t.phases[p.category] ?? 0) + 1;
  if (p.outcome !== 'success') t.failed[p.category] = (t.failed[p.category] ?? 0) + 1;
}

function addCall(r: Rollups, c: CallRecord, sign: 1 | -1 = 1): void {
  const day = dayOf(c.ts);
  const has_cost = c.cost_usd === undefined ? 0 : 1;
  const agent = c.agent ?? c.role;
  const key = callKey(day, c.model, c.role, agent, has_cost);
  let b = r.calls.get(key);
  if (!b) {
    b = { day, model: c.model, role: c.role, agent, has_cost, calls: 0, input: 0, output: 0, cache_creation: 0, cache_creation_1h: 0, cache_read: 0, reported_cost_usd: 0 };
    r.calls.set(key, b);
  }
  b.calls += sign * (c.calls ?? 1);
  b.input += sign * c.input_tokens;
  b.output += sign * c.output_tokens;
  b.cache_creation += sign * c.cache_creation_input_tokens;
  b.cache_read += sign * c.cache_read_input_tokens;
  b.cache_creation_1h += sign * (c.cache_creation_1h_tokens ?? 0);
  b.reported_cost_usd += sign * (c.cost_usd ?? 0);
  if (c.run_id !== undefined) {
    const s = run(r, c.run_id, c.ts);
    const total = sign * (c.input_tokens + c.output_tokens + c.cache_creation_input_tokens + c.cache_read_input_tokens);
    if (c.role === 'builder') s.builder_tokens += total;
    else if (c.role === 'auditor') s.auditor_tokens += total;
    else s.aux_tokens += total;
  }
}

function addCi(r: Rollups, c: CiRecord): void {
  const t = tier(r, dayOf(c.ts), c.tier_id);
  if (!t.ci_profiles.includes(c.ci_profile)) t.ci_profiles.push(c.ci_profile);
  t.ci_runs += c.runs;
  t.ci_failures_caught += c.failures_caught;
  t.ci_false_positives += c.false_positives;
  t.ci_tokens += c.tokens_equivalent ?? 0;
  run(r, c.run_id, c.ts).ci_tokens += c.tokens_equivalent ?? 0;
}
