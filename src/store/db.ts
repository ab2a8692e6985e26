import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The state database: one SQLite file per tuner config (`state.db` in the state directory), with
 * SQLite's rollback journal beside it only while a run writes. Its schema carries a version
 * (`user_version`); each migration below brings it one version up, inside the run that opens it.
 */

export type Db = Database.Database;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, prepared once per database: the hot paths run the same SQL per range read. */
export function cached(db: Db, sql: string): Database.Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

/** The state cannot be used as it is; exit code 2, with the fix in the message. */
export class StateError extends Error {
  override name = 'StateError';
}

export const STATE_FILE = 'state.db';

/**
 * Each entry takes the schema from version i to i + 1. Adding a field to the state is a new entry
 * here, never a new file format.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    identity TEXT NOT NULL,
    format TEXT NOT NULL,
    label TEXT NOT NULL,
    cursor TEXT NOT NULL,
    records INTEGER NOT NULL DEFAULT 0,
    max_ts INTEGER NOT NULL DEFAULT 0,
    retired_at INTEGER
  );
  CREATE UNIQUE INDEX units_live ON units(identity) WHERE retired_at IS NULL;
  CREATE TABLE seen (key TEXT PRIMARY KEY, unit INTEGER NOT NULL, day INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE phase_days (
    unit INTEGER NOT NULL, day INTEGER NOT NULL, category TEXT NOT NULL, complexity TEXT NOT NULL, model TEXT NOT NULL,
    phases INTEGER NOT NULL, success INTEGER NOT NULL, failed INTEGER NOT NULL, timeout INTEGER NOT NULL, stuck INTEGER NOT NULL,
    retries INTEGER NOT NULL, builder_attempts INTEGER NOT NULL, auditor_attempts INTEGER NOT NULL, truncations INTEGER NOT NULL,
    tokens_sum INTEGER NOT NULL, tokens_success_sum INTEGER NOT NULL, cap INTEGER NOT NULL, cap_ts INTEGER NOT NULL,
    tokens BLOB NOT NULL,
    PRIMARY KEY (unit, day, category, complexity, model)
  ) WITHOUT ROWID;
  CREATE TABLE call_days (
    unit INTEGER NOT NULL, day INTEGER NOT NULL, model TEXT NOT NULL, role TEXT NOT NULL,
    calls INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_creation INTEGER NOT NULL,
    cache_creation_1h INTEGER NOT NULL, cache_read INTEGER NOT NULL, reported_cost_usd REAL NOT NULL,
    PRIMARY KEY (unit, day, model, role)
  ) WITHOUT ROWID;
  CREATE TABLE tier_days (
    unit INTEGER NOT NULL, day INTEGER NOT NULL, tier_id TEXT NOT NULL,
    phases TEXT NOT NULL, failed TEXT NOT NULL, ci_profiles TEXT NOT NULL,
    ci_runs INTEGER NOT NULL, ci_failures_caught INTEGER NOT NULL, ci_false_positives INTEGER NOT NULL, ci_tokens INTEGER NOT NULL,
    PRIMARY KEY (unit, day, tier_id)
  ) WITHOUT ROWID;
  CREATE TABLE unit_runs (
    run_id TEXT NOT NULL, unit INTEGER NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
    phases INTEGER NOT NULL, failures INTEGER NOT NULL, phase_tokens INTEGER NOT NULL, builder_tokens INTEGER NOT NULL,
    auditor_tokens INTEGER NOT NULL, aux_tokens INTEGER NOT NULL, ci_tokens INTEGER NOT NULL,
    PRIMARY KEY (run_id, unit)
  ) WITHOUT ROWID;
  CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
    phases INTEGER NOT NULL, failures INTEGER NOT NULL, phase_tokens INTEGER NOT NULL, builder_tokens INTEGER NOT NULL,
    auditor_tokens INTEGER NOT NULL, aux_tokens INTEGER NOT NULL, ci_tokens INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX runs_start ON runs (first_ts);
  CREATE TABLE ledger (
    id INTEGER PRIMARY KEY, command TEXT NOT NULL, started TEXT NOT NULL, ended TEXT NOT NULL, result TEXT NOT NULL,
    records INTEGER NOT NULL, bytes INTEGER NOT NULL, llm_tokens INTEGER NOT NULL, llm_cost_usd REAL NOT NULL
  );
  `,
  // What tokentune proposed and what became of it, the values the targets held, and lines skipped by
  // runs that printed no report. None of it comes from the sources, so --rebuild-state keeps it.
  `
  CREATE TABLE IF NOT EXISTS proposed_changes (
    id INTEGER PRIMARY KEY, proposal TEXT NOT NULL, proposed_at TEXT NOT NULL, proposed_day INTEGER NOT NULL,
    key TEXT NOT NULL, change TEXT NOT NULL, status TEXT NOT NULL, applied_at TEXT, applied_day INTEGER
  );
  CREATE INDEX IF NOT EXISTS proposed_changes_key ON proposed_changes (key, status);
  CREATE TABLE IF NOT EXISTS target_values (key TEXT PRIMARY KEY, value TEXT NOT NULL, since_day INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS skipped_lines (id INTEGER PRIMARY KEY, at TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, reason TEXT NOT NULL);
  `,
  // Records that come in versions (a streamed response): the version counted, and the unit whose
  // rollups hold it, so that a better version seen later can take its place; its counts as columns,
  // which `tune report` sums in SQL (before the record itself, so that summing them never reads it).
  `
  CREATE TABLE kept_records (
    key TEXT PRIMARY KEY, unit INTEGER NOT NULL, day INTEGER NOT NULL,
    ts INTEGER NOT NULL, model TEXT NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_creation INTEGER NOT NULL,
    cache_creation_1h INTEGER NOT NULL, cache_read INTEGER NOT NULL, cost_usd REAL, session TEXT, project TEXT, agent TEXT,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX kept_records_unit ON kept_records (unit);
  `,
  // The kept records summed per unit, quarter hour and model, kept as they are counted: what a daily,
  // weekly or monthly report reads, however long the history.
  `
  CREATE TABLE kept_quarters (
    unit INTEGER NOT NULL, q INTEGER NOT NULL, model TEXT NOT NULL, long INTEGER NOT NULL, has_cost INTEGER NOT NULL,
    n INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_creation INTEGER NOT NULL, cache_creation_1h INTEGER NOT NULL,
    cache_read INTEGER NOT NULL, cost REAL NOT NULL, max_ts INTEGER NOT NULL,
    PRIMARY KEY (unit, q, model, long, has_cost)
  ) WITHOUT ROWID;
  `,
  // What joins a subagent's calls to its type: kept records of a subagent name it in `agent` as
  // `@<agent id>`, and these rows (from its parent's Task call, its result and its progress) say
  // which type that agent is, once the parent has written them.
  `
  CREATE TABLE agent_links (unit INTEGER NOT NULL, day INTEGER NOT NULL, agent_id TEXT, tool_use_id TEXT, agent_type TEXT);
  CREATE INDEX agent_links_unit ON agent_links (unit);
  `,
  // Kept records as columns only, in a table with row ids: a kept record is what the rollups and an
  // adapter's preference read (its counts, role, run and sidechain flag), and its key is a small index
  // entry rather than the key of a large row (inserting large rows in key order moves them about).
  `
  CREATE TABLE kept_records_6 (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, unit INTEGER NOT NULL, day INTEGER NOT NULL,
    ts INTEGER NOT NULL, model TEXT NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_creation INTEGER NOT NULL,
    cache_creation_1h INTEGER NOT NULL, cache_read INTEGER NOT NULL, cost_usd REAL, session TEXT, project TEXT, agent TEXT,
    role TEXT NOT NULL, run_id TEXT, sidechain INTEGER NOT NULL
  );
  INSERT INTO kept_records_6 (key, unit, day, ts, model, input, output, cache_creation, cache_creation_1h, cache_read, cost_usd, session, project, agent, role, run_id, sidechain)
    SELECT key, unit, day, ts, model, input, output, cache_creation, cache_creation_1h, cache_read, cost_usd, session, project, agent,
      coalesce(json_extract(record, '$.role'), 'main'), json_extract(record, '$.run_id'), coalesce(json_extract(record, '$.sidechain'), 0) FROM kept_records;
  DROP TABLE kept_records;
  ALTER TABLE kept_records_6 RENAME TO kept_records;
  CREATE INDEX kept_records_unit ON kept_records (unit);
  `,
  // Runs of scheduled agent tasks (Myco), one row each: a few thousand a day at most, and the rules
  // filter them by model and by the budget in force, so they are kept whole rather than summed.
  `
  CREATE TABLE task_runs (unit INTEGER NOT NULL, day INTEGER NOT NULL, ts INTEGER NOT NULL, task TEXT NOT NULL, record TEXT NOT NULL);
  CREATE INDEX task_runs_day ON task_runs (day);
  CREATE INDEX task_runs_unit ON task_runs (unit);
  `,
  // The day a change reached the base branch, where git tells (the last commit touching its file). A
  // table of its own: a rebuild keeps proposals and re-runs every migration, which a new column would not survive.
  `
  CREATE TABLE IF NOT EXISTS change_merges (id INTEGER PRIMARY KEY, merged_day INTEGER NOT NULL);
  `,
  // The status line sums one session and the responses of the last day: without these, each call
  // read every kept record of the history.
  `
  CREATE INDEX kept_records_session ON kept_records (session);
  CREATE INDEX kept_records_ts ON kept_records (ts);
  `,
  // Calls whose source reported their cost apart from those without, so that a report can show the
  // one (--mode auto, display) and price the other. Days read before stay as one bucket that a report
  // prices, as it did then; --rebuild-state splits them.
  `
  CREATE TABLE call_days_11 (
    unit INTEGER NOT NULL, day INTEGER NOT NULL, model TEXT NOT NULL, role TEXT NOT NULL, has_cost INTEGER NOT NULL,
    calls INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_creation INTEGER NOT NULL,
    cache_creation_1h INTEGER NOT NULL, cache_read INTEGER NOT NULL, reported_cost_usd REAL NOT NULL,
    PRIMARY KEY (unit, day, model, role, has_cost)
  ) WITHOUT ROWID;
  INSERT INTO call_days_11 SELECT unit, day, model, role, 0, calls, input, output, cache_creation, cache_creation_1h, cache_read, reported_cost_usd FROM call_days;
  DROP TABLE call_days;
  ALTER TABLE call_days_11 RENAME TO call_days;
  `,
  // Budget alerts raised, each once per month, scope and threshold; delivered once the webhook took it.
  `
  CREATE TABLE IF NOT EXISTS budget_alerts (
    period TEXT NOT NULL, scope TEXT NOT NULL, threshold REAL NOT NULL, spent REAL NOT NULL, budget REAL NOT NULL,
    at TEXT NOT NULL, text TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, scope, threshold)
  ) WITHOUT ROWID;
  `,
  // Units of work a source reports whole (agent invocations with their outcomes), kept whole as task
  // runs are: a few hundred a day, which the rules group by agent and model.
  `
  CREATE TABLE work_units (unit INTEGER NOT NULL, day INTEGER NOT NULL, ts INTEGER NOT NULL, agent TEXT NOT NULL, record TEXT NOT NULL);
  CREATE INDEX work_units_day ON work_units (day);
  CREATE INDEX work_units_unit ON work_units (unit);
  `,
  // How a subagent's run ended, from the result of the Task call that ran it: its unit of work.
  `
  ALTER TABLE agent_links ADD COLUMN outcome TEXT;
  ALTER TABLE agent_links ADD COLUMN duration_ms INTEGER;
  ALTER TABLE agent_links ADD COLUMN tool_uses INTEGER;
  ALTER TABLE agent_links ADD COLUMN ts INTEGER;
  `,
  // The agent that made the calls beside their role (the export's agent, a tracker's), so that a report
  // by agent names it; days read before are their role's, as they were shown.
  `
  CREATE TABLE call_days_15 (
    unit INTEGER NOT NULL, day INTEGER NOT NULL, model TEXT NOT NULL, role TEXT NOT NULL, agent TEXT NOT NULL, has_cost INTEGER NOT NULL,
    calls INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_creation INTEGER NOT NULL,
    cache_creation_1h INTEGER NOT NULL, cache_read INTEGER NOT NULL, reported_cost_usd REAL NOT NULL,
    PRIMARY KEY (unit, day, model, role, agent, has_cost)
  ) WITHOUT ROWID;
  INSERT INTO call_days_15 SELECT unit, day, model, role, role, has_cost, calls, input, output, cache_creation, cache_creation_1h, cache_read, reported_cost_usd FROM call_days;
  DROP TABLE call_days;
  ALTER TABLE call_days_15 RENAME TO call_days;
  `,
  // More of how a subagent's run went: a run the user interrupted (no outcome either way), the tool
  // calls that failed inside it, and a digest of what its Task call asked for, which tells the parent
  // dispatching the same work again.
  `
  ALTER TABLE agent_links ADD COLUMN interrupted INTEGER;
  ALTER TABLE agent_links ADD COLUMN tool_errors INTEGER;
  ALTER TABLE agent_links ADD COLUMN task TEXT;
  `,
  // Each kept record is one insert, and each index of its table almost doubles that insert's cost.
  // The index by unit served only the rare reset of a rewritten file, which now reads the table through.
  `
  DROP INDEX kept_records_unit;
  `,
  // The quarter sums keyed by quarter first: a report reads them in the order it groups them, and one
  // of the last day (the status line's) reads only that day's, where keyed by unit first SQLite sorted
  // every row of the history to group them. Only a reset of a rewritten file reads them by unit.
  `
  CREATE TABLE kept_quarters_17 (
    unit INTEGER NOT NULL, q INTEGER NOT NULL, model TEXT NOT NULL, long INTEGER NOT NULL, has_cost INTEGER NOT NULL,
    n INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL, cache_creation INTEGER NOT NULL, cache_creation_1h INTEGER NOT NULL,
    cache_read INTEGER NOT NULL, cost REAL NOT NULL, max_ts INTEGER NOT NULL,
    PRIMARY KEY (q, model, long, has_cost, unit)
  ) WITHOUT ROWID;
  INSERT INTO kept_quarters_17 SELECT * FROM kept_quarters;
  DROP TABLE kept_quarters;
  ALTER TABLE kept_quarters_17 RENAME TO kept_quarters;
  `,
];

/** Tables a rebuild keeps: they record decisions and what the targets held, not what a source said. */
const KEPT_ON_REBUILD = new Set(['proposed_changes', 'target_values', 'change_merges', 'budget_alerts']);

