import { parentPort } from 'node:worker_threads';
import { scanRange, type Range } from './scan-range.js';

/**
 * A parsing thread of a large read (read.ts): parses each range it is sent and posts the result
 * back, until it is told to stop (an empty message).
 */
parentPort!.on('message', async (range: Range | null) => {
  if (!range) {
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ ok: await scanRange(range) });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
