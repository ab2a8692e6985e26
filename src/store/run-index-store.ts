import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Rollups } from './rollup.js';
import { buildRunIndex, decodeRunIndex, encodeRunIndex, type RunIndex } from './run-index.js';
import { sealedRows, sealRuns, type SealedRuns } from './sealed-runs.js';
import { writeParts } from './sectioned.js';
import { isSegment } from './segments.js';
import type { RunIndexEntry } from './state.js';

/**
 * The run index (run-index.ts) beside the state, as the state's RunIndexEntry names it. It is a
 * cache: unreadable, it is ignored (the statistics read the tables) and rebuilt at the next commit;
 * it never makes a state invalid.
 */

export const RUN_INDEX_FILE = /^runs-\d+\.bin$/;

export function readRunIndex(dir: string, entry: RunIndexEntry | undefined): RunIndex | undefined {
  if (!entry) return undefined;
  try {
    return decodeRunIndex(readFileSync(join(dir, entry.file)));
  } catch {
    return undefined;
  }
}

const runCount = (r: Rollups): number => (r.sealed ? sealedRows(r.sealed) : 0) + r.runs.size;

/** Whether every rollup the index covers is still there, in the same file. */
const stillCovers = (entry: RunIndexEntry, files: Record<string, string>): boolean => Object.entries(entry.keys).every(([k, name]) => files[k] === name);

/**
 * The index for a commit whose rollups files are `files`. The current one is kept while it still
 * covers its rollups and the settled rollups it does not cover (a file first read since, or a new
 * one) hold under a quarter of its runs — as segments are merged into their base — else a new one is
 * built from `rollups` and written (fsynced) as `runs-<generation>.bin`.
 */
export function indexForCommit(dir: string, current: RunIndexEntry | undefined, files: Record<string, string>, rollups: Map<string, Rollups>, generation: number): RunIndexEntry {
  const settled = Object.keys(files).filter((k) => !isSegment(k));
  if (current && stillCovers(current, files)) {
    const uncovered = settled.filter((k) => current.keys[k] === undefined).reduce((n, k) => n + runCount(rollups.get(k)!), 0);
    if (uncovered * 4 <= current.runs) return current;
  }
  const keys: Record<string, string> = {};
  const tables: SealedRuns[] = [];
  for (const key of settled) {
    const r = rollups.get(key)!;
    if (!runCount(r)) continue;
    keys[key] = files[key]!;
    if (r.sealed) tables.push(r.sealed);
    if (r.runs.size) tables.push(sealRuns(r.runs));
  }
  const index = buildRunIndex(tables);
  const file = `runs-${generation}.bin`;
  const tmp = join(dir, `${file}.${process.pid}.tmp`);
  writeParts(tmp, encodeRunIndex(index));
  renameSync(tmp, join(dir, file));
  return { file, keys, runs: index.count };
}

/**
 * The rollups a loaded index covers, if it still covers them all unchanged by this run (same file,
 * not rewritten); the runs of every other rollup are read from their tables beside it.
 */
export function coveredBy(entry: RunIndexEntry | undefined, files: Record<string, string>, perFile: Map<string, Rollups>, dirty: ReadonlySet<string> | undefined): Set<Rollups> | undefined {
  if (!entry || !stillCovers(entry, files)) return undefined;
  const covers = new Set<Rollups>();
  for (const key of Object.keys(entry.keys)) {
    const r = perFile.get(key);
    if (!r || dirty?.has(key)) return undefined;
    covers.add(r);
  }
  return covers;
}
