import type { State, Unit } from '../store/index.js';
import { sourceAdapter } from '../sources/index.js';
import type { FoundUnit } from './found.js';
import { prefixHashes } from './lines.js';
import { readRanges, type FileToRead, type ReadOptions } from './read.js';
import { scanRange, type RangeResult } from './scan-range.js';
import type { Tally } from './tally.js';

/**
 * Append-lines units: files that only grow, by device and inode. New bytes after the watermark are
 * read; a renamed (rotated) file continues at its watermark; a truncated file, or one whose bytes
 * before the watermark changed, is read again from the start and replaces what it held; a new file on
 * a reused inode is a new unit. A last line without its newline is left for the next run.
 */

interface LinesCursor {
  offset: number;
  line: number;
  birth_ms: number;
  /** Hashes of the first and of the last 4 KiB before `offset`: a rewritten file no longer matches. */
  head_hash: string;
  tail_hash: string;
  /** The file's mtime when it was read to `offset`: the same size and mtime is a file not touched since. */
  mtime_ms?: number;
}

export interface LinesJob extends FileToRead {
  unit: number;
  birth_ms: number;
  mtime_ms: number;
  /** The cursor continued from, when reading goes on at it. */
  kept: LinesCursor | undefined;
}

/**
 * Decides where the file is read from; drops its old contribution when it is read again. A file of
 * the size and mtime it had when it was read to its end is not opened at all (undefined): a Claude
 * Code directory holds tens of thousands of transcripts, and most are done.
 */
export async function planLines(state: State, f: FoundUnit, prevUnit: Unit | undefined, now: number, tally: Tally): Promise<LinesJob | undefined> {
  let prev = prevUnit;
  let cursor = prev?.cursor as LinesCursor | undefined;
  if (prev && cursor && cursor.offset === f.size && cursor.mtime_ms === f.mtime_ms && cursor.birth_ms === f.birth_ms && prev.label === f.path) return undefined;
  if (prev && cursor && cursor.birth_ms !== 0 && f.birth_ms !== 0 && cursor.birth_ms !== f.birth_ms) {
    // Same inode, different file: the old one was deleted. Its data stays, retired.
    state.retireUnit(prev.id, now);
    tally.events.push(`${f.path}: a new file on a reused inode; read whole`);
    prev = undefined;
    cursor = undefined;
  }
  let start = 0;
  if (prev && cursor) {
    if (f.size < cursor.offset) tally.events.push(`${f.path}: truncated (${f.size} < ${cursor.offset} bytes read); re-read from the start`);
    else if (!samePrefix(f.path, cursor)) tally.events.push(`${f.path}: rewritten (the bytes before the watermark changed); re-read from the start`);
    else {
      start = cursor.offset;
      if (prev.label !== f.path) tally.events.push(`${prev.label} → ${f.path}: renamed; continued at byte ${cursor.offset}`);
    }
    if (start === 0) state.resetUnit(prev.id);
  } else if (!prev) tally.events.push(`${f.path}: new file`);
  const kept = start > 0 ? cursor : undefined;
  const unit = prev?.id ?? state.addUnit(f.identity, f.format, f.path, null);
  return { unit, file: f.path, format: f.format, size: f.size, start, line: kept?.line ?? 1, birth_ms: f.birth_ms, mtime_ms: f.mtime_ms, kept };
}

/**
 * Reads the files' new bytes (in ranges, on parsing threads when large). Each range's keys go in as
 * one batch; a range with a duplicate is read again record by record.
 */
export async function readLines(state: State, jobs: readonly LinesJob[], o: ReadOptions & { quietMinutes: number }, tally: Tally): Promise<void> {
  const s = tally.summary;
  const byFile = new Map(jobs.map((j) => [j.file, { ...j, end: j.start, next_line: j.line, records: 0, max_ts: 0, prefix: undefined as [string, string] | undefined }]));
  const { threads } = await readRanges(jobs, o, async (r: RangeResult) => {
    const f = byFile.get(r.range.file)!;
    let got = r;
    if (r.kept) {
      // Records in versions: the store keeps the best version of each, wherever it was seen first.
      const kept = state.keepBest(f.unit, r.kept, sourceAdapter(r.range.format).prefer!);
      s.duplicates += r.superseded + kept.duplicates + kept.replaced;
      got = { ...r, records: kept.added, rollup: { ...r.rollup, max_ts: r.kept.rollup.max_ts } };
    } else {
      if (!state.admitAll(f.unit, r.keys, r.days)) {
        got = await scanRange(r.range, (key, day) => state.admitOne(f.unit, key, day));
        s.duplicates += r.records - got.records;
      }
      state.addRollups(f.unit, got.rollup);
    }
    state.addAgentLinks(f.unit, r.links);
    s.records += got.records;
    s.bytes += got.bytes;
    s.skipped += got.skipped - got.skipped_details.length;
    for (const d of got.skipped_details) tally.skip(d);
    f.records += got.records;
    f.max_ts = Math.max(f.max_ts, got.rollup.max_ts);
    f.end = got.end_offset;
    f.prefix = got.prefix;
    f.next_line = got.range.line + got.lines;
    if (got.held_back_bytes > 0) s.held_back.push({ file: f.file, bytes: got.held_back_bytes });
    if (got.held) tally.held(f.file, f.next_line, 'line', o.quietMinutes);
    tally.tick();
  });
  s.threads = threads;
  for (const f of byFile.values()) {
    // The hashes before the new watermark: the ones taken with the last range read, or, continuing at
    // a verified watermark with nothing read, the ones just checked.
    const [head_hash, tail_hash] = f.prefix ?? (f.kept && f.end === f.kept.offset ? [f.kept.head_hash, f.kept.tail_hash] : prefixHashes(f.file, f.end));
    // The mtime vouches for the file only when it was read to its end, and not so lately that a
    // rewrite within the same mtime tick could follow unseen (git's racily clean entries).
    const mtime_ms = f.end === f.size && Date.now() - f.mtime_ms > 2000 ? f.mtime_ms : undefined;
    state.setUnit(f.unit, f.file, { offset: f.end, line: f.next_line, birth_ms: f.birth_ms, head_hash, tail_hash, mtime_ms } satisfies LinesCursor, f);
  }
}

function samePrefix(path: string, c: LinesCursor): boolean {
  const [head, tail] = prefixHashes(path, c.offset);
  return head === c.head_hash && tail === c.tail_hash;
}
