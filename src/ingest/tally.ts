import type { SkippedLine } from '../sources/index.js';
import { MAX_SKIPPED_DETAILS } from './scan-range.js';

export interface IngestSummary {
  files: number;
  records: number;
  /** Records skipped because they were seen before (a copied file, a line written twice). */
  duplicates: number;
  bytes: number;
  skipped: number;
  skipped_details: SkippedLine[];
  /** Files whose last line had no newline yet: left for the next run. */
  held_back: { file: string; bytes: number }[];
  /** Units whose reading stopped at a record newer than the quiet period: read again once quiet. */
  quiet_held: { file: string; from_line: number }[];
  /** Threads that parsed (1 = the main thread alone). */
  threads: number;
  /** Kept in the `--json` output for existing readers; always 0. */
  early_bytes: number;
  /**
   * Sessions two sources both report, with no id to tell their requests apart (Claude Code's
   * transcripts and its OpenTelemetry events): their requests count twice. Said, with the days.
   */
  counted_twice?: { formats: string[]; sessions: number; first_day: string; last_day: string }[];
}

export const NOTHING_READ: IngestSummary = { files: 0, records: 0, duplicates: 0, bytes: 0, skipped: 0, skipped_details: [], held_back: [], quiet_held: [], threads: 0, early_bytes: 0 };

/** How far a read has come: bytes of files (of `total_bytes` to read) and records, with when it began. */
export interface Progress {
  bytes: number;
  total_bytes: number;
  records: number;
  started_ms: number;
}

/** What one ingest found, as every kind of unit adds to it: the summary and what happened to units. */
export class Tally {
  readonly summary: IngestSummary = { ...NOTHING_READ, skipped_details: [], held_back: [], quiet_held: [], threads: 1 };
  readonly events: string[] = [];
  /** Bytes of files to read in this ingest (database rows are counted as records only). */
  totalBytes = 0;
  private readonly started = Date.now();

  constructor(private readonly onProgress?: (p: Progress) => void) {}

  /** Reports how far reading has come, to whoever watches (a terminal's progress line); `pending`: records read, not yet folded. */
  tick(pending = 0): void {
    this.onProgress?.({ bytes: this.summary.bytes, total_bytes: this.totalBytes, records: this.summary.records + pending, started_ms: this.started });
  }

  /** A bad line or row: counted, and kept with its reason for the first few. */
  skip(s: SkippedLine): void {
    this.summary.skipped++;
    if (this.summary.skipped_details.length < MAX_SKIPPED_DETAILS) this.summary.skipped_details.push(s);
  }

  /** Reading of a unit stopped at a record of a session that may still be running. */
  held(file: string, from: number, what: string, quietMinutes: number): void {
    this.summary.quiet_held.push({ file, from_line: from });
    this.events.push(`${file}: held back from ${what} ${from}: a session may still be running (newer than ${quietMinutes} min)`);
  }
}
