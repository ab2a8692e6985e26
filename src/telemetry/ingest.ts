import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { mergeRollups, emptyRollups, type Rollups } from '../store/rollup.js';
import type { SourceFormat } from '../config/schema.js';
import { earlyIndex, type EarlyRead } from './early-read.js';
import type { WorkResult } from './ingest-work.js';
import { lineStartAtOrAfter } from './lines.js';
import { MAX_SKIPPED_DETAILS, scanRange, type Range, type RangeResult } from './scan-range.js';
import type { SkippedLine } from './schema.js';
import { listSourceFiles } from './sources.js';
import type * as z from 'zod';

export interface IngestSummary {
  files: number;
  records: number;
  bytes: number;
  skipped: number;
  skipped_details: SkippedLine[];
  /** Files whose last line had no newline yet: left for the next run. */
  held_back: { file: string; bytes: number }[];
  /** Files whose reading stopped at a record newer than the quiet period: read again once quiet. */
  quiet_held: { file: string; from_line: number }[];
  /** Threads that parsed (1 = the main thread alone). */
  threads: number;
  /** Bytes of it parsed by the early read (telemetry/early-read.ts). */
  early_bytes: number;
}

export interface IngestOptions {
  /** Parsing threads; 'auto' uses the machine's cores (at most 4). */
  workers?: number | 'auto';
  /** Below this many bytes everything is parsed on the main thread: a worker costs ~100 ms to start. */
  parallelMinBytes?: number;
  /** Epoch ms: records newer than this are left for a later run (see Range.quietAfter). */
  quietAfter?: number;
  /** Ranges a worker began parsing at start-up (see early-read.ts): taken where they match exactly. */
  early?: EarlyRead;
}

type Format = z.infer<typeof SourceFormat>;

/** One file to read from a watermark to its end. */
export interface FileToRead {
  file: string;
  format: Format;
  size: number;
  start: number;
  line: number;
}

export interface FileRead {
  /** The rollup of the bytes read (to be folded into the file's rollup by the caller). */
  rollup: Rollups;
  /** Offset just past the last complete line: the new watermark. */
  end_offset: number;
  next_line: number;
}

/**
 * Reads every file from its start offset to its end, each into a rollup of its own. Large inputs are
 * cut into byte ranges on line boundaries and parsed in parallel (the main thread takes one share,
 * worker threads the rest); the partial rollups of a file are merged, and line numbers of skipped
 * lines are numbered from the file's watermark.
 */
export async function ingestFiles(files: readonly FileToRead[], opts: IngestOptions = {}): Promise<{ reads: Map<string, FileRead>; summary: IngestSummary }> {
  const total = files.reduce((s, f) => s + (f.size - f.start), 0);
  const wanted = opts.workers === undefined || opts.workers === 'auto' ? Math.min(4, availableParallelism()) : opts.workers;
  const large = total >= (opts.parallelMinBytes ?? 32 * 1024 * 1024);
  const threads = large ? Math.max(1, wanted) : 1;
  // A large read is where a run's memory peaks. From here on V8 favours size: its old generation
  // grows by less before each collection. Measured on 1 GB: peak RSS 280-300 MB -> 165 MB, for a
  // parse 15-25% slower. Set now rather than at start-up: a V8 flag on the command line costs every
  // run ~10 ms (Node's code cache for its own modules no longer matches), and small reads don't need it.
  if (large) setFlagsFromString('--optimize-for-size');
  const shares = (threads === 1 ? [files.map((f) => ({ file: f.file, format: f.format, start: f.start, line: f.line, end: undefined } as Range))] : await split(files, threads)).map((share) =>
    share.map((r) => ({ ...r, quietAfter: opts.quietAfter })),
  );

  const reads = new Map<string, FileRead>();
  for (const f of files) reads.set(f.file, { rollup: emptyRollups(), end_offset: f.start, next_line: f.line });
  const [own, ...others] = shares;
  let earlyBytes = 0;
  const [mine, ...theirs] = await Promise.all([
    (async () => {
      const out: { rollup: Rollups; result: RangeResult }[] = [];
      for (const r of own ?? []) {
        const taken = threads === 1 ? await fromEarly(opts.early, r) : undefined;
        if (taken) {
          out.push(taken);
          earlyBytes += taken.result.bytes;
          continue;
        }
        const rollup = emptyRollups();
        out.push({ rollup, result: await scanRange(r, rollup) });
      }
      opts.early?.cancel();
      return out;
    })(),
    ...others.map(async (ranges) => {
      const t = await inWorker(ranges);
      return t.results.map((result, i) => ({ rollup: Object.assign(emptyRollups(), t.rollups[i]!), result }));
    }),
  ]);
  // A file's ranges in order; everything after a range that stopped at a held line is dropped.
  const all = [...mine, ...theirs.flat()].sort((a, b) => (a.result.range.file < b.result.range.file ? -1 : a.result.range.file > b.result.range.file ? 1 : a.result.range.start - b.result.range.start));
  const results: RangeResult[] = [];
  let heldFile: string | undefined;
  for (const { rollup, result } of all) {
    if (heldFile === result.range.file) continue;
    heldFile = result.held ? result.range.file : undefined;
    mergeRollups(reads.get(result.range.file)!.rollup, rollup);
    results.push(result);
  }
  return { reads, summary: { ...summarise(files, results, reads, shares.length), early_bytes: earlyBytes } };
}

