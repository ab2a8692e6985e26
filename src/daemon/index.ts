export * from './backoff.js';
export * from './daemon.js';
