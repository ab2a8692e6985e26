import { parentPort } from 'node:worker_threads';
import { scanRange, type Range } from './scan-range.js';

/**
 * A parsing thread of a large read (read.ts): parses each range it is sent and posts the result
 * back with the range's number, until it is told to stop (an empty message). It may hold a few
 * ranges at once: while one waits on the disk, another is parsed.
 */
parentPort!.on('message', async (job: { i: number; range: Range } | null) => {
  if (!job) {
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ i: job.i, ok: await scanRange(job.range) });
  } catch (e) {
    parentPort!.postMessage({ i: job.i, error: (e as Error).message });
  }
});
