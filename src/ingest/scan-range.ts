import { sourceAdapter, type AgentLink, type SkippedLine, type TelemetryRecord } from '../sources/index.js';
import { addRecord, dayOf, emptyRollups, foldKept, type KeptBatch, type Rollups } from '../store/index.js';
import { DEFAULT_MAX_LINE_BYTES, rejection, type Limits } from './limits.js';
import { prefixHashes, scanLines } from './lines.js';

/** How many skipped lines are kept with their reasons; all of them are counted. */
export const MAX_SKIPPED_DETAILS = 50;

/** A byte range of one append-lines file, starting and ending on line starts. */
export interface Range {
  file: string;
  format: string;
  start: number;
  /** Number of the line at `start`, when known (a watermark); ranges cut by a split count from 1. */
  line: number;
  /** Exclusive; undefined reads to the end of the file. */
  end: number | undefined;
  /** Bytes the range spans. */
  bytes: number;
  /**
   * What records must not be, and when they are too new: reading stops at the line of a record of a
   * session that may still be running, which is read again on a later run, once it is quiet.
   */
  limits?: Limits;
}

export interface RangeResult {
  range: Range;
  /** The range's records, folded; not yet checked against the records seen before. */
  rollup: Rollups;
  /** Each record's dedupe key and day, in the order of `rollup`'s records. */
  keys: string[];
  days: number[];
  records: number;
  bytes: number;
  /** Complete lines in the range, so later ranges of the file can number theirs. */
  lines: number;
  /** Offset just past the last complete line read. */
  end_offset: number;
  /** Reading stopped at a record newer than the quiet period: end_offset is that line's start. */
  held: boolean;
  skipped: number;
  /** Line numbers relative to the range start (1 = its first line). */
  skipped_details: SkippedLine[];
  held_back_bytes: number;
  /**
   * For formats whose records come in versions (adapter.prefer): the best version of each record in
   * the range, folded apart from `rollup`; the store decides against the versions seen before.
   */
  kept?: KeptBatch;
  /** Versions of a record in the range that lost to a better one. */
  superseded: number;
  /** What joins subagents' calls to their types (see AgentLink). */
  links: AgentLink[];
  /** The hashes that vouch for the file up to `end_offset` (prefixHashes), taken while it is at hand. */
  prefix: [string, string];
}

/**
 * Parses one range with its format's adapter. `admit`, when given, is asked for each record and
 * only the records it accepts are folded (the slow path after a batch found duplicates); without
 * it, every record is folded and its key returned for the caller to check as one batch.
 */
export async function scanRange(range: Range, admit?: (key: string, day: number) => boolean): Promise<RangeResult> {
  const adapter = sourceAdapter(range.format);
  if (adapter.shape !== 'append-lines') throw new Error(`${range.format} is not read line by line`);
  const rollup = emptyRollups();
  const result: RangeResult = {
    range,
    rollup,
    keys: [],
    days: [],
    records: 0,
    bytes: 0,
    lines: 0,
    end_offset: range.start,
    held: false,
    skipped: 0,
    skipped_details: [],
    held_back_bytes: 0,
    superseded: 0,
    links: [],
    prefix: ['', ''],
  };
  const prefer = adapter.prefer;
  const best = new Map<string, { key: string; day: number; record: TelemetryRecord }>();
  const scan = scanLines(
    range.file,
    (text, line, badUtf8) => {
      const parsed = badUtf8 ? { error: 'not valid UTF-8' } : adapter.parseLine(text, range.file);
      const limits = range.limits;
      const bad = rejection(parsed, limits);
      if (bad !== undefined || 'error' in parsed) {
        result.skipped++;
        if (result.skipped_details.length < MAX_SKIPPED_DETAILS) result.skipped_details.push({ file: range.file, line, reason: bad ?? '' });
        return;
      }
      // A record a later version can replace (a streamed response) need not wait for its session to end.
      if (limits && !prefer && parsed.records.some((r) => r.ts > limits.quietAfter)) return false;
      if (parsed.links) result.links.push(...parsed.links);
      for (const record of parsed.records) {
        const key = adapter.dedupeKey(record);
        const day = dayOf(record.ts);
        if (prefer) {
          const seen = best.get(key);
          if (seen) result.superseded++;
          if (!seen || prefer(record, seen.record)) best.set(key, { key, day, record });
          continue;
        }
        if (admit) {
          if (!admit(key, day)) continue;
        } else {
          result.keys.push(key);
          result.days.push(day);
        }
        addRecord(rollup, record);
        result.records++;
      }
    },
    {
      offset: range.start,
      line: range.line,
      end: range.end,
      maxLineBytes: range.limits?.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      onTooLong: (line, bytes) => {
        result.skipped++;
        if (result.skipped_details.length < MAX_SKIPPED_DETAILS)
          result.skipped_details.push({
            file: range.file,
            line,
            reason: `a line of ${bytes} bytes, over the ${range.limits?.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES} of ingest.max_line_bytes: not read`,
          });
      },
    },
  );
  if (prefer) {
    result.kept = foldKept(best.values());
    result.records = result.kept.rows.length;
  }
  result.bytes = scan.bytesRead;
  result.lines = scan.nextLine - range.line;
  result.end_offset = scan.endOffset;
  result.held = scan.stopped;
  result.held_back_bytes = scan.heldBackBytes;
  result.prefix = prefixHashes(range.file, scan.endOffset);
  return result;
}
