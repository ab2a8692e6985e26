import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Limits } from './limits.js';
import { lineStartAtOrAfter } from './lines.js';
import { scanRange, type Range, type RangeResult } from './scan-range.js';

/** One append-lines file to read from its watermark to its end. */
export interface FileToRead {
  file: string;
  format: string;
  size: number;
  start: number;
  line: number;
}

export interface ReadOptions {
  /** Parsing threads; 'auto' uses the machine's cores (at most 4). */
  workers: number | 'auto';
  /** Below this many new bytes everything is parsed on the main thread: a thread costs ~50 ms to start. */
  parallelMinBytes: number;
  /** What records must not be, and when they are too new to read (Range.limits). */
  limits: Limits;
}

/** A range's share of a file is at most this: it bounds what one range's dedupe keys hold in memory. */
const RANGE_BYTES = 16 << 20;

/** Ranges a parsing thread holds at once. */
const PER_THREAD = 4;

/**
 * Reads the files' new bytes in ranges and hands each range's result to `consume`, in file and byte
 * order, with line numbers counted from the file's watermark. A large read is parsed by worker
 * threads while the main thread consumes (the database work); after a range that stopped at a
 * record of a running session, the file's later ranges are dropped.
 */
export async function readRanges(files: readonly FileToRead[], o: ReadOptions, consume: (r: RangeResult) => Promise<void> | void): Promise<{ threads: number }> {
  const ranges: Range[] = [];
  for (const f of files) ranges.push(...(await split(f, o.limits)));
  const total = files.reduce((s, f) => s + (f.size - f.start), 0);
  const wanted = o.workers === 'auto' ? Math.min(4, availableParallelism()) : o.workers;
  const threads = total >= o.parallelMinBytes && wanted > 1 && ranges.length > 1 ? Math.min(wanted, ranges.length) : 0;

  const lineOf = new Map(files.map((f) => [f.file, f.line]));
  const stopped = new Set<string>();
  const deliver = async (r: RangeResult) => {
    if (stopped.has(r.range.file)) return;
    const first = lineOf.get(r.range.file)!;
    for (const d of r.skipped_details) d.line = d.line - r.range.line + first;
    r.range.line = first;
    lineOf.set(r.range.file, first + r.lines);
    if (r.held) stopped.add(r.range.file);
    await consume(r);
  };

  if (threads === 0) {
    for (const range of ranges) if (!stopped.has(range.file)) await deliver(await scanRange(range));
    return { threads: 1 };
  }
  await inWorkers(ranges, threads, deliver);
  return { threads };
}

/** Cuts a file's unread part into ranges of at most RANGE_BYTES, every cut on a line start. */
async function split(f: FileToRead, limits: Limits): Promise<Range[]> {
  const out: Range[] = [];
  let start = f.start;
  let line = f.line;
  do {
    const want = start + RANGE_BYTES;
    const end = want >= f.size ? f.size : await lineStartAtOrAfter(f.file, want, f.size);
    out.push({ file: f.file, format: f.format, start, line, end: end >= f.size ? undefined : end, bytes: end - start, limits });
    // Only the first range knows its line number; the others are renumbered as they are delivered.
    line = 1;
    start = end;
  } while (start < f.size);
  return out;
}

/**
 * Parses the ranges on `n` worker threads and delivers their results in order. A thread is sent its
 * next range when it posts one back, while the ranges sent and not yet delivered span at most n + 1
 * full ranges' bytes: finished results waiting for an earlier one stay few in bytes, and a thousand
 * small files (transcripts) still keep every thread busy.
 */
async function inWorkers(ranges: Range[], n: number, deliver: (r: RangeResult) => Promise<void>): Promise<void> {
  const results = new Map<number, RangeResult>();
  let next = 0;
  let delivered = 0;
  let inFlight = 0;
  const budget = (n + 1) * RANGE_BYTES;
  let failure: Error | undefined;
  // Parsing makes garbage fast: a small young generation collects it soon instead of letting it take
  // hundreds of MB (peak RSS at 1 GB ~600 -> ~330 MB, no slower). The old generation's bound is only a
  // ceiling: one range's records fit in a fraction of it.
  const workers = Array.from({ length: n }, () => new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 8 } }));
  try {
    await new Promise<void>((resolve, reject) => {
      let delivering = false;
      // Each thread holds up to PER_THREAD ranges: small files spend most of their time opening and
      // reading, and a thread with one range only would wait on the disk as often as it parses.
      const held = new Map<Worker, number>(workers.map((w) => [w, 0]));
      const dispatch = () => {
        while (next < ranges.length && (inFlight < budget || next === delivered)) {
          // The least busy thread takes the next range: large ranges fill the byte budget with a few,
          // and those must go to different threads, not all to the first with room.
          const w = workers.reduce((a, b) => (held.get(b)! < held.get(a)! ? b : a));
          if (held.get(w)! >= PER_THREAD) break;
          held.set(w, held.get(w)! + 1);
          inFlight += ranges[next]!.bytes;
          w.postMessage({ i: next, range: ranges[next] });
          next++;
        }
      };
      const drain = async () => {
        if (delivering) return;
        delivering = true;
        try {
          while (results.has(delivered)) {
            const r = results.get(delivered)!;
            results.delete(delivered);
            inFlight -= ranges[delivered]!.bytes;
            await deliver(r);
            delivered++;
            dispatch();
          }
        } catch (e) {
          failure = e as Error;
        } finally {
          delivering = false;
        }
        if (failure) reject(failure);
        else if (delivered === ranges.length) resolve();
      };
      for (const w of workers) {
        w.on('message', (m: { i: number; ok?: RangeResult; error?: string }) => {
          held.set(w, held.get(w)! - 1);
          if (m.error !== undefined) return reject(new Error(`parsing ${ranges[m.i]!.file}: ${m.error}`));
          results.set(m.i, m.ok!);
          dispatch();
          void drain();
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (held.get(w)! > 0) reject(new Error(`an ingest thread exited with code ${code} before finishing`));
        });
      }
      dispatch();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
