export * from './pr-text.js';
export * from './report.js';
