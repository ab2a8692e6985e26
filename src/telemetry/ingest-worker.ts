import { parentPort, workerData } from 'node:worker_threads';
import { emptyRollups, type Rollups } from '../store/rollup.js';
import { scanRange, type Range, type RangeResult } from './scan-range.js';

/** Worker entry: parses its share of the ranges into one rollup per file and posts them back. */
const ranges = (workerData as { ranges: Range[] }).ranges;
const byFile = new Map<string, Rollups>();
const results: RangeResult[] = [];
for (const range of ranges) {
  let r = byFile.get(range.file);
  if (!r) byFile.set(range.file, (r = emptyRollups()));
  results.push(await scanRange(range, r));
}
parentPort!.postMessage({ rollups: [...byFile], results });
