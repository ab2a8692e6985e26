import type Database from 'better-sqlite3';
import * as z from 'zod';
import { formatZodIssues } from '../common/index.js';
import { asStateError, cached, resetSchema, StateError, type Db } from './db.js';
import { addRun, type RunEntry } from './run-ledger.js';
import * as tables from './rollup-tables.js';
import * as history from './history.js';
import type { Change } from '../targets/index.js';
import { RUN_SUMS, type RollupView } from './rollup-tables.js';
import { LifecycleSnapshot, LONG_CONTEXT } from '../pricing/index.js';
import { addRecord, dayOf, emptyRollups, type Rollups } from './rollups.js';
import { addQuarter, KEPT_COLUMNS, keptRecord, type KeptBatch, type KeptRow, type QuarterSum, type TokenSums } from './kept.js';
import type { AgentLink, TelemetryRecord, WorkRecord } from '../sources/index.js';

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
  sources: z.array(
    z.object({ path: z.string(), format: z.string(), shape: z.enum(['append-lines', 'whole-file', 'cursor']), extensions: z.array(z.string()), companions: z.array(z.string()).optional() }),
  ),
  targets: z.record(z.string(), z.string()),
  /** Every unit of every source by identity, with what its adapter says marks a change. */
  units: z.record(z.string(), z.string()),
  /** stat() of the tuner config and the target files when they were hashed: the no-op check compares these instead of hashing. */
  inputs: z.record(z.string(), InputStat).optional(),
});
export type Fingerprint = z.infer<typeof Fingerprint>;

/** How long a commit waits for a reader of the state. */
const COMMIT_WAIT_MS = 30_000;

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

/** Keys inserted by one statement: 2 × 500 parameters, well under SQLite's limit. */
const ADMIT_BATCH = 500;

/** A budget alert as the state keeps it: raised once per month, scope and threshold. */
export interface BudgetAlert {
  period: string;
  scope: string;
  threshold: number;
  spent: number;
  budget: number;
  at: string;
  text: string;
  /** 1 once the webhook accepted it. */
  delivered: number;
}

