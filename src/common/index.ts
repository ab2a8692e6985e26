export * from './errors.js';
export * from './format.js';
export * from './escape.js';
export * from './config-here.js';
export * from './secrets.js';
export * from './closest.js';
