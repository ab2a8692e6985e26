import type { AgentLink, SkippedLine, TelemetryRecord } from './records.js';

/**
 * The source contract: one adapter per telemetry format, registered in registry.ts. An adapter says
 * which files are its units, how a unit is read, and what makes two records the same record; ingest
 * does the rest (file identity and watermarks, re-reads, dedupe, rollups, the cursor in the store).
 *
 * Two shapes of file are known to ingest:
 * - `append-lines`: files that only grow, one record (or none) per line, such as JSONL exports and
 *   transcripts. A unit is a file by device and inode, so a rotated file keeps its place; it is read
 *   from its watermark, and re-read whole when the bytes before the watermark changed.
 * - `whole-file`: documents rewritten in place, such as a tracker's JSON cost file. A unit is a path;
 *   when its content changes, it is read again whole and replaces what it contributed before.
 * - `cursor`: database files read by a monotonic cursor (a row id, a timestamp). A unit is a path; its
 *   rows after the cursor are read, and when the cursor no longer holds (the table was emptied or
 *   rebuilt) the unit is read again from the start, replacing what it contributed.
 */

export type LineResult = { records: TelemetryRecord[]; links?: AgentLink[] } | { error: string };

interface AdapterBase {
  /** The `format:` name in the tuner config. */
  format: string;
  /** One line for `--help` and the docs. */
  description: string;
  /**
   * Which files below a source directory belong to this format, by the end of their names (a file
   * given by path is always read). Data, not code: the no-op check lists units without loading any
   * adapter.
   */
  extensions: readonly string[];
  /**
   * Files beside a unit whose changes are the unit's changes too (a SQLite database's `-wal`), by
   * suffix: the no-op check stats them with the unit.
   */
  companions?: readonly string[];
  /**
   * A record's identity: two records with the same key are one record seen twice (a copied file, a
   * line written again), and count once.
   */
  dedupeKey(record: TelemetryRecord): string;
  /**
   * When one record may be seen in several versions (a streamed response written line by line, a copy
   * in a resumed session), whether `candidate` should replace the version `kept` so far. Without it,
   * the first version seen counts. Only call records may be replaced, and `kept` is the version as the
   * store holds it: its time, model, counts, cost, role, run, session, project, agent and sidechain
   * flag (no other field).
   */
  prefer?(candidate: TelemetryRecord, kept: TelemetryRecord): boolean;
  /**
   * Where the tool that writes this format keeps its files, for a source that names no path (Claude
   * Code's `projects/`, Codex's `sessions/`): `find` gives the directories that exist, and every place
   * looked in.
   */
  home?: {
    /** What its files are called, and the variable that moves them: for the message when none is found. */
    what: string;
    variable: string;
    find(env: NodeJS.ProcessEnv): { roots: string[]; tried: string[] };
  };
}

export interface AppendLinesAdapter extends AdapterBase {
  shape: 'append-lines';
  /** One line of text, without its newline, of `file`. No records and no error: a line that carries no usage. */
  parseLine(text: string, file: string): LineResult;
}

export interface WholeFileAdapter extends AdapterBase {
  shape: 'whole-file';
  /** The whole document; `skipped` names bad entries by line (1 when the position is unknown). */
  parseFile(text: string, file: string): { records: TelemetryRecord[]; skipped: SkippedLine[] };
}

/** One row read by a cursor: where reading stands after it, where it is (for messages), and what it holds. */
export interface CursorRow {
  cursor: unknown;
  /** Shown as the "line" of a skipped row: a row id, say. */
  position: number;
  parsed: LineResult;
}

/** How a cursor unit is reached beyond its path or URL: the variable holding its password, if any. */
/** How to reach a database server: where its password is, and how long to wait for it. */
export interface CursorOptions {
  passwordEnv?: string | undefined;
  /** Seconds to wait for a connection, for a statement, and for a lock a statement needs. */
  connectSeconds?: number | undefined;
  statementSeconds?: number | undefined;
  lockSeconds?: number | undefined;
  /** A gateway's tag prefix that names a request's category (litellm). */
  categoryTag?: string | undefined;
}

export interface CursorAdapter extends AdapterBase {
  shape: 'cursor';
  /** The tables (lower case) a database of this format has: how a source set to another format is told apart. */
  tables: readonly string[];
  /** Whether reading can go on from `cursor` (null: nothing read yet); false reads the unit again. */
  resumable(path: string, cursor: unknown, o: CursorOptions): boolean | Promise<boolean>;
  /** The rows after `cursor`, in cursor order. Only read, never written. */
  rows(path: string, cursor: unknown, o: CursorOptions): Iterable<CursorRow> | AsyncIterable<CursorRow>;
}

export type SourceAdapter = AppendLinesAdapter | WholeFileAdapter | CursorAdapter;
