import { ConfigError } from '../common/errors.js';
import { formatOf, type CursorRow } from '../sources/index.js';
import { addRecord, dayOf, emptyRollups, type State, type Unit } from '../store/index.js';
import { rejection, type Limits } from './limits.js';
import type { Tally } from './tally.js';
import type { FoundUnit } from './found.js';

/**
 * Cursor units: databases read by a cursor (a file, or a server by URL). The rows after the cursor are
 * read; when the adapter says the cursor no longer holds, the unit is read from the start and
 * replaces what it held. Adapter failures are the source's, named by its path, never taken for a
 * damaged state.
 */

const SLICE = 50_000;

export interface CursorJob {
  unit: number;
  f: FoundUnit;
  cursor: unknown;
}

export async function planCursor(state: State, f: FoundUnit, prev: Unit | undefined, tally: Tally): Promise<CursorJob | undefined> {
  if (f.adapter.shape !== 'cursor') return undefined;
  const adapter = f.adapter;
  let cursor = prev?.cursor ?? null;
  if (prev && cursor !== null && !(await fromSource(f, async () => adapter.resumable(f.path, cursor, f.server ?? {})))) {
    state.resetUnit(prev.id);
    tally.events.push(`${f.path}: the rows before its cursor changed; read again from the start, replacing what it held`);
    cursor = null;
  } else if (!prev) tally.events.push(`${f.path}: new database`);
  return { unit: prev?.id ?? state.addUnit(f.identity, f.format, f.path, null), f, cursor };
}

/** Reads the rows after the cursor, admitting each record; a row of a running session stops the read there. */
export async function readCursor(state: State, job: CursorJob, limits: Limits, quietMinutes: number, tally: Tally): Promise<void> {
  const { f } = job;
  if (f.adapter.shape !== 'cursor') return;
  const adapter = f.adapter;
  let rollup = emptyRollups();
  const read = { records: 0, max_ts: 0 };
  // Folded in slices: a database of millions of rows never holds all their rollups in memory at once.
  const flush = () => {
    state.addRollups(job.unit, rollup);
    tally.summary.records += rollup.records;
    read.records += rollup.records;
    read.max_ts = Math.max(read.max_ts, rollup.max_ts);
    rollup = emptyRollups();
  };
  let cursor = job.cursor;
  let rowsRead = 0;
  const rows = await fromSource(f, async () => {
    const r = adapter.rows(f.path, job.cursor, f.server ?? {});
    return Symbol.asyncIterator in r ? r[Symbol.asyncIterator]() : (r as Iterable<CursorRow>)[Symbol.iterator]();
  });
  try {
    for (let step = await fromSource(f, async () => rows.next()); !step.done; step = await fromSource(f, async () => rows.next())) {
      const row = step.value;
      const bad = rejection(row.parsed, limits);
      if (bad !== undefined || 'error' in row.parsed) {
        tally.skip({ file: f.path, line: row.position, reason: bad ?? '' });
      } else if (row.parsed.records.some((r) => r.ts > limits.quietAfter)) {
        tally.held(f.path, row.position, 'row', quietMinutes);
        break;
      } else {
        for (const record of row.parsed.records) {
          if (state.admitOne(job.unit, adapter.dedupeKey(record), dayOf(record.ts))) addRecord(rollup, record);
          else tally.summary.duplicates++;
        }
      }
      cursor = row.cursor;
      if (rollup.records >= SLICE) flush();
      if (++rowsRead % 2000 === 0) tally.tick(rollup.records);
    }
  } finally {
    await rows.return?.();
  }
  flush();
  state.setUnit(job.unit, f.path, cursor, read);
}

async function fromSource<T>(f: FoundUnit, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    // The usual cause is the wrong format: say which one the file is written in, if any is.
    const fits = formatOf(f.path, f.format);
    const hint = fits ? `; ${fits.evidence}: set format: ${fits.format}` : '';
    throw new ConfigError(`${f.path}: cannot be read as ${f.format}: ${(e as Error).message}${hint}`);
  }
}
