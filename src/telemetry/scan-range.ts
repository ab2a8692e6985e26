import type { Rollups } from '../store/rollup.js';
import { RollupBuilder } from '../store/rollup-builder.js';
import type { SourceFormat } from '../config/schema.js';
import { scanLines } from './lines.js';
import type { SkippedLine, TelemetryRecord } from './schema.js';
import { parseTokentuneLine } from './tokentune-jsonl.js';
import type * as z from 'zod';

type LineParser = (text: string) => { record: TelemetryRecord } | { error: string };

const PARSERS: Record<z.infer<typeof SourceFormat>, LineParser> = {
  'tokentune-jsonl': parseTokentuneLine,
};

/** How many skipped lines are kept with their reasons; all of them are counted. */
export const MAX_SKIPPED_DETAILS = 50;

/** A byte range of one source file, starting and ending on line starts. */
export interface Range {
  file: string;
  format: z.infer<typeof SourceFormat>;
  start: number;
  /** Number of the line at `start`, when known (a watermark); ranges cut by split() count from 1. */
  line: number;
  /**
   * Epoch ms: a record newer than this belongs to a session that may still be running. Reading stops
   * at its line, which is read again on a later run, once everything before `now − quiet` is quiet.
   */
  quietAfter?: number;
  /** Exclusive; undefined reads to the end of the file. */
  end: number | undefined;
}

export interface RangeResult {
  range: Range;
  records: number;
  bytes: number;
  /** Lines in the range (complete ones), so later ranges of the file can number theirs. */
  lines: number;
  /** Offset just past the last complete line read. */
  end_offset: number;
  /** Reading stopped at a record newer than the quiet period: end_offset is that line's start. */
  held: boolean;
  skipped: number;
  /** Line numbers relative to the range start (1 = its first line). */
  skipped_details: SkippedLine[];
  held_back_bytes: number;
}

/** Parses one range into `rollups`. Used by the main thread and by ingest workers alike. */
export async function scanRange(range: Range, rollups: Rollups): Promise<RangeResult> {
  const parse = PARSERS[range.format];
  const builder = new RollupBuilder(rollups);
  const result: RangeResult = { range, records: 0, bytes: 0, lines: 0, end_offset: range.start, held: false, skipped: 0, skipped_details: [], held_back_bytes: 0 };
  const scan = await scanLines(
    range.file,
    (text, line) => {
      const parsed = parse(text);
      if ('record' in parsed) {
        if (range.quietAfter !== undefined && parsed.record.ts > range.quietAfter) return false;
        builder.add(parsed.record);
        result.records++;
      } else {
        result.skipped++;
        if (result.skipped_details.length < MAX_SKIPPED_DETAILS) result.skipped_details.push({ file: range.file, line, reason: parsed.error });
      }
    },
    { offset: range.start, line: range.line, end: range.end },
  );
  result.bytes = scan.bytesRead;
  result.lines = scan.nextLine - range.line;
  result.end_offset = scan.endOffset;
  result.held = scan.stopped;
  builder.finish();
  result.held_back_bytes = scan.heldBackBytes;
  return result;
}
