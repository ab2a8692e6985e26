export * from './pr-text.js';
export * from './report.js';
export * from './usage.js';
export * from './blocks.js';
export * from './tracker.js';
export * from './waste.js';
export * from './step.js';
