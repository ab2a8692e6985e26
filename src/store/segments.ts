import { emptyRollups, mergeRollups, type Rollups } from './rollup.js';

/**
 * A source file's rollup as a base and appended segments. A run that read only the bytes appended to
 * a file writes what it read as a new segment (`<key>#<generation>`), not the whole rollup again: at
 * 1 GB that whole rollup is ~28 MB, and writing and fsyncing it took most of an incremental run. The
 * statistics read base and segments side by side, as they read several source files. Segments are
 * merged among themselves when there are more than MAX_SEGMENTS, and into the base once they hold a
 * quarter of its records, so the base is rewritten rarely and reading stays a handful of files.
 */

export const MAX_SEGMENTS = 4;
const SEP = '#';

export const isSegment = (key: string): boolean => key.includes(SEP);
const segmentKeys = (all: Map<string, Rollups>, key: string): string[] => [...all.keys()].filter((k) => k.startsWith(`${key}${SEP}`));

/** Removes a file's segments and returns its whole rollup, merged (for a retired file: rare). */
export function takeWhole(all: Map<string, Rollups>, key: string): Rollups | undefined {
  const base = all.get(key);
  const segments = segmentKeys(all, key);
  if (!base && !segments.length) return undefined;
  const whole = base ?? emptyRollups();
  for (const s of segments) {
    mergeRollups(whole, all.get(s)!);
    all.delete(s);
  }
  all.delete(key);
  return whole;
}

/** Drops a file's rollup and segments (its contribution is being replaced). */
export function dropAll(all: Map<string, Rollups>, key: string): boolean {
  const segments = segmentKeys(all, key);
  for (const s of segments) all.delete(s);
  return all.delete(key) || segments.length > 0;
}

/**
 * Adds what was read from a file: into the base while the base is empty (a new or re-read file),
 * else as a new segment; then compacts. Returns the keys whose rollup changed (to write).
 */
export function appendRead(all: Map<string, Rollups>, key: string, read: Rollups, generation: number): string[] {
  const base = all.get(key) ?? emptyRollups();
  all.set(key, base);
  if (read.records === 0) return [];
  if (base.records === 0) {
    mergeRollups(base, read);
    return [key];
  }
  const fresh = `${key}${SEP}${generation}`;
  all.set(fresh, read);
  const segments = segmentKeys(all, key);
  const segmentRecords = segments.reduce((n, s) => n + all.get(s)!.records, 0);
  if (segmentRecords * 4 >= base.records) {
    for (const s of segments) {
      mergeRollups(base, all.get(s)!);
      all.delete(s);
    }
    return [key];
  }
  if (segments.length > MAX_SEGMENTS) {
    const merged = emptyRollups();
    for (const s of segments) {
      mergeRollups(merged, all.get(s)!);
      all.delete(s);
    }
    all.set(fresh, merged);
  }
  return [fresh];
}
