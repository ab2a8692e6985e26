import type Database from 'better-sqlite3';
import * as z from 'zod';
import { formatZodIssues } from '../common/index.js';
import { asStateError, resetSchema, StateError, type Db } from './db.js';
import { MAX_LEDGER, type RunEntry } from './run-ledger.js';
import { dayOf, type CallBucket, type PhaseBucket, type Rollups, type RunSummary, type TierDay } from './rollups.js';

/**
 * The run state of one tuner config, over its database (db.ts): the source units with their
 * cursors, the dedupe keys, the daily rollups per unit, the last proposal, the no-op streak and the
 * run ledger. A run makes all its changes inside one transaction (begin … commit): a run that fails or
 * is killed leaves the state as it was.
 */

/** stat() of a hashed file: [dev, ino, size, mtimeMs, ctimeMs]. The ctime catches an edit whose mtime was put back (`touch -r`). */
export const InputStat = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]);
export type InputStat = z.infer<typeof InputStat>;

export const Fingerprint = z.object({
  config_hash: z.string(),
  /** How the config's sources are listed, so the no-op check can list them without the config. */
  sources: z.array(z.object({ path: z.string(), format: z.string(), shape: z.enum(['append-lines', 'whole-file', 'cursor']), extensions: z.array(z.string()), companions: z.array(z.string()).optional() })),
  targets: z.record(z.string(), z.string()),
  /** Every unit of every source by identity, with what its adapter says marks a change. */
  units: z.record(z.string(), z.string()),
  /** stat() of the tuner config and the target files when they were hashed: the no-op check compares these instead of hashing. */
  inputs: z.record(z.string(), InputStat).optional(),
});
export type Fingerprint = z.infer<typeof Fingerprint>;

export const LastProposal = z.object({
  at: z.string(),
  decisions: z.array(z.string()),
  figures: z.record(z.string(), z.number()),
});
export type LastProposal = z.infer<typeof LastProposal>;


export interface Unit {
  id: number;
  /** What stays the same while the unit is the same: a file's device and inode, a path, a table. */
  identity: string;
  format: string;
  /** As users know it: the path. */
  label: string;
  /** Where reading stands; its shape belongs to the unit's kind (ingest/units.ts). */
  cursor: unknown;
  records: number;
  max_ts: number;
}

/** What the stats read: every bucket of the window, and the window's runs merged across units, in start order. */
export interface RollupView {
  phases: PhaseBucket[];
  calls: CallBucket[];
  tiers: Map<string, TierDay>;
  runs: RunTable;
}

/** The window's runs, merged over units, in start order: one column per number, and the newest few whole. */
export type RunTable = { count: number; recent: RunSummary[] } & { [K in Exclude<keyof RunSummary, 'run_id'>]: Float64Array };

/** The summed fields of a run, in the tables' column order. */
const RUN_SUMS = ['phases', 'failures', 'phase_tokens', 'builder_tokens', 'auditor_tokens', 'aux_tokens', 'ci_tokens'] as const;

/** Keys inserted by one statement: 2 × 500 parameters, well under SQLite's limit. */
const ADMIT_BATCH = 500;

export class State {
  constructor(
    readonly db: Db,
    /** The database file, for error messages. */
    readonly file: string,
  ) {}

  // ---- transactions -------------------------------------------------------------------------

