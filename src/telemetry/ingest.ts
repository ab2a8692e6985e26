import { addRecord, type Rollups } from '../store/rollup.js';
import { scanLines } from './lines.js';
import type { SkippedLine, TelemetryRecord } from './schema.js';
import { listSourceFiles } from './sources.js';
import { parseTokentuneLine } from './tokentune-jsonl.js';
import type { SourceFormat } from '../config/schema.js';
import type { z } from 'zod';

type LineParser = (text: string) => { record: TelemetryRecord } | { error: string };

const PARSERS: Record<z.infer<typeof SourceFormat>, LineParser> = {
  'tokentune-jsonl': parseTokentuneLine,
};

/** How many skipped lines are kept with their reasons; all of them are counted. */
const MAX_SKIPPED_DETAILS = 50;

export interface IngestSummary {
  files: number;
  records: number;
  bytes: number;
  skipped: number;
  skipped_details: SkippedLine[];
  /** Files whose last line had no newline yet: left for the next run. */
  held_back: { file: string; bytes: number }[];
}

export async function ingestSources(
  sources: readonly { path: string; format: z.infer<typeof SourceFormat> }[],
  rollups: Rollups,
): Promise<IngestSummary> {
  const summary: IngestSummary = { files: 0, records: 0, bytes: 0, skipped: 0, skipped_details: [], held_back: [] };
  for (const source of sources) {
    const parse = PARSERS[source.format];
    for (const file of await listSourceFiles([source.path])) {
      summary.files++;
      const scan = await scanLines(file, (text, line) => {
        const result = parse(text);
        if ('record' in result) {
          addRecord(rollups, result.record);
          summary.records++;
        } else {
          summary.skipped++;
          if (summary.skipped_details.length < MAX_SKIPPED_DETAILS) {
            summary.skipped_details.push({ file, line, reason: result.error });
          }
        }
      });
      summary.bytes += scan.bytesRead;
      if (scan.heldBackBytes > 0) summary.held_back.push({ file, bytes: scan.heldBackBytes });
    }
  }
  return summary;
}
