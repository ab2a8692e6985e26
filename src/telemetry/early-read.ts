import type { WorkResult } from './ingest-work.js';
import type { Range } from './scan-range.js';

/**
 * Bytes appended to known source files, parsed by a worker thread that the `tune` start-up file
 * starts as soon as its no-op check has found them: while the main thread loads the check, the
 * config and the state, the worker parses. The full path then takes a range's result only if it
 * would read exactly that range (same file, start, line and quiet cut-off) — a file found rotated or
 * rewritten meanwhile is read again as usual — and parses whatever it was not given. Light: bundled
 * into the start-up file.
 */
export interface EarlyRead {
  ranges: readonly Range[];
  /** The worker's answer; null when it failed (the full path then parses as usual). Never rejects. */
  done: Promise<WorkResult | null>;
  /** Stops the worker if it is still running (its answer is not needed). */
  cancel(): void;
}

/** Starts `workerFile` (the ingest worker) on `ranges`. */
export async function startEarlyRead(ranges: Range[], workerFile: string): Promise<EarlyRead> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(workerFile, { workerData: { ranges } });
  let settled = false;
  const done = new Promise<WorkResult | null>((resolve) => {
    worker.once('message', (m: WorkResult) => resolve(m));
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  }).finally(() => {
    settled = true;
  });
  return {
    ranges,
    done,
    cancel: () => {
      if (!settled) void worker.terminate();
    },
  };
}

/** Whether the early read parsed exactly `r`; its index in the early ranges, or -1. */
export function earlyIndex(early: EarlyRead, r: Range): number {
  return early.ranges.findIndex((e) => e.file === r.file && e.format === r.format && e.start === r.start && e.line === r.line && e.end === r.end && e.quietAfter === r.quietAfter);
}
