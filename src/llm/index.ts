export * from './answer.js';
export * from './client.js';
export * from './guardrails.js';
export * from './merge.js';
export * from './prompt.js';
export * from './step.js';
export * from './view.js';
