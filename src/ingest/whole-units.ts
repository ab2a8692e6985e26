import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { addRecord, dayOf, emptyRollups, foldKept, type State, type Unit } from '../store/index.js';
import { implausible, type Limits } from './limits.js';
import type { Tally } from './tally.js';
import type { FoundUnit } from './found.js';

/**
 * Whole-file units: documents rewritten in place. A unit is read again whole when its content
 * changes (size or mtime first, then a hash of the text) and replaces what it held.
 */

interface WholeCursor {
  size: number;
  mtime_ms: number;
  hash: string;
}

export interface WholeJob {
  unit: number;
  f: FoundUnit;
  hash: string;
  text: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Decides whether the document must be read; drops its old contribution if so. */
export async function planWhole(state: State, f: FoundUnit, prev: Unit | undefined, tally: Tally): Promise<WholeJob | undefined> {
  const cursor = prev?.cursor as WholeCursor | undefined;
  if (prev && cursor && cursor.size === f.size && cursor.mtime_ms === f.mtime_ms) return undefined;
  const text = await readFile(f.path, 'utf8');
  const hash = sha256(text);
  if (prev && cursor?.hash === hash) {
    // Touched, not changed.
    state.setUnit(prev.id, f.path, { size: f.size, mtime_ms: f.mtime_ms, hash } satisfies WholeCursor, { records: 0, max_ts: 0 });
    return undefined;
  }
  if (prev) {
    state.resetUnit(prev.id);
    tally.events.push(`${f.path}: changed; read again whole, replacing what it held`);
  } else tally.events.push(`${f.path}: new file`);
  return { unit: prev?.id ?? state.addUnit(f.identity, f.format, f.path, null), f, hash, text };
}

/** Reads a document whole; its records are admitted one by one (such files are small). */
export function readWhole(state: State, job: WholeJob, limits: Limits, tally: Tally): void {
  const { f } = job;
  if (f.adapter.shape !== 'whole-file') return;
  const parsed = f.adapter.parseFile(job.text, f.path);
  for (const s of parsed.skipped) tally.skip(s);
  const rollup = emptyRollups();
  const good = parsed.records.filter((record) => {
    const bad = implausible(record, limits);
    if (bad) tally.skip({ file: f.path, line: 1, reason: `a record of run ${record.run_id ?? '?'}: ${bad}` });
    return !bad;
  });
  const prefer = f.adapter.prefer;
  if (prefer) {
    // Records in versions (a turn copied into a resumed session): the store keeps the best of each.
    const batch = foldKept(good.map((record) => ({ key: f.adapter.dedupeKey(record), day: dayOf(record.ts), record })));
    const kept = state.keepBest(job.unit, batch, prefer);
    tally.summary.duplicates += kept.duplicates + kept.replaced;
    rollup.records = kept.added;
    rollup.max_ts = batch.rollup.max_ts;
  } else {
    for (const record of good) {
      if (state.admitOne(job.unit, f.adapter.dedupeKey(record), dayOf(record.ts))) addRecord(rollup, record);
      else tally.summary.duplicates++;
    }
    state.addRollups(job.unit, rollup);
  }
  tally.summary.records += rollup.records;
  tally.summary.bytes += Buffer.byteLength(job.text);
  state.setUnit(job.unit, f.path, { size: f.size, mtime_ms: f.mtime_ms, hash: job.hash } satisfies WholeCursor, rollup);
}
