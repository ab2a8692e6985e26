import { sourceAdapter, type CursorOptions, type SourceAdapter } from '../sources/index.js';
import { listUnits, type FileUnit, type SourceFiles } from './list.js';

/** A unit found on disk now, with its adapter. */
export interface FoundUnit extends FileUnit {
  adapter: SourceAdapter;
}

/** How the configured sources' units are found: their adapters' shapes and extensions. */
export function sourceFiles(sources: readonly { path: string; format: string; server?: CursorOptions }[]): SourceFiles[] {
  return sources.map((s) => {
    const a = sourceAdapter(s.format);
    return { path: s.path, format: s.format, shape: a.shape, extensions: [...a.extensions], ...(a.companions ? { companions: [...a.companions] } : {}), ...(s.server ? { server: s.server } : {}) };
  });
}

/** The units of the configured sources as they are on disk now; a missing source path throws, naming it. */
export function findUnits(sources: readonly { path: string; format: string; server?: CursorOptions }[]): FoundUnit[] {
  return listUnits(sourceFiles(sources)).map((u) => ({ ...u, adapter: sourceAdapter(u.format) }));
}
