import { open, stat } from 'node:fs/promises';
import type { LoadedConfig } from '../config/load.js';
import { emptyRollups, pruneRollups, dayOf, rollupSize, type Rollups } from '../store/rollup.js';
import { appendRead, dropAll, isSegment, takeWhole } from '../store/segments.js';
import type { FileEntry, State } from '../store/state.js';
import type { EarlyRead } from '../telemetry/early-read.js';
import { ingestFiles, type FileToRead, type IngestSummary } from '../telemetry/ingest.js';
import { listSourceFiles } from '../telemetry/sources.js';
import { sha256 } from './fingerprint.js';

/**
 * Level 2 of the drift gate: read only what is new. Each source file is tracked by device and inode
 * with its own rollup, so every case keeps the totals right:
 * - new bytes after the watermark are read and folded in;
 * - a new file (a new inode) is read whole — including a re-created or copy-rotated one;
 * - a renamed file keeps its inode, watermark and rollup;
 * - a truncated or rewritten file (smaller than its watermark, or the bytes before the watermark no
 *   longer hash the same) has its rollup replaced by a re-read from the start;
 * - a deleted file's rollup stays (retired) until retention drops it.
 * A last line without its newline is left for the next run.
 */

const WINDOW = 4096;

export interface CatchUp {
  state: State;
  perFile: Map<string, Rollups>;
  /** Rollup keys whose rollup changed: only those are written again. */
  dirty: Set<string>;
  summary: IngestSummary;
  /** What happened to files, for `check --json`. */
  events: string[];
}

export async function catchUp(loaded: LoadedConfig, state: State, perFile: Map<string, Rollups>, now: Date, early?: EarlyRead): Promise<CatchUp> {
  const files: State['files'] = {};
  const rollups = new Map(perFile);
  const retired = [...state.retired];
  const events: string[] = [];
  const toRead: (FileToRead & { key: string })[] = [];
  const dirty = new Set<string>();
  const retire = (key: string, prev: FileEntry) => {
    const r = takeWhole(rollups, key);
    if (r && r.records > 0) {
      const gone = `gone:${key}:${prev.birth_ms}:${now.getTime()}`;
      rollups.set(gone, r);
      retired.push(gone);
      dirty.add(gone);
    }
  };

  for (const source of loaded.sources) {
    for (const path of listSourceFiles([source.path])) {
      const st = await stat(path);
      const key = `${st.dev}:${st.ino}`;
      if (files[key]) continue; // the same file reached through two roots
      const prev = state.files[key];
      let start = 0;
      let line = 1;
      const reborn = prev && prev.birth_ms !== 0 && st.birthtimeMs !== 0 && prev.birth_ms !== st.birthtimeMs;
      if (prev && reborn) {
        // Same inode, different file: the old one was deleted. Its data stays, retired.
        retire(key, prev);
        events.push(`${path}: a new file on a reused inode; read whole`);
      } else if (prev && prev.format === source.format) {
        if (st.size < prev.offset) events.push(`${path}: truncated (${st.size} < ${prev.offset} bytes read); re-read from the start`);
        else if (!(await samePrefix(path, prev))) events.push(`${path}: rewritten (the bytes before the watermark changed); re-read from the start`);
        else {
          start = prev.offset;
          line = prev.line;
          if (prev.path !== path) events.push(`${prev.path} → ${path}: renamed; continued at byte ${prev.offset}`);
        }
      } else if (!prev) events.push(`${path}: new file`);
      if (start === 0) {
        dropAll(rollups, key);
        rollups.set(key, emptyRollups());
        dirty.add(key);
      }
      // Continuing at a verified watermark, the hashes before it are the ones just checked.
      const kept = start > 0 && prev ? { head_hash: prev.head_hash, tail_hash: prev.tail_hash } : { head_hash: '', tail_hash: '' };
      files[key] = { path, format: source.format, size: st.size, mtime_ms: st.mtimeMs, birth_ms: st.birthtimeMs, offset: start, line, ...kept };
      toRead.push({ key, file: path, format: source.format, size: st.size, start, line });
    }
  }
  for (const [key, prev] of Object.entries(state.files)) {
    if (files[key]) continue;
    retire(key, prev);
    events.push(`${prev.path}: gone; its data stays until retention drops it`);
  }

  const { reads, summary } = await ingestFiles(toRead, {
    workers: loaded.config.ingest.workers,
    parallelMinBytes: loaded.config.ingest.parallel_min_bytes,
    quietAfter: now.getTime() - loaded.config.drift.quiet_minutes * 60_000,
    early,
  });
  for (const h of summary.quiet_held) events.push(`${h.file}: held back from line ${h.from_line}: a session may still be running (newer than ${loaded.config.drift.quiet_minutes} min)`);
  for (const f of toRead) {
    const read = reads.get(f.file)!;
    for (const k of appendRead(rollups, f.key, read.rollup, state.rollups_generation + 1)) dirty.add(k);
    const entry = files[f.key]!;
    entry.line = read.next_line;
    if (read.end_offset !== entry.offset || !entry.head_hash) {
      entry.offset = read.end_offset;
      [entry.head_hash, entry.tail_hash] = await prefixHashes(f.file, entry.offset);
    }
  }

  const oldest = dayOf(now.getTime()) - loaded.config.state.retention_days;
  for (const [key, r] of rollups) {
    if (pruneRollups(r, oldest)) dirty.add(key);
    const empty = rollupSize(r) === 0;
    if (empty && key.startsWith('gone:')) {
      rollups.delete(key);
      retired.splice(retired.indexOf(key), 1);
    } else if (empty && isSegment(key)) rollups.delete(key);
  }
  return { state: { ...state, files, retired }, perFile: rollups, dirty, summary, events };
}

async function samePrefix(path: string, prev: FileEntry): Promise<boolean> {
  const [head, tail] = await prefixHashes(path, prev.offset);
  return head === prev.head_hash && tail === prev.tail_hash;
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