export const SCHEMA_VERSION = MIGRATIONS.length;

const fix = (file: string) => `Run again with --rebuild-state to re-read every source from the start, or restore ${file} from a backup.`;

/** SQLite's words for a write the disk refused. */
const WRITE_FAILED = new Set(['SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_DIR_FSYNC', 'SQLITE_IOERR_TRUNCATE']);

/** SQLite's words for a file that is not (or no longer) a sound database. */
const DAMAGED = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB', 'SQLITE_IOERR_SHORT_READ']);

/**
 * An error of the state's file or its folder (damaged, a directory, not writable, a full disk) as a
 * StateError naming the file and the fix; any other error as it is. `what` names the file's role.
 */
export function asStateError(e: unknown, file: string, o: { what?: string; remedy?: string } = {}): unknown {
  const what = o.what ?? 'the state database';
  const remedy = o.remedy ?? fix(file);
  if (e instanceof StateError) return e;
  const code = String((e as { code?: unknown }).code ?? '');
  const message = (e as Error).message;
  if (DAMAGED.has(code)) return new StateError(`${file}: ${what} is damaged (${message}). ${remedy}`);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new StateError(`${file}: the disk is full (${message}): nothing of this run was saved, and the state is as it was before it. Free some space and run again.`);
  }
  if (WRITE_FAILED.has(code)) {
    return new StateError(
      `${file}: could not be written (${message}: a full disk, a file size limit or a failing disk): nothing of this run was saved, and the state is as it was before it. Free some space and run again.`,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new StateError(
      `${file}: cannot be written (${message}): check the permissions of the file and its folder and that its file system is not mounted read-only, or set state.dir (or XDG_STATE_HOME) to a writable place.`,
    );
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'EISDIR' || code === 'ENOTDIR' || code.startsWith('SQLITE_IOERR')) {
    if (isDirectory(file)) return new StateError(`${file}: is a directory, not ${what}: move it away and run again.`);
    return new StateError(`${file}: ${what} cannot be opened or read (${message}): check that it and its folder can be read and written and that the disk is sound. ${remedy}`);
  }
  return e;
}

