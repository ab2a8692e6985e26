export { catchUp, type CatchUpOptions } from './units.js';
export { findUnits, sourceFiles, type FoundUnit } from './found.js';
export { NOTHING_READ, type IngestSummary, type Progress } from './tally.js';
export { isServerUrl, listSourceFiles, listUnits, type FileUnit, type SourceFiles } from './list.js';
