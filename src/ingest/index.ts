export { catchUp, findUnits, NOTHING_READ, type CatchUpOptions, type FoundUnit, type IngestSummary } from './units.js';
export { listSourceFiles } from './list.js';
