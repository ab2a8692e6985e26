export * from './git.js';
export * from './github.js';
export * from './publish.js';
export * from './platform.js';
