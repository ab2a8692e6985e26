import { cached, type Db } from './db.js';
import type { TaskRunRecord, WorkRecord } from '../sources/index.js';
import { dayOf, type CallBucket, type PhaseBucket, type Rollups, type RunSummary, type TierDay } from './rollups.js';

/**
 * The rollup tables of the state database: what a unit's newly read records add to them, what
 * retention drops, and the view of a window the statistics read. Functions of the database, used
 * by State within the run's transaction.
 */

/** What the stats read: every bucket of the window, and the window's runs merged across units, in start order. */
export interface RollupView {
  phases: PhaseBucket[];
  calls: CallBucket[];
  tiers: Map<string, TierDay>;
  runs: RunTable;
  /** Runs of scheduled tasks of the window and of as many days before it (what cost spikes compare with), oldest first. */
  tasks: TaskRunRecord[];
  /** Units of work of the window (agent invocations), oldest first. */
  work: WorkRecord[];
}

/** The window's runs, merged over units, in start order: one column per number, and the newest few whole. */
export type RunTable = { count: number; recent: RunSummary[] } & { [K in Exclude<keyof RunSummary, 'run_id'>]: Float64Array };

/** The summed fields of a run, in the tables' column order. */
export const RUN_SUMS = ['phases', 'failures', 'phase_tokens', 'builder_tokens', 'auditor_tokens', 'aux_tokens', 'ci_tokens'] as const;

