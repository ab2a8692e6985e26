export * from './detect.js';
export * from './report.js';
export * from './trace.js';
