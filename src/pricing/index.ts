export * from './cost.js';
export * from './schema.js';
export * from './table.js';
export * from './retirements.js';
export * from './litellm.js';