/** Reads sources whole into one rollup: the stateless path (tests, benchmarks of parsing). */
export async function ingestSources(
  sources: readonly { path: string; format: Format }[],
  rollups: Rollups,
  opts: IngestOptions = {},
): Promise<IngestSummary> {
  const files: FileToRead[] = [];
  for (const source of sources) {
    for (const file of listSourceFiles([source.path])) files.push({ file, format: source.format, size: (await stat(file)).size, start: 0, line: 1 });
  }
  const { reads, summary } = await ingestFiles(files, opts);
  for (const r of reads.values()) mergeRollups(rollups, r.rollup);
  return summary;
}

/** Cuts the unread parts of the files into `n` shares of about equal bytes, every cut on a line start. */
async function split(files: readonly FileToRead[], n: number): Promise<Range[][]> {
  const total = files.reduce((s, f) => s + (f.size - f.start), 0);
  const target = Math.ceil(total / n);
  const shares: Range[][] = [[]];
  let room = target;
  for (const f of files) {
    let start = f.start;
    // Only the first range of a file knows its line number; the others are renumbered afterwards.
    let line = f.line;
    if (start >= f.size) shares[shares.length - 1]!.push({ file: f.file, format: f.format, start, line, end: undefined });
    while (start < f.size) {
      const last = shares.length === n;
      const want = last ? f.size : Math.min(f.size, start + room);
      const end = want >= f.size ? f.size : await lineStartAtOrAfter(f.file, want, f.size);
      if (end > start) shares[shares.length - 1]!.push({ file: f.file, format: f.format, start, line, end: end >= f.size ? undefined : end });
      line = 1;
      room -= end - start;
      start = end;
      if (room <= 0 && !last) {
        shares.push([]);
        room = target;
      }
    }
  }
  return shares.filter((s) => s.length);
}

/** The early read's result for exactly this range, if it has one. */
async function fromEarly(early: EarlyRead | undefined, r: Range): Promise<{ rollup: Rollups; result: RangeResult } | undefined> {
  const i = early ? earlyIndex(early, r) : -1;
  if (i < 0) return undefined;
  const got = await early!.done;
  if (!got) return undefined;
  return { rollup: Object.assign(emptyRollups(), got.rollups[i]!), result: { ...got.results[i]!, range: r } };
}

async function inWorker(ranges: Range[]): Promise<WorkResult> {
  const { Worker } = await import('node:worker_threads');
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: { ranges } });
    let done = false;
    worker.once('message', (m: WorkResult) => {
      done = true;
      resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`ingest worker exited with code ${code} before finishing`));
    });
  });
}

function summarise(files: readonly FileToRead[], results: RangeResult[], reads: Map<string, FileRead>, threads: number): Omit<IngestSummary, 'early_bytes'> {
  const summary: Omit<IngestSummary, 'early_bytes'> = { files: files.length, records: 0, bytes: 0, skipped: 0, skipped_details: [], held_back: [], quiet_held: [], threads };
  const byFile = new Map<string, RangeResult[]>();
  for (const r of results) byFile.set(r.range.file, [...(byFile.get(r.range.file) ?? []), r]);
  for (const f of files) {
    // The first range is numbered from the watermark; each later range continues where it ended.
    let line = f.line;
    const read = reads.get(f.file)!;
    for (const r of (byFile.get(f.file) ?? []).sort((a, b) => a.range.start - b.range.start)) {
      const first = r.range.line;
      summary.records += r.records;
      summary.bytes += r.bytes;
      summary.skipped += r.skipped;
      for (const d of r.skipped_details) {
        if (summary.skipped_details.length < MAX_SKIPPED_DETAILS) summary.skipped_details.push({ ...d, line: d.line - first + line });
      }
      if (r.held_back_bytes > 0) summary.held_back.push({ file: f.file, bytes: r.held_back_bytes });
      if (r.held) summary.quiet_held.push({ file: f.file, from_line: line + r.lines });
      line += r.lines;
      read.end_offset = Math.max(read.end_offset, r.end_offset);
    }
    read.next_line = line;
  }
  return summary;
}