/**
 * SQLite's full integrity check (indexes against tables too), as a StateError when it fails. The
 * journal is gone once played back, so the finding is kept beside the file (`state.db-damaged`) for
 * every later run, dry or not, until --rebuild-state.
 */
function checkWhole(db: Db, file: string): void {
  const found = (db.pragma('integrity_check(5)') as { integrity_check: string }[]).map((r) => r.integrity_check);
  if (found.length !== 1 || found[0] !== 'ok') {
    const message = `${file}: a run stopped while writing it (killed, or the power went) and its journal could not undo the write: the state database fails its integrity check (${found.join('; ')}). ${fix(file)}`;
    writeFileSync(`${file}-damaged`, `${message}\n`);
    throw new StateError(message);
  }
}

/** A damage found before and not yet rebuilt from. */
function knownDamage(file: string): void {
  let message: string;
  try {
    message = readFileSync(`${file}-damaged`, 'utf8').trim();
  } catch {
    return;
  }
  throw new StateError(message || `${file}: found damaged by an earlier run. ${fix(file)}`);
}

const nonEmpty = (path: string): boolean => {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
};

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

function configure(db: Db): void {
  // Sorts and temporary tables in memory: nothing of a run is written outside the state directory.
  db.pragma('temp_store = MEMORY');
  // Token lists are merged inside the upsert: two sorted Float64 lists as one sorted list, so that
  // percentiles over a window never sort.
  db.function('merge_sorted', { deterministic: true }, (a: unknown, b: unknown) => mergeSorted(a as Buffer, b as Buffer));
  // Rows of numbers as one blob of Float64 columns, one after the other: reading 200,000 runs as
  // objects costs a second, as one value a fraction of it.
  db.aggregate('pack_columns', {
    varargs: true,
    start: (): number[][] => [],
    // better-sqlite3's types know aggregates of one argument; varargs passes every column.
    step: ((cols: number[][], ...row: number[]) => {
      row.forEach((v, k) => (cols[k] ??= []).push(v));
    }) as unknown as (cols: number[][], next: number[]) => void,
    result: (cols: number[][]) => {
      if (!cols.length) return null;
      const n = cols[0]!.length;
      const out = new Float64Array(cols.length * n);
      cols.forEach((c, k) => out.set(c, k * n));
      return Buffer.from(out.buffer);
    },
  });
}