/** One item of usage as the state holds it (see State.usage). */
export interface StoredUsage {
  ts: number;
  model: string;
  input: number;
  output: number;
  cache_creation: number;
  cache_creation_1h: number;
  cache_read: number;
  responses: number;
  single: boolean;
  /** For responses summed together: whether all of them are over the long-context threshold (or none). */
  long?: boolean | undefined;
  cost_usd?: number | undefined;
  session?: string | undefined;
  project?: string | undefined;
  agent?: string | undefined;
  /** Phases of a category (the tokentune export), which report their tokens as one total. */
  category?: string | undefined;
  phases?: number | undefined;
  /** The total, where the kinds of token are not known (the four counts are then 0). */
  tokens?: number | undefined;
  /** The cost, where it was priced already. */
  cost?: number | undefined;
}

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

  /**
   * Commits the run. A reader (a backup, a dry run copying the file) may hold the database for a
   * moment, and a rollback journal's commit must wait for it: it is waited for, not failed on, so
   * that a run's work is not lost to it.
   */
  commit(): void {
    this.db.pragma(`busy_timeout = ${COMMIT_WAIT_MS}`);
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_BUSY')
        throw new StateError(`${this.file}: another process kept reading it for ${COMMIT_WAIT_MS / 1000} s, so this run could not save its work; nothing was written. Run again once it is done.`);
      throw asStateError(e, this.file);
    } finally {
      this.db.pragma('busy_timeout = 0');
    }
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
    if (result !== 'ok')
      throw new StateError(
        `${this.file}: the state database fails its integrity check (${String(result)}). Run again with --rebuild-state to re-read every source from the start, or restore ${this.file} from a backup.`,
      );
    this.setMeta('checked_day', z.number().int(), day);
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
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new StateError(`${this.file}: meta "${key}" is not JSON: the state database is damaged. Run again with --rebuild-state.`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new StateError(`${this.file}: meta "${key}": ${formatZodIssues(parsed.error).join('; ')}. Run again with --rebuild-state.`);
    return parsed.data;
  }

  /**
   * Writes a meta value only if it reads back through the schema it is read with: a value the next run
   * could not read (an Infinity stored as null) would damage the state for every run after this one.
   */
  private setMeta<T>(key: string, schema: z.ZodType<T>, value: T): void {
    const text = JSON.stringify(value);
    const back = schema.safeParse(text === undefined ? undefined : JSON.parse(text));
    if (!back.success) throw new Error(`refusing to store meta "${key}", which would not read back (${formatZodIssues(back.error).join('; ')}): a tokentune bug; the state is left as it was`);
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, text);
  }

  get fingerprint(): Fingerprint | undefined {
    return this.meta('fingerprint', Fingerprint);
  }

  set fingerprint(fp: Fingerprint) {
    this.setMeta('fingerprint', Fingerprint, fp);
  }

  get lastProposal(): LastProposal | null {
    return this.meta('last_proposal', LastProposal) ?? null;
  }

  set lastProposal(p: LastProposal) {
    this.setMeta('last_proposal', LastProposal, p);
  }

  get noopStreak(): number {
    return this.meta('noop_streak', z.number().int().nonnegative()) ?? 0;
  }

  set noopStreak(n: number) {
    this.setMeta('noop_streak', z.number().int().nonnegative(), n);
  }

  /** The model table `tune models update` fetched last, if any. */
  get lifecycle(): LifecycleSnapshot | undefined {
    return this.meta('lifecycle', LifecycleSnapshot);
  }

  set lifecycle(s: LifecycleSnapshot) {
    this.setMeta('lifecycle', LifecycleSnapshot, s);
  }

  /** The next check takes the full path: what it compares against has changed outside the files it stats. */
  forgetFingerprint(): void {
    this.db.prepare(`DELETE FROM meta WHERE key = 'fingerprint'`).run();
  }

  /** The day retention last pruned up to: pruning runs once a day, not on every run. */
  get prunedBefore(): number {
    return this.meta('pruned_before', z.number().int()) ?? 0;
  }

  set prunedBefore(day: number) {
    this.setMeta('pruned_before', z.number().int(), day);
  }

  // ---- budget alerts -------------------------------------------------------------------------

  /** The alerts raised in a month (`YYYY-MM`), oldest first. */
  budgetAlerts(period: string): BudgetAlert[] {
    return this.db.prepare('SELECT period, scope, threshold, spent, budget, at, text, delivered FROM budget_alerts WHERE period = ? ORDER BY at, scope, threshold').all(period) as BudgetAlert[];
  }

  addBudgetAlert(a: Omit<BudgetAlert, 'delivered'>): void {
    this.db.prepare('INSERT OR IGNORE INTO budget_alerts (period, scope, threshold, spent, budget, at, text, delivered) VALUES (@period, @scope, @threshold, @spent, @budget, @at, @text, 0)').run(a);
  }

  markAlertDelivered(a: Pick<BudgetAlert, 'period' | 'scope' | 'threshold'>): void {
    this.db.prepare('UPDATE budget_alerts SET delivered = 1 WHERE period = ? AND scope = ? AND threshold = ?').run(a.period, a.scope, a.threshold);
  }

  /** When every unit of every source was last looked at (ms since the epoch; 0: never). */
  get fullReadAt(): number {
    return this.meta('full_read_at', z.number()) ?? 0;
  }

  set fullReadAt(ms: number) {
    this.setMeta('full_read_at', z.number(), ms);
  }

  addRun(e: RunEntry): void {
    addRun(this.db, e);
  }

  // ---- proposals and their outcomes (history.ts) --------------------------------------------

  recordProposal(proposal: string, at: Date, changes: readonly Change[]): void {
    history.recordProposal(this.db, proposal, at, changes);
  }

  tracked(status: history.TrackedStatus): history.TrackedChange[] {
    return history.trackedChanges(this.db, status);
  }

  markApplied(id: number, at: Date, mergedAt?: Date): void {
    history.markApplied(this.db, id, at, mergedAt);
  }

  markDropped(id: number): void {
    history.markDropped(this.db, id);
  }

  noteTargetValues(values: ReadonlyMap<string, string>, day: number): Map<string, number> {
    return history.noteTargetValues(this.db, values, day);
  }

  addSkippedLines(at: Date, lines: readonly history.SkippedLine[]): void {
    history.addSkippedLines(this.db, at, lines);
  }

  takeSkippedLines(): (history.SkippedLine & { at: string })[] {
    return history.takeSkippedLines(this.db);
  }

  // ---- units --------------------------------------------------------------------------------

  /** The units not retired; with `identities`, only those of them. */
  liveUnits(identities?: readonly string[]): Unit[] {
    const only = identities ? ' AND identity IN (SELECT value FROM json_each(?))' : '';
    const rows = this.db
      .prepare(`SELECT id, identity, format, label, cursor, records, max_ts FROM units WHERE retired_at IS NULL${only} ORDER BY id`)
      .all(...(identities ? [JSON.stringify(identities)] : [])) as (Omit<Unit, 'cursor'> & { cursor: string })[];
    return rows.map((r) => {
      try {
        return { ...r, cursor: JSON.parse(r.cursor) as unknown };
      } catch {
        throw new StateError(`${this.file}: the read position of ${r.label} is not JSON: the state database is damaged. Run again with --rebuild-state.`);
      }
    });
  }

  addUnit(identity: string, format: string, label: string, cursor: unknown): number {
    return Number(cached(this.db, 'INSERT INTO units (identity, format, label, cursor) VALUES (?, ?, ?, ?)').run(identity, format, label, JSON.stringify(cursor)).lastInsertRowid);
  }

  setUnit(id: number, label: string, cursor: unknown, read: { records: number; max_ts: number }): void {
    cached(this.db, 'UPDATE units SET label = ?, cursor = ?, records = records + ?, max_ts = max(max_ts, ?) WHERE id = ?').run(label, JSON.stringify(cursor), read.records, read.max_ts, id);
  }

  /** Forgets everything a unit contributed (its rollups and its dedupe keys), to be read again. */
  /**
   * Sessions whose responses a transcript source keeps (kept records) and a source of `format` also
   * reports as runs of its own: the same requests, read twice.
   */
  sessionsAlsoIn(format: string): { sessions: number; first_ts: number | null; last_ts: number | null } {
    return this.db
      .prepare(
        `SELECT count(*) AS sessions, min(first_ts) AS first_ts, max(last_ts) AS last_ts FROM (
           SELECT r.run_id, min(r.first_ts) AS first_ts, max(r.last_ts) AS last_ts FROM unit_runs r JOIN units u ON u.id = r.unit
           WHERE u.format = ? AND u.retired_at IS NULL GROUP BY r.run_id) o
         WHERE EXISTS (SELECT 1 FROM kept_records k WHERE k.session = o.run_id)`,
      )
      .get(format) as { sessions: number; first_ts: number | null; last_ts: number | null };
  }

  resetUnit(id: number): void {
    // The runs it took part in are merged again from the other units' parts.
    const ids = JSON.stringify(this.db.prepare('SELECT run_id FROM unit_runs WHERE unit = ?').pluck().all(id));
    for (const table of ['seen', 'kept_records', 'kept_quarters', 'agent_links', 'phase_days', 'call_days', 'tier_days', 'unit_runs', 'task_runs', 'work_units'])
      this.db.prepare(`DELETE FROM ${table} WHERE unit = ?`).run(id);
    this.db.prepare('DELETE FROM runs WHERE run_id IN (SELECT value FROM json_each(?))').run(ids);
    this.db
      .prepare(
        `INSERT INTO runs SELECT run_id, min(first_ts), max(last_ts), ${RUN_SUMS.map((c) => `sum(${c})`).join(', ')}
      FROM unit_runs WHERE run_id IN (SELECT value FROM json_each(?)) GROUP BY run_id`,
      )
      .run(ids);
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
    return cached(this.db, 'INSERT OR IGNORE INTO seen (key, unit, day) VALUES (?, ?, ?)').run(key, unit, day).changes === 1;
  }

  // ---- records in versions -----------------------------------------------------------------

  /**
   * Counts the best version of each record. The batch comes folded as if all its records were new
   * (kept.ts); most are, and each of those costs one insert. A record seen before is decided by
   * `prefer`: a better version takes the old one out of the sums of the unit that held it, and one no
   * better is a duplicate, taken out of the batch's own sums.
   */
  keepBest(unit: number, batch: KeptBatch, prefer: (a: TelemetryRecord, b: TelemetryRecord) => boolean): { added: number; replaced: number; duplicates: number } {
    const get = cached(this.db, `SELECT ${KEPT_COLUMNS.join(', ')} FROM kept_records WHERE key = ?`).raw(true);
    const values = `(${KEPT_COLUMNS.join(', ')}) VALUES (${KEPT_COLUMNS.map(() => '?').join(', ')})`;
    const insert = cached(this.db, `INSERT INTO kept_records ${values} ON CONFLICT (key) DO NOTHING`);
    const replace = cached(this.db, `INSERT OR REPLACE INTO kept_records ${values}`);
    const minus = new Map<number, { rollup: Rollups; quarters: Map<string, QuarterSum> }>();
    const takeOut = (u: number, row: KeptRow) => {
      let m = u === unit ? { rollup: batch.rollup, quarters: batch.quarters } : minus.get(u);
      if (!m) minus.set(u, (m = { rollup: emptyRollups(), quarters: new Map() }));
      addRecord(m.rollup, keptRecord(row), -1);
      addQuarter(m.quarters, row, -1);
    };
    const out = { added: 0, replaced: 0, duplicates: 0 };
    for (const row of batch.rows) {
      row[0] = unit;
      if (insert.run(row).changes === 1) {
        out.added++;
        continue;
      }
      const old = get.get(row[1]) as KeptRow;
      if (!prefer(keptRecord(row), keptRecord(old))) {
        out.duplicates++;
        takeOut(unit, row);
        continue;
      }
      takeOut(old[0], old);
      out.replaced++;
      replace.run(row);
    }
    for (const [u, m] of minus) {
      tables.addRollups(this.db, u, m.rollup);
      this.addQuarters(u, m.quarters);
    }
    tables.addRollups(this.db, unit, batch.rollup);
    this.addQuarters(unit, batch.quarters);
    return out;
  }

  private addQuarters(unit: number, quarters: Map<string, QuarterSum>): void {
    const add = cached(
      this.db,
      `INSERT INTO kept_quarters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n, input = input + excluded.input,
        output = output + excluded.output, cache_creation = cache_creation + excluded.cache_creation, cache_creation_1h = cache_creation_1h + excluded.cache_creation_1h,
        cache_read = cache_read + excluded.cache_read, cost = cost + excluded.cost, max_ts = max(max_ts, excluded.max_ts)`,
    );
    for (const b of quarters.values()) add.run(unit, b.q, b.model, b.long, b.has_cost, b.n, b.input, b.output, b.cache_creation, b.cache_creation_1h, b.cache_read, b.cost, b.max_ts);
  }

  addAgentLinks(unit: number, links: readonly AgentLink[]): void {
    const put = cached(
      this.db,
      'INSERT INTO agent_links (unit, day, agent_id, tool_use_id, agent_type, outcome, duration_ms, tool_uses, ts, interrupted, tool_errors, task) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const l of links)
      put.run(
        unit,
        dayOf(l.ts),
        l.agent_id ?? null,
        l.tool_use_id ?? null,
        l.agent_type ?? null,
        l.outcome ?? null,
        l.duration_ms ?? null,
        l.tool_uses ?? null,
        l.ts,
        l.interrupted ? 1 : null,
        l.tool_errors ?? null,
        l.task ?? null,
      );
  }

  /**
   * Claude Code subagent runs as units of work, for the days `since`…`until`: each Task result that
   * says how the run ended, with the subagent's type (agentTypes), its responses as turns, the model
   * that made most of its tokens, and its tokens by kind from the kept records of its agent id.
   */
  invocations(since: number, until: number): WorkRecord[] {
    // A run's result (how it ended, or that it was interrupted), the digest of what its call asked for,
    // and the failed tool calls its own lines reported.
    const links = this.db
      .prepare(
        `SELECT agent_id, max(ts) AS ts, min(outcome) AS outcome, max(duration_ms) AS duration_ms, max(interrupted) AS interrupted, max(tool_use_id) AS tool_use_id
         FROM agent_links WHERE (outcome IS NOT NULL OR interrupted = 1) AND agent_id IS NOT NULL AND day BETWEEN ? AND ? GROUP BY agent_id`,
      )
      .all(since, until) as { agent_id: string; ts: number | null; outcome: 'success' | 'failed' | null; duration_ms: number | null; interrupted: number | null; tool_use_id: string | null }[];
    if (!links.length) return [];
    const tasks = new Map(
      (this.db.prepare('SELECT tool_use_id, task FROM agent_links WHERE task IS NOT NULL AND agent_id IS NULL').all() as { tool_use_id: string; task: string }[]).map((r) => [r.tool_use_id, r.task]),
    );
    const errors = new Map(
      (this.db.prepare('SELECT agent_id, sum(tool_errors) AS n FROM agent_links WHERE tool_errors IS NOT NULL GROUP BY agent_id').all() as { agent_id: string; n: number }[]).map((r) => [
        r.agent_id,
        r.n,
      ]),
    );
    // The subagents' responses around the window (a run may start the day before its result), in one pass.
    const calls = new Map<
      string,
      { model: string; turns: number; input: number; output: number; cache_creation: number; cache_read: number; tokens: number; session: string | null; project: string | null }[]
    >();
    const rows = this.db
      .prepare(
        `SELECT k.agent, k.model, count(*) AS turns, sum(k.input) AS input, sum(k.cache_creation) AS cache_creation, sum(k.cache_read) AS cache_read, sum(k.output) AS output, sum(k.input + k.output + k.cache_creation + k.cache_read) AS tokens,
           max(k.session) AS session, max(k.project) AS project
         FROM kept_records k INDEXED BY kept_records_ts WHERE k.ts BETWEEN ? AND ? AND k.agent LIKE '@%' GROUP BY k.agent, k.model`,
      )
      .all((since - 1) * 86_400_000, (until + 2) * 86_400_000) as {
      agent: string;
      model: string;
      turns: number;
      input: number;
      output: number;
      cache_creation: number;
      cache_read: number;
      tokens: number;
      session: string | null;
      project: string | null;
    }[];
    for (const r of rows) calls.set(r.agent.slice(1), [...(calls.get(r.agent.slice(1)) ?? []), r]);
    const types = this.agentTypes();
    const work = links.map((l): WorkRecord & { task: string | null } => {
      const mine = calls.get(l.agent_id) ?? [];
      const main = [...mine].sort((a, b) => b.tokens - a.tokens)[0];
      const session = mine.find((c) => c.session)?.session ?? undefined;
      const project = mine.find((c) => c.project)?.project ?? undefined;
      return {
        kind: 'work',
        unit: 'invocation',
        ts: l.ts ?? since * 86_400_000,
        agent: types.get(l.agent_id) ?? 'subagent',
        task: (l.tool_use_id && tasks.get(l.tool_use_id)) ?? null,
        ...(l.outcome ? { outcome: l.outcome } : {}),
        ...(l.interrupted ? { interrupted: true } : {}),
        tool_errors: errors.get(l.agent_id) ?? 0,
        ...(main ? { model: main.model } : {}),
        ...(mine.length
          ? {
              turns: mine.reduce((a, c) => a + c.turns, 0),
              input_tokens: mine.reduce((a, c) => a + c.input, 0),
              output_tokens: mine.reduce((a, c) => a + c.output, 0),
              cache_creation_tokens: mine.reduce((a, c) => a + c.cache_creation, 0),
              cache_read_tokens: mine.reduce((a, c) => a + c.cache_read, 0),
            }
          : {}),
        ...(l.duration_ms !== null ? { duration_ms: l.duration_ms } : {}),
        ...(session ? { session, run_id: session } : {}),
        ...(project ? { project } : {}),
      };
    });
    return markRedispatched(work);
  }

  /**
   * Each subagent's type, by agent id: named by the result of the Task call that ran it, or by the
   * call itself, joined through its tool-use id (older transcripts name the type only there).
   */
  agentTypes(): Map<string, string> {
    const rows = this.db.prepare('SELECT agent_id, tool_use_id, agent_type FROM agent_links').all() as { agent_id: string | null; tool_use_id: string | null; agent_type: string | null }[];
    const byCall = new Map<string, string>();
    for (const r of rows) if (r.tool_use_id && r.agent_type && !r.agent_id) byCall.set(r.tool_use_id, r.agent_type);
    const out = new Map<string, string>();
    for (const r of rows) {
      if (!r.agent_id) continue;
      const type = r.agent_type ?? (r.tool_use_id ? byCall.get(r.tool_use_id) : undefined);
      if (type && (r.agent_type || !out.has(r.agent_id))) out.set(r.agent_id, type);
    }
    return out;
  }

  /**
   * Usage for `tune report`, grouped `by` what the report groups on: the kept call records of the units
   * of `perRecord` formats (Claude Code's responses), summed in SQL to items that each fall on one
   * local day; and the call rollups of every other unit, one item per UTC day, model and role (stamped
   * at noon, so that most time zones see the same day).
   */
  *usage(perRecord: readonly string[], by: 'time' | 'session' | 'project' | 'model' | 'agent' | 'record', only: { sinceTs?: number; session?: string; byDay?: boolean } = {}): Generator<StoredUsage> {
    const sinceTs = only.sinceTs ?? 0;
    const formats = JSON.stringify(perRecord);
    type Sums = Omit<QuarterSum, 'q' | 'max_ts'> & { ts: number; session?: string | null; project?: string | null; agent?: string | null };
    const inFormats = 'WHERE k.unit IN (SELECT id FROM units WHERE format IN (SELECT value FROM json_each(?)))';
    const sums = `count(*) AS n, sum(k.input) AS input, sum(k.output) AS output, sum(k.cache_creation) AS cache_creation, sum(k.cache_creation_1h) AS cache_creation_1h,
      sum(k.cache_read) AS cache_read, sum(coalesce(k.cost_usd, 0)) AS cost`;
    if (by === 'record') {
      // Each kept response on its own, in time order: what billing blocks are cut from.
      const rows = this.db
        .prepare(
          `SELECT k.ts, k.model, k.input, k.output, k.cache_creation, k.cache_creation_1h, k.cache_read, k.cost_usd FROM kept_records k INDEXED BY kept_records_ts ${inFormats} AND k.ts >= ? ORDER BY k.ts`,
        )
        .iterate(formats, sinceTs);
      for (const r of rows as Iterable<{ ts: number; model: string; input: number; output: number; cache_creation: number; cache_creation_1h: number; cache_read: number; cost_usd: number | null }>) {
        yield {
          ts: r.ts,
          model: r.model,
          input: r.input,
          output: r.output,
          cache_creation: r.cache_creation,
          cache_creation_1h: r.cache_creation_1h,
          cache_read: r.cache_read,
          responses: 1,
          single: true,
          cost_usd: r.cost_usd ?? undefined,
        };
      }
      return;
    }
    // In time, from the quarter-hour sums kept as records are counted (every time zone's offset is a
    // whole number of quarters, so a quarter falls on one local day anywhere); by session, project,
    // model or agent, summed from the records in SQL. Apart for requests over the long-context
    // threshold and for those that carry their own cost, which are priced apart.
    const sql =
      by === 'time'
        ? `SELECT max(k.max_ts) AS ts, k.model, k.long, k.has_cost, sum(k.n) AS n, sum(k.input) AS input, sum(k.output) AS output, sum(k.cache_creation) AS cache_creation,
            sum(k.cache_creation_1h) AS cache_creation_1h, sum(k.cache_read) AS cache_read, sum(k.cost) AS cost
          FROM kept_quarters k ${inFormats} AND k.q >= ${Math.floor(sinceTs / 900_000)} GROUP BY k.q, k.model, k.long, k.has_cost HAVING sum(k.n) > 0`
        : `SELECT max(k.ts) AS ts, k.model, k.session, k.project, k.agent, k.input + k.cache_creation + k.cache_read > ${LONG_CONTEXT} AS long, k.cost_usd IS NOT NULL AS has_cost, ${sums}
          FROM kept_records k ${inFormats}${only.session === undefined ? '' : ' AND k.session = ?'}${sinceTs > 0 ? ` AND k.ts >= ${Math.floor(sinceTs)}` : ''}
          GROUP BY ${{ session: 'k.session, k.project', project: 'k.project', model: "''", agent: 'k.agent' }[by]}, k.model, long, has_cost${only.byDay ? ', k.day' : ''}`;
    const types = by === 'agent' ? this.agentTypes() : undefined;
    for (const b of this.db.prepare(sql).iterate(...(only.session === undefined || by === 'time' ? [formats] : [formats, only.session])) as Iterable<Sums>) {
      // A subagent whose parent has not (yet) said what type it is stays a "subagent".
      if (types && b.agent?.startsWith('@')) b.agent = types.get(b.agent.slice(1)) ?? 'subagent';
      yield {
        ts: b.ts,
        model: b.model,
        input: b.input,
        output: b.output,
        cache_creation: b.cache_creation,
        cache_creation_1h: b.cache_creation_1h,
        cache_read: b.cache_read,
        responses: b.n,
        single: false,
        long: b.long === 1,
        cost_usd: b.has_cost ? b.cost : undefined,
        session: b.session ?? undefined,
        project: b.project ?? undefined,
        agent: b.agent ?? undefined,
      };
    }
    // The daily rollups know no session: a session's usage is its kept records alone.
    if (only.session !== undefined) return;
    const buckets = this.db.prepare(`SELECT c.day, c.model, c.agent, c.has_cost, sum(c.calls) AS calls, sum(c.input) AS input, sum(c.output) AS output, sum(c.cache_creation) AS cache_creation,
      sum(c.cache_creation_1h) AS cache_creation_1h, sum(c.cache_read) AS cache_read, sum(c.reported_cost_usd) AS cost FROM call_days c
      WHERE c.unit IN (SELECT id FROM units WHERE format NOT IN (SELECT value FROM json_each(?))) AND c.day >= ${Math.floor(sinceTs / 86_400_000)} GROUP BY c.day, c.model, c.agent, c.has_cost HAVING sum(c.calls) > 0`);
    for (const b of buckets.iterate(formats) as Iterable<TokenSums & { day: number; model: string; agent: string; has_cost: number; calls: number }>) {
      yield {
        ts: b.day * 86_400_000 + 43_200_000,
        model: b.model,
        input: b.input,
        output: b.output,
        cache_creation: b.cache_creation,
        cache_creation_1h: b.cache_creation_1h,
        cache_read: b.cache_read,
        responses: b.calls,
        single: false,
        agent: b.agent,
        cost_usd: b.has_cost ? b.cost : undefined,
      };
    }
  }

  // ---- rollups (rollup-tables.ts) ----------------------------------------------------------

  addRollups(unit: number, r: Rollups): void {
    tables.addRollups(this.db, unit, r);
  }

  /** Whether the rollups hold any day before `day`: whether retention left out anything at all. */
  hasDaysBefore(day: number): boolean {
    return this.db.prepare('SELECT 1 FROM call_days WHERE day < ? UNION ALL SELECT 1 FROM phase_days WHERE day < ? LIMIT 1').get(day, day) !== undefined;
  }

  /** Drops the per-record data (dedupe keys, kept versions, subagent links) of every day before `oldestDay`; rollups stay. */
  prune(oldestDay: number): boolean {
    return tables.prune(this.db, oldestDay);
  }

  /** Records held, and the newest record's time, over every unit (gone ones too). */
  totals(): { records: number; max_ts: number } {
    return tables.totals(this.db);
  }

  /** Everything the stats need for the days `since`…`until` (UTC day numbers). */
  view(since: number, until: number): RollupView {
    const v = tables.view(this.db, since, until);
    // The units of work sources report whole, and those the Claude Code transcripts give.
    v.work = [...v.work, ...this.invocations(since, until)].sort((a, b) => a.ts - b.ts);
    return v;
  }
}

export { dayOf, type RunEntry };

/**
 * Runs whose work their parent asked for again: a later call of the same subagent type, in the same
 * session, with the same description. The digests are dropped on the way out.
 */
function markRedispatched(work: (WorkRecord & { task: string | null })[]): WorkRecord[] {
  const last = new Map<string, number>();
  for (const w of work) if (w.task && w.session) last.set(`${w.session}\u0000${w.agent}\u0000${w.task}`, Math.max(last.get(`${w.session}\u0000${w.agent}\u0000${w.task}`) ?? 0, w.ts));
  return work.map(({ task, ...w }) => {
    const latest = task && w.session ? last.get(`${w.session}\u0000${w.agent}\u0000${task}`) : undefined;
    return latest !== undefined && latest > w.ts ? { ...w, redispatched: true } : w;
  });
}
