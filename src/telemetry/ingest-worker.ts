import { parentPort, workerData } from 'node:worker_threads';
import { emptyRollups } from '../store/rollup.js';
import { scanRange, type Range, type RangeResult } from './scan-range.js';

/** Worker entry: parses its share of the ranges into its own rollups and posts them back. */
const ranges = (workerData as { ranges: Range[] }).ranges;
const rollups = emptyRollups();
const results: RangeResult[] = [];
for (const range of ranges) results.push(await scanRange(range, rollups));
parentPort!.postMessage({ rollups, results });