/**
 * Opens (and creates or migrates) the state database of a state directory.
 */
export function openStateDb(dir: string, o: { rebuild?: boolean } = {}): Db {
  const file = join(dir, STATE_FILE);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw asStateError(e, file);
  }
  if (o.rebuild) rmSync(`${file}-damaged`, { force: true });
  else knownDamage(file);
  const open = () => {
    // A journal left beside the file: a run stopped mid-commit (killed, or the power went), unless
    // another run is committing right now (then the first read below finds it busy).
    const leftJournal = !o.rebuild && nonEmpty(`${file}-journal`);
    // No waiting for a lock: a run that finds another one running says so at once.
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma('cache_size = -32768');
      // A rollback journal, synced before the file is written (SQLite's defaults, stated): what
      // makes a commit all or nothing across a crash or a power loss on a disk that honours fsync.
      db.pragma('journal_mode = DELETE');
      db.pragma('synchronous = FULL');
      configure(db);
      // SQLite plays the journal back on this first read. A journal cut short (a disk that lied
      // about fsync, a copied image) leaves damage the daily quick_check may not see: check it all.
      if (leftJournal) checkWhole(db, file);
      // A rebuild starts from an empty schema (State.clear), whatever version is there now.
      if (o.rebuild) db.prepare('SELECT count(*) FROM sqlite_schema').get();
      else migrate(db, file);
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  };
  try {
    return open();
  } catch (e) {
    const damaged = asStateError(e, file) instanceof StateError;
    if (!o.rebuild || !damaged) throw asStateError(e, file);
    // Asked to rebuild a file that is not a sound database: nothing in it is kept anyway.
    for (const f of [file, `${file}-journal`]) rmSync(f, { force: true });
    return open();
  }
}

