import { work } from './ingest-work.js';

/** Worker entry of the parallel ingest (ingest.ts): see ingest-work.ts. */
await work();
