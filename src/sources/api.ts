import type { SkippedLine, TelemetryRecord } from './records.js';

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
 */

export type LineResult = { records: TelemetryRecord[] } | { error: string };

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
   * A record's identity: two records with the same key are one record seen twice (a copied file, a
   * line written again), and count once.
   */
  dedupeKey(record: TelemetryRecord): string;
}

export interface AppendLinesAdapter extends AdapterBase {
  shape: 'append-lines';
  /** One line of text, without its newline. No records and no error: a line that carries no usage. */
  parseLine(text: string): LineResult;
}

export interface WholeFileAdapter extends AdapterBase {
  shape: 'whole-file';
  /** The whole document; `skipped` names bad entries by line (1 when the position is unknown). */
  parseFile(text: string, file: string): { records: TelemetryRecord[]; skipped: SkippedLine[] };
}

export type SourceAdapter = AppendLinesAdapter | WholeFileAdapter;