/** Folds a unit's newly read rollups into what it holds. */
export function addRollups(db: Db, unit: number, r: Rollups): void {
  const phase = cached(
    db,
    `INSERT INTO phase_days VALUES (@unit, @day, @category, @complexity, @model, @phases, @success, @failed, @timeout, @stuck,
      @retries, @builder_attempts, @auditor_attempts, @truncations, @tokens_sum, @tokens_success_sum, @cap, @cap_ts, @blob)
    ON CONFLICT DO UPDATE SET phases = phases + excluded.phases, success = success + excluded.success, failed = failed + excluded.failed,
      timeout = timeout + excluded.timeout, stuck = stuck + excluded.stuck, retries = retries + excluded.retries,
      builder_attempts = builder_attempts + excluded.builder_attempts, auditor_attempts = auditor_attempts + excluded.auditor_attempts,
      truncations = truncations + excluded.truncations, tokens_sum = tokens_sum + excluded.tokens_sum,
      tokens_success_sum = tokens_success_sum + excluded.tokens_success_sum,
      cap = CASE WHEN excluded.cap_ts >= cap_ts THEN excluded.cap ELSE cap END, cap_ts = max(cap_ts, excluded.cap_ts),
      tokens = merge_sorted(tokens, excluded.tokens)`,
  );
  for (const b of r.phases.values()) phase.run({ ...b, tokens: undefined, unit, blob: packTokens(b.tokens) });

  const call = cached(
    db,
    `INSERT INTO call_days (unit, day, model, role, agent, has_cost, calls, input, output, cache_creation, cache_creation_1h, cache_read, reported_cost_usd)
    VALUES (@unit, @day, @model, @role, @agent, @has_cost, @calls, @input, @output, @cache_creation, @cache_creation_1h, @cache_read, @reported_cost_usd)
    ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, input = input + excluded.input, output = output + excluded.output,
      cache_creation = cache_creation + excluded.cache_creation, cache_creation_1h = cache_creation_1h + excluded.cache_creation_1h,
      cache_read = cache_read + excluded.cache_read, reported_cost_usd = reported_cost_usd + excluded.reported_cost_usd`,
  );
  for (const b of r.calls.values()) call.run({ ...b, unit });

  // A run's part in this unit, and the run merged over every unit (what the stats read).
  const runUpsert = `ON CONFLICT DO UPDATE SET first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts),
      ${RUN_SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
  const part = cached(db, `INSERT INTO unit_runs VALUES (?, ?, ?, ?, ${RUN_SUMS.map(() => '?').join(', ')}) ${runUpsert}`);
  const merged = cached(db, `INSERT INTO runs VALUES (?, ?, ?, ${RUN_SUMS.map(() => '?').join(', ')}) ${runUpsert}`);
  // Positional parameters: a run is bound a few hundred thousand times on a large read, and named
  // ones cost about half as much again.
  for (const s of r.runs.values()) {
    const sums = [s.phases, s.failures, s.phase_tokens, s.builder_tokens, s.auditor_tokens, s.aux_tokens, s.ci_tokens];
    part.run(s.run_id, unit, s.first_ts, s.last_ts, ...sums);
    merged.run(s.run_id, s.first_ts, s.last_ts, ...sums);
  }

  const task = cached(db, 'INSERT INTO task_runs VALUES (?, ?, ?, ?, ?)');
  for (const t of r.tasks) task.run(unit, dayOf(t.ts), t.ts, t.task, JSON.stringify(t));
  const work = cached(db, 'INSERT INTO work_units VALUES (?, ?, ?, ?, ?)');
  for (const w of r.work) work.run(unit, dayOf(w.ts), w.ts, w.agent, JSON.stringify(w));

  // Tiers carry small maps: merged in code.
  const getTier = cached(db, 'SELECT * FROM tier_days WHERE unit = ? AND day = ? AND tier_id = ?');
  const putTier = cached(db, 'INSERT OR REPLACE INTO tier_days VALUES (@unit, @day, @tier_id, @phases, @failed, @ci_profiles, @ci_runs, @ci_failures_caught, @ci_false_positives, @ci_tokens)');
  for (const t of r.tiers.values()) {
    const old = getTier.get(unit, t.day, t.tier_id) as TierRow | undefined;
    const merged = old ? tierOf(old) : { ...t, phases: {}, failed: {}, ci_profiles: [], ci_runs: 0, ci_failures_caught: 0, ci_false_positives: 0, ci_tokens: 0 };
    addTier(merged, t);
    putTier.run({ ...merged, unit, phases: JSON.stringify(merged.phases), failed: JSON.stringify(merged.failed), ci_profiles: JSON.stringify(merged.ci_profiles) });
  }
}

/**
 * Drops the per-record data of every day before `oldestDay`: dedupe keys, the kept versions of records
 * and the links of subagents. The rollups, runs and task runs stay: they are what reports and windows
 * read, and they are small. Says whether anything was dropped.
 */
export function prune(db: Db, oldestDay: number): boolean {
  let dropped = 0;
  for (const table of ['seen', 'kept_records', 'agent_links']) dropped += db.prepare(`DELETE FROM ${table} WHERE day < ?`).run(oldestDay).changes;
  return dropped > 0;
}

/** Records held, and the newest record's time, over every unit (gone ones too). */
export function totals(db: Db): { records: number; max_ts: number } {
  return db.prepare('SELECT coalesce(sum(records), 0) AS records, coalesce(max(max_ts), 0) AS max_ts FROM units').get() as { records: number; max_ts: number };
}

/** Everything the stats need for the days `since`…`until` (UTC day numbers). */
export function view(db: Db, since: number, until: number): RollupView {
  const phases = (db.prepare('SELECT * FROM phase_days WHERE day BETWEEN ? AND ?').all(since, until) as (PhaseBucket & { tokens: Buffer; unit: number })[]).map(({ unit: _u, tokens, ...b }) => ({
    ...b,
    tokens: new Float64Array(tokens.buffer, tokens.byteOffset, tokens.byteLength / 8),
  }));
  const calls = (db.prepare('SELECT * FROM call_days WHERE day BETWEEN ? AND ?').all(since, until) as (CallBucket & { unit: number })[]).map(({ unit: _u, ...b }) => b);
  const tiers = new Map<string, TierDay>();
  for (const row of db.prepare('SELECT * FROM tier_days WHERE day BETWEEN ? AND ?').all(since, until) as TierRow[]) {
    const t = tierOf(row);
    const key = `${t.day}\u0000${t.tier_id}`;
    const a = tiers.get(key);
    if (a) addTier(a, t);
    else tiers.set(key, t);
  }
  // A run is in the window when it started there. Its numbers come back as columns packed by
  // SQLite (pack_columns in db.ts): one JS value per column, not one object per run.
  const window = [since * 86_400_000, (until + 1) * 86_400_000 - 1];
  const packed = db
    .prepare(`SELECT pack_columns(first_ts, last_ts, ${RUN_SUMS.join(', ')}) FROM (SELECT * FROM runs WHERE first_ts BETWEEN ? AND ? ORDER BY first_ts, run_id)`)
    .pluck()
    .get(...window) as Buffer | null;
  const all = packed ? new Float64Array(packed.buffer, packed.byteOffset, packed.byteLength / 8) : new Float64Array(0);
  const count = all.length / (2 + RUN_SUMS.length);
  const column = (k: number) => all.subarray(k * count, (k + 1) * count);
  const recent = (db.prepare(`SELECT * FROM runs WHERE first_ts BETWEEN ? AND ? ORDER BY first_ts DESC, run_id DESC LIMIT 5`).all(...window) as RunSummary[]).reverse();
  const runs: RunTable = { count, first_ts: column(0), last_ts: column(1), recent } as RunTable;
  RUN_SUMS.forEach((c, k) => (runs[c] = column(2 + k)));
  const tasks = (
    db
      .prepare('SELECT record FROM task_runs WHERE day BETWEEN ? AND ? ORDER BY ts')
      .pluck()
      .all(since - (until - since + 1), until) as string[]
  ).map((t) => JSON.parse(t) as TaskRunRecord);
  const work = (db.prepare('SELECT record FROM work_units WHERE day BETWEEN ? AND ? ORDER BY ts').pluck().all(since, until) as string[]).map((w) => JSON.parse(w) as WorkRecord);
  return { phases, calls, tiers, runs, tasks, work };
}

interface TierRow {
  day: number;
  tier_id: string;
  phases: string;
  failed: string;
  ci_profiles: string;
  ci_runs: number;
  ci_failures_caught: number;
  ci_false_positives: number;
  ci_tokens: number;
}

function tierOf(row: TierRow): TierDay {
  return {
    day: row.day,
    tier_id: row.tier_id,
    phases: JSON.parse(row.phases) as Record<string, number>,
    failed: JSON.parse(row.failed) as Record<string, number>,
    ci_profiles: JSON.parse(row.ci_profiles) as string[],
    ci_runs: row.ci_runs,
    ci_failures_caught: row.ci_failures_caught,
    ci_false_positives: row.ci_false_positives,
    ci_tokens: row.ci_tokens,
  };
}

function addTier(a: TierDay, b: TierDay): void {
  for (const [k, n] of Object.entries(b.phases)) a.phases[k] = (a.phases[k] ?? 0) + n;
  for (const [k, n] of Object.entries(b.failed)) a.failed[k] = (a.failed[k] ?? 0) + n;
  for (const p of b.ci_profiles) if (!a.ci_profiles.includes(p)) a.ci_profiles.push(p);
  a.ci_runs += b.ci_runs;
  a.ci_failures_caught += b.ci_failures_caught;
  a.ci_false_positives += b.ci_false_positives;
  a.ci_tokens += b.ci_tokens;
}

/** Token values as the bytes of a sorted Float64Array: 8 bytes a phase, exact for any token count. */
function packTokens(values: ArrayLike<number>): Buffer {
  const f = Float64Array.from(values as ArrayLike<number>).sort();
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}
