import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { mergeRollups, emptyRollups, type Rollups } from '../store/rollup.js';
import type { SourceFormat } from '../config/schema.js';
import { lineStartAtOrAfter } from './lines.js';
import { MAX_SKIPPED_DETAILS, scanRange, type Range, type RangeResult } from './scan-range.js';
import type { SkippedLine } from './schema.js';
import { listSourceFiles } from './sources.js';
import type { z } from 'zod';

export interface IngestSummary {
  files: number;
  records: number;
  bytes: number;
  skipped: number;
  skipped_details: SkippedLine[];
  /** Files whose last line had no newline yet: left for the next run. */
  held_back: { file: string; bytes: number }[];
  /** Threads that parsed (1 = the main thread alone). */
  threads: number;
}

export interface IngestOptions {
  /** Parsing threads; 'auto' uses the machine's cores (at most 4). */
  workers?: number | 'auto';
  /** Below this many bytes everything is parsed on the main thread: a worker costs ~100 ms to start. */
  parallelMinBytes?: number;
}

type Format = z.infer<typeof SourceFormat>;

/**
 * Reads every source into `rollups`. Large inputs are cut into byte ranges on line boundaries and
 * parsed in parallel (the main thread takes one share, worker threads the rest); the partial rollups
 * are merged, and line numbers of skipped lines are renumbered to their place in the whole file.
 */
export async function ingestSources(
  sources: readonly { path: string; format: Format }[],
  rollups: Rollups,
  opts: IngestOptions = {},
): Promise<IngestSummary> {
  const files: { file: string; format: Format; size: number }[] = [];
  for (const source of sources) {
    for (const file of await listSourceFiles([source.path])) files.push({ file, format: source.format, size: (await stat(file)).size });
  }
  const total = files.reduce((s, f) => s + f.size, 0);
  const wanted = opts.workers === undefined || opts.workers === 'auto' ? Math.min(4, availableParallelism()) : opts.workers;
  const threads = total >= (opts.parallelMinBytes ?? 32 * 1024 * 1024) ? Math.max(1, wanted) : 1;

  const shares = threads === 1 ? [files.map((f) => ({ file: f.file, format: f.format, start: 0, end: undefined }))] : await split(files, threads);
  const [own, ...others] = shares;
  const [mine, ...theirs] = await Promise.all([
    (async () => {
      const results: RangeResult[] = [];
      for (const r of own ?? []) results.push(await scanRange(r, rollups));
      return results;
    })(),
    ...others.map((ranges) => inWorker(ranges)),
  ]);
  const results = [...mine];
  for (const t of theirs) {
    mergeRollups(rollups, t.rollups);
    results.push(...t.results);
  }
  return summarise(files.map((f) => f.file), results, shares.length);
}

/** Cuts the files into `n` shares of about equal bytes, every cut on a line start. */
async function split(files: { file: string; format: Format; size: number }[], n: number): Promise<Range[][]> {
  const total = files.reduce((s, f) => s + f.size, 0);
  const target = Math.ceil(total / n);
  const shares: Range[][] = [[]];
  let room = target;
  for (const f of files) {
    let start = 0;
    while (start < f.size) {
      const last = shares.length === n;
      const want = last ? f.size : Math.min(f.size, start + room);
      const end = want >= f.size ? f.size : await lineStartAtOrAfter(f.file, want, f.size);
      if (end > start) shares[shares.length - 1]!.push({ file: f.file, format: f.format, start, end: end >= f.size ? undefined : end });
      room -= end - start;
      start = end;
      if (room <= 0 && !last) {
        shares.push([]);
        room = target;
      }
    }
    if (f.size === 0) shares[shares.length - 1]!.push({ file: f.file, format: f.format, start: 0, end: undefined });
  }
  return shares.filter((s) => s.length);
}

async function inWorker(ranges: Range[]): Promise<{ rollups: Rollups; results: RangeResult[] }> {
  const { Worker } = await import('node:worker_threads');
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: { ranges } });
    let done = false;
    worker.once('message', (m: { rollups: Rollups; results: RangeResult[] }) => {
      done = true;
      resolve({ rollups: Object.assign(emptyRollups(), m.rollups), results: m.results });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`ingest worker exited with code ${code} before finishing`));
    });
  });
}

function summarise(order: string[], results: RangeResult[], threads: number): IngestSummary {
  const summary: IngestSummary = { files: order.length, records: 0, bytes: 0, skipped: 0, skipped_details: [], held_back: [], threads };
  const byFile = new Map<string, RangeResult[]>();
  for (const r of results) byFile.set(r.range.file, [...(byFile.get(r.range.file) ?? []), r]);
  for (const file of order) {
    let linesBefore = 0;
    for (const r of (byFile.get(file) ?? []).sort((a, b) => a.range.start - b.range.start)) {
      summary.records += r.records;
      summary.bytes += r.bytes;
      summary.skipped += r.skipped;
      for (const d of r.skipped_details) {
        if (summary.skipped_details.length < MAX_SKIPPED_DETAILS) summary.skipped_details.push({ ...d, line: d.line + linesBefore });
      }
      if (r.held_back_bytes > 0) summary.held_back.push({ file, bytes: r.held_back_bytes });
      linesBefore += r.lines;
    }
  }
  return summary;
}