/**
 * A private in-memory copy of the state for a dry run, which may change it freely and writes nothing:
 * an empty one when there is no state yet (or `rebuild`).
 */
export function openStateCopy(dir: string, o: { rebuild?: boolean } = {}): Db {
  const file = join(dir, STATE_FILE);
  let db: Db;
  if (!o.rebuild && existsSync(file)) {
    knownDamage(file);
    let image: Buffer;
    let src: Db | undefined;
    try {
      if (nonEmpty(`${file}-journal`)) {
        // A journal a stopped run left must be played back before the file can be read, which a
        // read-only connection cannot do: SQLite's own repair, then the check of what it gave.
        const repair = new Database(file, { fileMustExist: true, timeout: 30_000 });
        try {
          checkWhole(repair, file);
        } finally {
          repair.close();
        }
      }
      // A run that is writing holds the file for a moment at its commit: wait for it.
      src = new Database(file, { readonly: true, fileMustExist: true, timeout: 30_000 });
      // A file shorter than its header says (truncated) makes serialize ask for memory it never fills.
      const pages = src.pragma('page_count', { simple: true }) as number;
      const pageSize = src.pragma('page_size', { simple: true }) as number;
      if (pages * pageSize > statSync(file).size) {
        throw new StateError(`${file}: the state database is damaged (it is shorter than its header says: truncated). ${fix(file)}`);
      }
      image = src.serialize();
    } catch (e) {
      throw asStateError(e, file);
    } finally {
      src?.close();
    }
    db = new Database(image);
  } else db = new Database(':memory:');
  try {
    configure(db);
    migrate(db, file);
    return db;
  } catch (e) {
    db.close();
    throw asStateError(e, file);
  }
}

function migrate(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StateError(`${file}: written by a newer tokentune (state schema ${version}; this one reads up to ${SCHEMA_VERSION}). Upgrade tokentune, or use --rebuild-state.`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

const f64 = (b: Buffer) => new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);

/** Two blobs of ascending Float64 values as one. */
function mergeSorted(a: Buffer, b: Buffer): Buffer {
  const x = f64(Buffer.from(a));
  const y = f64(Buffer.from(b));
  const out = new Float64Array(x.length + y.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < x.length && j < y.length) out[k++] = x[i]! <= y[j]! ? x[i++]! : y[j++]!;
  while (i < x.length) out[k++] = x[i++]!;
  while (j < y.length) out[k++] = y[j++]!;
  return Buffer.from(out.buffer);
}

/**
 * Drops every table and creates the current schema, inside the caller's transaction: what
 * `--rebuild-state` starts from, whatever state (or damage to its tables) it finds.
 */
export function resetSchema(db: Db): void {
  const objects = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
  for (const name of objects) if (!KEPT_ON_REBUILD.has(name)) db.exec(`DROP TABLE "${name}"`);
  for (const m of MIGRATIONS) db.exec(m);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
