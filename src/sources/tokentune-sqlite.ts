import Database from 'better-sqlite3';
import type { CursorAdapter, CursorRow } from './api.js';
import { parseRecordObject, tokentuneKey } from './tokentune-jsonl.js';

/**
 * The tokentune records in a SQLite database, one per row of `tokentune_records (id INTEGER PRIMARY
 * KEY, record TEXT)`, `record` being a line of the JSONL export: what an agent harness writes when it
 * keeps its telemetry in SQLite. Rows are appended; the cursor is the last id read. The database is
 * opened read-only.
 */

const TABLE = 'tokentune_records';

function open(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
}

export const tokentuneSqlite: CursorAdapter = {
  format: 'tokentune-sqlite',
  description: `a SQLite database of export records, table ${TABLE} (id INTEGER PRIMARY KEY, record TEXT); *.db, *.sqlite`,
  shape: 'cursor',
  tables: [TABLE],
  extensions: ['.db', '.sqlite'],
  companions: ['-wal'],
  dedupeKey: tokentuneKey,
  resumable(path, cursor) {
    if (typeof cursor !== 'number') return false;
    const db = open(path);
    try {
      // Ids below the cursor gone, or the highest id below it: the table was emptied or rebuilt.
      const max = db.prepare(`SELECT max(id) FROM ${TABLE}`).pluck().get() as number | null;
      return max !== null && max >= cursor;
    } finally {
      db.close();
    }
  },
  *rows(path, cursor): Iterable<CursorRow> {
    const db = open(path);
    try {
      const from = typeof cursor === 'number' ? cursor : 0;
      // One read transaction for the whole read: rows appended meanwhile wait for the next run.
      for (const [id, text] of db.prepare(`SELECT id, record FROM ${TABLE} WHERE id > ? ORDER BY id`).raw().iterate(from) as Iterable<[number, unknown]>) {
        let parsed: CursorRow['parsed'];
        try {
          const r = parseRecordObject(JSON.parse(String(text)));
          parsed = 'record' in r ? { records: [r.record] } : r;
        } catch (e) {
          parsed = { error: `not valid JSON (${(e as Error).message})` };
        }
        yield { cursor: id, position: id, parsed };
      }
    } finally {
      db.close();
    }
  },
};
