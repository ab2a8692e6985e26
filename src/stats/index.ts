export * from './ci.js';
export * from './compute.js';
export * from './percentiles.js';
export * from './runs.js';
export * from './types.js';
export * from './window.js';
export * from './tasks.js';
export * from './bounds.js';
