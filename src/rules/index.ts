export * from './analyze.js';
export * from './budget-rules.js';
export * from './cap-rules.js';
export * from './ci-rules.js';
export * from './context.js';
export * from './model-rules.js';
export * from './rule-context.js';
export * from './finding.js';