  /** Starts the run's transaction, taking the write lock; throws SQLITE_BUSY while another run holds it. */
  begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
  }

  commit(): void {
    this.db.exec('COMMIT');
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  close(): void {
    this.rollback();
    this.db.close();
  }

  /** Runs `f`, turning a damaged database into a StateError that names the file and the fix. */
  guard<T>(f: () => T): T {
    try {
      const r = f();
      if (r instanceof Promise) {
        return r.catch((e: unknown) => {
          throw asStateError(e, this.file);
        }) as T;
      }
      return r;
    } catch (e) {
      throw asStateError(e, this.file);
    }
  }

  /**
   * SQLite's structural check of the whole file, once a day (it reads every page: ~1 s at 1 GB of
   * history). Between checks, damage is still found by SQLite on the pages a run reads.
   */
  checkIntegrity(day: number): void {
    if ((this.meta('checked_day', z.number().int()) ?? -1) >= day) return;
    const result = this.db.pragma('quick_check(5)', { simple: true });
    if (result !== 'ok') throw new StateError(`${this.file}: the state database fails its integrity check (${String(result)}). Run again with --rebuild-state to re-read every source from the start, or restore ${this.file} from a backup.`);
    this.setMeta('checked_day', day);
  }

  /** Forgets everything, for `--rebuild-state`: every source is read again from the start. */
  clear(): void {
    resetSchema(this.db);
    this.seenInserts.clear();
  }

  // ---- small values -------------------------------------------------------------------------

  private meta<T>(key: string, schema: z.ZodType<T>): T | undefined {
    const text = this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
    if (text === undefined) return undefined;
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new StateError(`${this.file}: meta "${key}": ${formatZodIssues(parsed.error).join('; ')}. Run again with --rebuild-state.`);
    return parsed.data;
  }

  private setMeta(key: string, value: unknown): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }

  get fingerprint(): Fingerprint | undefined {
    return this.meta('fingerprint', Fingerprint);
  }

  set fingerprint(fp: Fingerprint) {
    this.setMeta('fingerprint', fp);
  }

  get lastProposal(): LastProposal | null {
    return this.meta('last_proposal', LastProposal) ?? null;
  }

  set lastProposal(p: LastProposal) {
    this.setMeta('last_proposal', p);
  }

  get noopStreak(): number {
    return this.meta('noop_streak', z.number().int().nonnegative()) ?? 0;
  }

  set noopStreak(n: number) {
    this.setMeta('noop_streak', n);
  }

  /** The day retention last pruned up to: pruning runs once a day, not on every run. */
  get prunedBefore(): number {
    return this.meta('pruned_before', z.number().int()) ?? 0;
  }

  set prunedBefore(day: number) {
    this.setMeta('pruned_before', day);
  }

  addRun(e: RunEntry): void {
    this.db.prepare('INSERT INTO ledger (command, started, ended, result, records, bytes, llm_tokens, llm_cost_usd) VALUES (@command, @started, @ended, @result, @records, @bytes, @llm_tokens, @llm_cost_usd)').run(e);
    this.db.prepare('DELETE FROM ledger WHERE id <= (SELECT max(id) FROM ledger) - ?').run(MAX_LEDGER);
  }

  ledger(): RunEntry[] {
    return this.db.prepare('SELECT command, started, ended, result, records, bytes, llm_tokens, llm_cost_usd FROM ledger ORDER BY id').all() as RunEntry[];
  }

  // ---- units --------------------------------------------------------------------------------

  liveUnits(): Unit[] {
    const rows = this.db.prepare('SELECT id, identity, format, label, cursor, records, max_ts FROM units WHERE retired_at IS NULL ORDER BY id').all() as (Omit<Unit, 'cursor'> & { cursor: string })[];
    return rows.map((r) => ({ ...r, cursor: JSON.parse(r.cursor) as unknown }));
  }

  addUnit(identity: string, format: string, label: string, cursor: unknown): number {
    return Number(this.db.prepare('INSERT INTO units (identity, format, label, cursor) VALUES (?, ?, ?, ?)').run(identity, format, label, JSON.stringify(cursor)).lastInsertRowid);
  }

  setUnit(id: number, label: string, cursor: unknown, read: { records: number; max_ts: number }): void {
    this.db.prepare('UPDATE units SET label = ?, cursor = ?, records = records + ?, max_ts = max(max_ts, ?) WHERE id = ?').run(label, JSON.stringify(cursor), read.records, read.max_ts, id);
  }

  /** Forgets everything a unit contributed (its rollups and its dedupe keys), to be read again. */
  resetUnit(id: number): void {
    // The runs it took part in are merged again from the other units' parts.
    const ids = JSON.stringify(this.db.prepare('SELECT run_id FROM unit_runs WHERE unit = ?').pluck().all(id));
    for (const table of ['seen', 'phase_days', 'call_days', 'tier_days', 'unit_runs']) this.db.prepare(`DELETE FROM ${table} WHERE unit = ?`).run(id);
    this.db.prepare('DELETE FROM runs WHERE run_id IN (SELECT value FROM json_each(?))').run(ids);
    this.db.prepare(`INSERT INTO runs SELECT run_id, min(first_ts), max(last_ts), ${RUN_SUMS.map((c) => `sum(${c})`).join(', ')}
      FROM unit_runs WHERE run_id IN (SELECT value FROM json_each(?)) GROUP BY run_id`).run(ids);
    this.db.prepare('UPDATE units SET records = 0, max_ts = 0 WHERE id = ?').run(id);
  }

  /** A unit that is gone: its data stays until retention drops it. */
  retireUnit(id: number, at: number): void {
    this.db.prepare('UPDATE units SET retired_at = ? WHERE id = ?').run(at, id);
  }

  // ---- dedupe -------------------------------------------------------------------------------

  /**
   * Records the keys as seen, all or none: true when none of them was seen before (nor twice among
   * them). Most reads have no duplicate, so their keys go in as one batch; a caller told false
   * admits that batch's records one by one.
   */
  admitAll(unit: number, keys: readonly string[], days: readonly number[]): boolean {
    this.db.exec('SAVEPOINT admit');
    let added = 0;
    for (let i = 0; i < keys.length; i += ADMIT_BATCH) {
      const n = Math.min(ADMIT_BATCH, keys.length - i);
      const values: (string | number)[] = [];
      for (let k = i; k < i + n; k++) values.push(keys[k]!, days[k]!);
      added += this.insertSeen(n).run(unit, values).changes;
    }
    const all = added === keys.length;
    if (!all) this.db.exec('ROLLBACK TO admit');
    this.db.exec('RELEASE admit');
    return all;
  }

  private readonly seenInserts = new Map<number, Database.Statement>();

  /** `INSERT OR IGNORE` of n keys at once: one statement per batch, not per key, is most of the speed. */
  private insertSeen(n: number): Database.Statement {
    let s = this.seenInserts.get(n);
    if (!s) {
      s = this.db.prepare(`INSERT OR IGNORE INTO seen (key, unit, day) SELECT column1, ?, column2 FROM (VALUES ${Array.from({ length: n }, () => '(?, ?)').join(', ')})`);
      this.seenInserts.set(n, s);
    }
    return s;
  }

  /** Records one key as seen; false when it was seen before. */
  admitOne(unit: number, key: string, day: number): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO seen (key, unit, day) VALUES (?, ?, ?)').run(key, unit, day).changes === 1;
  }

  // ---- rollups ------------------------------------------------------------------------------

  /** Folds a unit's newly read rollups into what it holds. */
  addRollups(unit: number, r: Rollups): void {
    const phase = this.db.prepare(`INSERT INTO phase_days VALUES (@unit, @day, @category, @complexity, @model, @phases, @success, @failed, @timeout, @stuck,
        @retries, @builder_attempts, @auditor_attempts, @truncations, @tokens_sum, @tokens_success_sum, @cap, @cap_ts, @blob)
      ON CONFLICT DO UPDATE SET phases = phases + excluded.phases, success = success + excluded.success, failed = failed + excluded.failed,
        timeout = timeout + excluded.timeout, stuck = stuck + excluded.stuck, retries = retries + excluded.retries,
        builder_attempts = builder_attempts + excluded.builder_attempts, auditor_attempts = auditor_attempts + excluded.auditor_attempts,
        truncations = truncations + excluded.truncations, tokens_sum = tokens_sum + excluded.tokens_sum,
        tokens_success_sum = tokens_success_sum + excluded.tokens_success_sum,
        cap = CASE WHEN excluded.cap_ts >= cap_ts THEN excluded.cap ELSE cap END, cap_ts = max(cap_ts, excluded.cap_ts),
        tokens = merge_sorted(tokens, excluded.tokens)`);
    for (const b of r.phases.values()) phase.run({ ...b, tokens: undefined, unit, blob: packTokens(b.tokens) });

    const call = this.db.prepare(`INSERT INTO call_days VALUES (@unit, @day, @model, @role, @calls, @input, @output, @cache_creation, @cache_creation_1h, @cache_read, @reported_cost_usd)
      ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, input = input + excluded.input, output = output + excluded.output,
        cache_creation = cache_creation + excluded.cache_creation, cache_creation_1h = cache_creation_1h + excluded.cache_creation_1h,
        cache_read = cache_read + excluded.cache_read, reported_cost_usd = reported_cost_usd + excluded.reported_cost_usd`);
    for (const b of r.calls.values()) call.run({ ...b, unit });

    // A run's part in this unit, and the run merged over every unit (what the stats read).
    const runUpsert = `ON CONFLICT DO UPDATE SET first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts),
        ${RUN_SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
    const part = this.db.prepare(`INSERT INTO unit_runs VALUES (?, ?, ?, ?, ${RUN_SUMS.map(() => '?').join(', ')}) ${runUpsert}`);
    const merged = this.db.prepare(`INSERT INTO runs VALUES (?, ?, ?, ${RUN_SUMS.map(() => '?').join(', ')}) ${runUpsert}`);
    // Positional parameters: a run is bound a few hundred thousand times on a large read, and named
    // ones cost about half as much again.
    for (const s of r.runs.values()) {
      const sums = [s.phases, s.failures, s.phase_tokens, s.builder_tokens, s.auditor_tokens, s.aux_tokens, s.ci_tokens];
      part.run(s.run_id, unit, s.first_ts, s.last_ts, ...sums);
      merged.run(s.run_id, s.first_ts, s.last_ts, ...sums);
    }

    // Tiers carry small maps: merged in code.
    const getTier = this.db.prepare('SELECT * FROM tier_days WHERE unit = ? AND day = ? AND tier_id = ?');
    const putTier = this.db.prepare('INSERT OR REPLACE INTO tier_days VALUES (@unit, @day, @tier_id, @phases, @failed, @ci_profiles, @ci_runs, @ci_failures_caught, @ci_false_positives, @ci_tokens)');
    for (const t of r.tiers.values()) {
      const old = getTier.get(unit, t.day, t.tier_id) as TierRow | undefined;
      const merged = old ? tierOf(old) : { ...t, phases: {}, failed: {}, ci_profiles: [], ci_runs: 0, ci_failures_caught: 0, ci_false_positives: 0, ci_tokens: 0 };
      addTier(merged, t);
      putTier.run({ ...merged, unit, phases: JSON.stringify(merged.phases), failed: JSON.stringify(merged.failed), ci_profiles: JSON.stringify(merged.ci_profiles) });
    }
  }

  /**
   * Drops every day before `oldestDay`; units that are gone and hold nothing more are forgotten.
   * Says whether anything was dropped.
   */
  prune(oldestDay: number): boolean {
    let dropped = 0;
    for (const table of ['phase_days', 'call_days', 'tier_days', 'seen']) dropped += this.db.prepare(`DELETE FROM ${table} WHERE day < ?`).run(oldestDay).changes;
    // A run goes when its last record, in any unit, is older than the cutoff.
    const cutoff = oldestDay * 86_400_000;
    this.db.prepare('DELETE FROM unit_runs WHERE run_id IN (SELECT run_id FROM runs WHERE last_ts < ?)').run(cutoff);
    dropped += this.db.prepare('DELETE FROM runs WHERE last_ts < ?').run(cutoff).changes;
    this.db.exec(`DELETE FROM units WHERE retired_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM phase_days p WHERE p.unit = units.id) AND NOT EXISTS (SELECT 1 FROM call_days c WHERE c.unit = units.id)
      AND NOT EXISTS (SELECT 1 FROM tier_days t WHERE t.unit = units.id) AND NOT EXISTS (SELECT 1 FROM unit_runs r WHERE r.unit = units.id)`);
    return dropped > 0;
  }

  // ---- reading ------------------------------------------------------------------------------

  /** Records held, and the newest record's time, over every unit (gone ones too). */
  totals(): { records: number; max_ts: number } {
    return this.db.prepare('SELECT coalesce(sum(records), 0) AS records, coalesce(max(max_ts), 0) AS max_ts FROM units').get() as { records: number; max_ts: number };
  }

  /** Everything the stats need for the days `since`…`until` (UTC day numbers). */
  view(since: number, until: number): RollupView {
    const phases = (this.db.prepare('SELECT * FROM phase_days WHERE day BETWEEN ? AND ?').all(since, until) as (PhaseBucket & { tokens: Buffer; unit: number })[]).map(
      ({ unit: _u, tokens, ...b }) => ({ ...b, tokens: new Float64Array(tokens.buffer, tokens.byteOffset, tokens.byteLength / 8) }),
    );
    const calls = (this.db.prepare('SELECT * FROM call_days WHERE day BETWEEN ? AND ?').all(since, until) as (CallBucket & { unit: number })[]).map(({ unit: _u, ...b }) => b);
    const tiers = new Map<string, TierDay>();
    for (const row of this.db.prepare('SELECT * FROM tier_days WHERE day BETWEEN ? AND ?').all(since, until) as TierRow[]) {
      const t = tierOf(row);
      const key = `${t.day}\u0000${t.tier_id}`;
      const a = tiers.get(key);
      if (a) addTier(a, t);
      else tiers.set(key, t);
    }
    // A run is in the window when it started there. Its numbers come back as columns packed by
    // SQLite (pack_columns in db.ts): one JS value per column, not one object per run.
    const window = [since * 86_400_000, (until + 1) * 86_400_000 - 1];
    const packed = this.db
      .prepare(`SELECT pack_columns(first_ts, last_ts, ${RUN_SUMS.join(', ')}) FROM (SELECT * FROM runs WHERE first_ts BETWEEN ? AND ? ORDER BY first_ts, run_id)`)
      .pluck()
      .get(...window) as Buffer | null;
    const all = packed ? new Float64Array(packed.buffer, packed.byteOffset, packed.byteLength / 8) : new Float64Array(0);
    const count = all.length / (2 + RUN_SUMS.length);
    const column = (k: number) => all.subarray(k * count, (k + 1) * count);
    const recent = (this.db.prepare(`SELECT * FROM runs WHERE first_ts BETWEEN ? AND ? ORDER BY first_ts DESC, run_id DESC LIMIT 5`).all(...window) as RunSummary[]).reverse();
    const runs: RunTable = { count, first_ts: column(0), last_ts: column(1), recent } as RunTable;
    RUN_SUMS.forEach((c, k) => (runs[c] = column(2 + k)));
    return { phases, calls, tiers, runs };
  }
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

export { dayOf, type RunEntry };
