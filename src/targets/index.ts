export * from './api.js';
export * from './apply.js';
export * from './change.js';
export * from './read.js';
export * from './registry.js';
export * from './seed-models.js';
export * from './seed-strategy.js';
export * from './edit/yaml.js';
export { EFFORT_LEVELS } from './claude-agents.js';
