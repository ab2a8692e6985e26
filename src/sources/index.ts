export type { AppendLinesAdapter, CursorAdapter, CursorOptions, CursorRow, LineResult, SourceAdapter, WholeFileAdapter } from './api.js';
export { SOURCES, SOURCE_FORMATS, sourceAdapter } from './registry.js';
export * from './records.js';
export { TokentuneLine, parseTokentuneLine } from './tokentune-jsonl.js';
export { isoTimestampMs, zodIssues } from './parse.js';
export { claudeCodeRoots, projectOf } from './claude-code.js';
export { codexRoots, parseCodexFile } from './codex.js';
export { formatOf, type Sniffed } from './sniff.js';
export { vextrusBudget } from './vextrus.js';
