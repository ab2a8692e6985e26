import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { ConfigError } from '../common/errors.js';
import { sourceAdapter, type SkippedLine, type SourceAdapter } from '../sources/index.js';
import { addRecord, dayOf, emptyRollups, type State, type Unit } from '../store/index.js';
import { listUnits, type FileUnit, type SourceFiles } from './list.js';
import { readRanges, type FileToRead } from './read.js';
import { MAX_SKIPPED_DETAILS, scanRange, type RangeResult } from './scan-range.js';

/**
 * Level 2 of the drift gate: read only what is new, into the state's transaction. Every unit keeps
 * its own rollups and cursor, so each case keeps the totals right:
 * - append-lines files are units by device and inode: new bytes after the watermark are read; a
 *   renamed (rotated) file continues at its watermark; a new or re-created file is read whole; a
 *   truncated file, or one whose bytes before the watermark changed, is read again from the start,
 *   replacing what it contributed. A last line without its newline is left for the next run.
 * - whole-file units are paths: when the content changes, the file is read whole and replaces what
 *   it contributed.
 * - a unit that is gone keeps its data until retention drops it.
 * Every record passes the dedupe keys first: one seen before, in any unit, counts once. Units to be
 * read again drop their old contribution before anything is read, so a copy of a file that is being
 * replaced is counted, once.
 */

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
  /** Files whose reading stopped at a record newer than the quiet period: read again once quiet. */
  quiet_held: { file: string; from_line: number }[];
  /** Threads that parsed (1 = the main thread alone). */
  threads: number;
  /** Kept in the `--json` output for existing readers; always 0. */
  early_bytes: number;
}

export const NOTHING_READ: IngestSummary = { files: 0, records: 0, duplicates: 0, bytes: 0, skipped: 0, skipped_details: [], held_back: [], quiet_held: [], threads: 0, early_bytes: 0 };

export interface CatchUpOptions {
  now: Date;
  quietMinutes: number;
  retentionDays: number;
  workers: number | 'auto';
  parallelMinBytes: number;
}

/** A unit found on disk now, with its adapter. */
export interface FoundUnit extends FileUnit {
  adapter: SourceAdapter;
}

/** How the configured sources' units are found: their adapters' shapes and extensions. */
export function sourceFiles(sources: readonly { path: string; format: string }[]): SourceFiles[] {
  return sources.map((s) => {
    const a = sourceAdapter(s.format);
    return { path: s.path, format: s.format, shape: a.shape, extensions: [...a.extensions], ...(a.companions ? { companions: [...a.companions] } : {}) };
  });
}

/** The units of the configured sources as they are on disk now; a missing source path throws, naming it. */
export function findUnits(sources: readonly { path: string; format: string }[]): FoundUnit[] {
  return listUnits(sourceFiles(sources)).map((u) => ({ ...u, adapter: sourceAdapter(u.format) }));
}

interface LinesCursor {
  offset: number;
  line: number;
  birth_ms: number;
  /** Hashes of the first and of the last 4 KiB before `offset`: a rewritten file no longer matches. */
  head_hash: string;
  tail_hash: string;
}

interface WholeCursor {
  size: number;
  mtime_ms: number;
  hash: string;
}

const WINDOW = 4096;
const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

