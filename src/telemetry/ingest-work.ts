import { parentPort, workerData } from 'node:worker_threads';
import { emptyRollups, type Rollups } from '../store/rollup.js';
import { scanRange, type Range, type RangeResult } from './scan-range.js';

/** What an ingest worker posts back: a rollup and a result per range, in the ranges' order. */
export interface WorkResult {
  rollups: Rollups[];
  results: RangeResult[];
}

/**
 * What an ingest worker does: parses its share of the ranges, one rollup per range — a range after a
 * held line must be droppable without touching the others — and posts them back. A function rather
 * than top-level code, so that the same module runs as an ES module entry (ingest-worker.ts) and
 * inside the CommonJS start-up worker (cli/early-worker.ts).
 */
export async function work(): Promise<void> {
  const ranges = (workerData as { ranges: Range[] }).ranges;
  const rollups: Rollups[] = [];
  const results: RangeResult[] = [];
  for (const range of ranges) {
    const r = emptyRollups();
    results.push(await scanRange(range, r));
    rollups.push(r);
  }
  // Packed token values and sealed run numbers move to the main thread: transferred, not copied.
  const transfer = new Set<ArrayBuffer>();
  for (const r of rollups) {
    for (const b of r.phases.values()) if (!Array.isArray(b.tokens)) transfer.add(b.tokens.buffer as ArrayBuffer);
    if (r.sealed) transfer.add(r.sealed.numbers.buffer as ArrayBuffer);
  }
  const posted: WorkResult = { rollups, results };
  parentPort!.postMessage(posted, [...transfer]);
}
