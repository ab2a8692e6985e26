export { loadConfig, parseConfig, type LoadedConfig } from './load.js';
export * from './schema.js';
