export { catchUp, findUnits, sourceFiles, NOTHING_READ, type CatchUpOptions, type FoundUnit, type IngestSummary } from './units.js';
export { listSourceFiles, listUnits, type FileUnit, type SourceFiles } from './list.js';