export async function catchUp(state: State, sources: readonly { path: string; format: string }[], o: CatchUpOptions): Promise<{ summary: IngestSummary; events: string[] }> {
  const found = findUnits(sources);
  const live = new Map(state.liveUnits().map((u) => [u.identity, u]));
  const events: string[] = [];
  const now = o.now.getTime();
  const lines: (FileToRead & { unit: number; prev: LinesCursor | undefined })[] = [];
  const wholes: { unit: number; f: FoundUnit; hash: string; text: string }[] = [];
  const tables: { unit: number; f: FoundUnit; cursor: unknown }[] = [];

  // First every decision and every dropped contribution, then the reading.
  for (const f of found) {
    let prev = live.get(f.identity);
    live.delete(f.identity);
    if (prev && prev.format !== f.format) {
      state.retireUnit(prev.id, now);
      prev = undefined;
    }
    if (f.adapter.shape === 'append-lines') {
      let cursor = prev?.cursor as LinesCursor | undefined;
      if (prev && cursor && cursor.birth_ms !== 0 && f.birth_ms !== 0 && cursor.birth_ms !== f.birth_ms) {
        // Same inode, different file: the old one was deleted. Its data stays, retired.
        state.retireUnit(prev.id, now);
        events.push(`${f.path}: a new file on a reused inode; read whole`);
        prev = undefined;
        cursor = undefined;
      }
      let start = 0;
      if (prev && cursor) {
        if (f.size < cursor.offset) events.push(`${f.path}: truncated (${f.size} < ${cursor.offset} bytes read); re-read from the start`);
        else if (!(await samePrefix(f.path, cursor))) events.push(`${f.path}: rewritten (the bytes before the watermark changed); re-read from the start`);
        else {
          start = cursor.offset;
          if (prev.label !== f.path) events.push(`${prev.label} → ${f.path}: renamed; continued at byte ${cursor.offset}`);
        }
        if (start === 0) state.resetUnit(prev.id);
      } else if (!prev) events.push(`${f.path}: new file`);
      const kept = start > 0 ? cursor : undefined;
      const unit = prev?.id ?? state.addUnit(f.identity, f.format, f.path, null);
      lines.push({ unit, file: f.path, format: f.format, size: f.size, start, line: kept?.line ?? 1, prev: kept ? { ...kept, birth_ms: f.birth_ms } : undefined });
    } else if (f.adapter.shape === 'cursor') {
      const adapter = f.adapter;
      let cursor = prev?.cursor ?? null;
      if (prev && cursor !== null && !fromSource(f, () => adapter.resumable(f.path, cursor))) {
        state.resetUnit(prev.id);
        events.push(`${f.path}: the rows before its cursor changed; read again from the start, replacing what it held`);
        cursor = null;
      } else if (!prev) events.push(`${f.path}: new database`);
      tables.push({ unit: prev?.id ?? state.addUnit(f.identity, f.format, f.path, null), f, cursor });
    } else {
      const cursor = prev?.cursor as WholeCursor | undefined;
      if (prev && cursor && cursor.size === f.size && cursor.mtime_ms === f.mtime_ms) continue;
      const text = await readFile(f.path, 'utf8');
      const hash = sha256(text);
      if (prev && cursor?.hash === hash) {
        state.setUnit(prev.id, f.path, { size: f.size, mtime_ms: f.mtime_ms, hash }, { records: 0, max_ts: 0 });
        continue;
      }
      if (prev) {
        state.resetUnit(prev.id);
        events.push(`${f.path}: changed; read again whole, replacing what it held`);
      } else events.push(`${f.path}: new file`);
      wholes.push({ unit: prev?.id ?? state.addUnit(f.identity, f.format, f.path, null), f, hash, text });
    }
  }
  for (const prev of live.values()) {
    state.retireUnit(prev.id, now);
    events.push(`${prev.label}: gone; its data stays until retention drops it`);
  }

  const summary: IngestSummary = { ...NOTHING_READ, skipped_details: [], held_back: [], quiet_held: [], files: lines.length + wholes.length + tables.length, threads: 1 };
  const skip = (s: SkippedLine) => {
    summary.skipped++;
    if (summary.skipped_details.length < MAX_SKIPPED_DETAILS) summary.skipped_details.push(s);
  };

  // Append-lines files: each range's keys go in as one batch; a range with a duplicate is read
  // again record by record.
  const quietAfter = now - o.quietMinutes * 60_000;
  const byFile = new Map(lines.map((l) => [l.file, { ...l, end: l.start, next_line: l.line, records: 0, max_ts: 0 }]));
  const { threads } = await readRanges(lines, { workers: o.workers, parallelMinBytes: o.parallelMinBytes, quietAfter }, async (r: RangeResult) => {
    const f = byFile.get(r.range.file)!;
    let got = r;
    if (!state.admitAll(f.unit, r.keys, r.days)) {
      got = await scanRange(r.range, (key, day) => state.admitOne(f.unit, key, day));
      summary.duplicates += r.records - got.records;
    }
    state.addRollups(f.unit, got.rollup);
    summary.records += got.records;
    summary.bytes += got.bytes;
    summary.skipped += got.skipped - got.skipped_details.length;
    for (const d of got.skipped_details) skip(d);
    f.records += got.records;
    f.max_ts = Math.max(f.max_ts, got.rollup.max_ts);
    f.end = got.end_offset;
    f.next_line = got.range.line + got.lines;
    if (got.held_back_bytes > 0) summary.held_back.push({ file: f.file, bytes: got.held_back_bytes });
    if (got.held) {
      summary.quiet_held.push({ file: f.file, from_line: f.next_line });
      events.push(`${f.file}: held back from line ${f.next_line}: a session may still be running (newer than ${o.quietMinutes} min)`);
    }
  });
  summary.threads = threads;
  for (const f of byFile.values()) {
    const same = f.prev && f.end === f.prev.offset;
    const [head_hash, tail_hash] = same ? [f.prev!.head_hash, f.prev!.tail_hash] : await prefixHashes(f.file, f.end);
    const birth = found.find((u) => u.path === f.file)!.birth_ms;
    state.setUnit(f.unit, f.file, { offset: f.end, line: f.next_line, birth_ms: birth, head_hash, tail_hash } satisfies LinesCursor, f);
  }

  // Whole files: read whole, their records admitted one by one (such files are small).
  for (const w of wholes) {
    if (w.f.adapter.shape !== 'whole-file') continue;
    const parsed = w.f.adapter.parseFile(w.text, w.f.path);
    for (const s of parsed.skipped) skip(s);
    const rollup = emptyRollups();
    for (const record of parsed.records) {
      if (!state.admitOne(w.unit, w.f.adapter.dedupeKey(record), dayOf(record.ts))) {
        summary.duplicates++;
        continue;
      }
      addRecord(rollup, record);
    }
    state.addRollups(w.unit, rollup);
    summary.records += rollup.records;
    summary.bytes += Buffer.byteLength(w.text);
    state.setUnit(w.unit, w.f.path, { size: w.f.size, mtime_ms: w.f.mtime_ms, hash: w.hash } satisfies WholeCursor, rollup);
  }

  // Databases: the rows after each cursor, admitted one by one; a row of a session still running
  // stops the read there, as a line does.
  for (const t of tables) {
    if (t.f.adapter.shape !== 'cursor') continue;
    const adapter = t.f.adapter;
    const rollup = emptyRollups();
    let cursor = t.cursor;
    const rows = fromSource(t.f, () => adapter.rows(t.f.path, t.cursor)[Symbol.iterator]());
    try {
      for (let step = fromSource(t.f, () => rows.next()); !step.done; step = fromSource(t.f, () => rows.next())) {
        const row = step.value;
        if ('error' in row.parsed) {
          skip({ file: t.f.path, line: row.position, reason: row.parsed.error });
        } else if (row.parsed.records.some((r) => r.ts > quietAfter)) {
          summary.quiet_held.push({ file: t.f.path, from_line: row.position });
          events.push(`${t.f.path}: held back from row ${row.position}: a session may still be running (newer than ${o.quietMinutes} min)`);
          break;
        } else {
          for (const record of row.parsed.records) {
            if (state.admitOne(t.unit, adapter.dedupeKey(record), dayOf(record.ts))) addRecord(rollup, record);
            else summary.duplicates++;
          }
        }
        cursor = row.cursor;
      }
    } finally {
      rows.return?.();
    }
    state.addRollups(t.unit, rollup);
    summary.records += rollup.records;
    state.setUnit(t.unit, t.f.path, cursor, rollup);
  }

  // Retention: once a day is enough.
  const oldest = dayOf(now) - o.retentionDays;
  if (state.prunedBefore < oldest) {
    state.prune(oldest);
    state.prunedBefore = oldest;
  }
  return { summary, events };
}

/** Runs an adapter's read of a source; its failure is the source's, named by path, not the state's. */
function fromSource<T>(f: FoundUnit, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new ConfigError(`${f.path}: cannot be read as ${f.format}: ${(e as Error).message}`);
  }
}

async function samePrefix(path: string, c: LinesCursor): Promise<boolean> {
  const [head, tail] = await prefixHashes(path, c.offset);
  return head === c.head_hash && tail === c.tail_hash;
}

/** Hashes of the first and of the last 4 KiB before `offset`. */
async function prefixHashes(path: string, offset: number): Promise<[string, string]> {
  const fh = await open(path, 'r');
  try {
    const read = async (from: number, len: number) => {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, from);
      return sha256(buf.subarray(0, bytesRead));
    };
    const n = Math.min(WINDOW, offset);
    return [await read(0, n), await read(offset - n, n)];
  } finally {
    await fh.close();
  }
}

export type { Unit };
