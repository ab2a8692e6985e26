import { join } from 'node:path';
import { workerData } from 'node:worker_threads';
import { loadCached } from './code-cache.js';

/**
 * Worker entry of the early read (telemetry/early-read.ts), built into dist/cli/early-worker.cjs: a
 * worker's start is on the path of every incremental `tune check`, so it runs the parsing code from
 * a CommonJS bundle with V8's code cache (code-cache.ts) rather than loading ES modules — ~35 ms
 * sooner. With `saveCodeCache` set (the build), it writes the cache once the work is done, so the
 * cache holds the functions the work compiled.
 */
const bundle = loadCached(join(__dirname, '../bundle/ingest-work.cjs'));
void (bundle.exports['work'] as () => Promise<void>)().then(() => {
  if ((workerData as { saveCodeCache?: boolean }).saveCodeCache) bundle.saveCache();
});
