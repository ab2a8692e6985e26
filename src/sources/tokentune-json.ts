import type { WholeFileAdapter } from './api.js';
import type { SkippedLine, TelemetryRecord } from './records.js';
import { parseRecordObject, tokentuneKey } from './tokentune-jsonl.js';

/**
 * The tokentune records as one JSON document, `{"records": [...]}` or a bare array: the shape of a
 * usage tracker that keeps its totals in a file and rewrites it in place. Each entry is a record of the
 * JSONL export. The file is read whole whenever it changes, replacing what it contributed before.
 */
export const tokentuneJson: WholeFileAdapter = {
  format: 'tokentune-json',
  description: 'a JSON document holding export records, rewritten in place ({"records": [...]}; *.json)',
  shape: 'whole-file',
  extensions: ['.json'],
  dedupeKey: tokentuneKey,
  parseFile(text, file) {
    const records: TelemetryRecord[] = [];
    const skipped: SkippedLine[] = [];
    let doc: unknown;
    try {
      doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (e) {
      return { records, skipped: [{ file, line: 1, reason: `not valid JSON (${(e as Error).message})` }] };
    }
    const list = Array.isArray(doc) ? doc : (doc as { records?: unknown } | null)?.records;
    if (!Array.isArray(list)) return { records, skipped: [{ file, line: 1, reason: 'expected an array of records, or an object with "records"' }] };
    list.forEach((entry, i) => {
      const r = parseRecordObject(entry);
      if ('record' in r) records.push(r.record);
      else skipped.push({ file, line: i + 1, reason: `records[${i}]: ${r.error}` });
    });
    return { records, skipped };
  },
};
