

export * from './analyze.js';
export * from './budget-rules.js';
export * from './cap-rules.js';
export * from './ci-rules.js';
export * from './context.js';
export * from './model-rules.js';
export * from './rule-context.js';
export * from './finding.js';
export * from './evidence.js';
export * from './helpers.js';
export * from './hold.js';
export * from './migration-rules.js';
export * from './outcomes.js';
export * from './task-rules.js';
export * from './task-common.js';
export * from './turn-rules.js';
export * from './cadence-rules.js';
export * from './task-model-rules.js';
export * from './cost-spikes.js';
