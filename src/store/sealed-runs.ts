import type { RunSummary, Rollups } from './rollup.js';

/**
 * Run summaries as sealed tables: ids sorted, numbers packed. A history holds hundreds of thousands of
 * runs; kept like this they cost two arrays instead of an object each, and the tables of several
 * source files merge by walking their sorted ids instead of through a map.
 */

/**
 * The numeric fields of a run summary, in the order SealedRuns stores them. Merging two summaries of
 * one run takes the earliest first_ts, the latest last_ts, and sums the rest (RUN_SUMS).
 */
export const RUN_FIELDS = ['first_ts', 'last_ts', 'phases', 'failures', 'phase_tokens', 'builder_tokens', 'auditor_tokens', 'aux_tokens', 'ci_tokens'] as const;
export const RUN_SUMS = RUN_FIELDS.slice(2) as readonly Exclude<(typeof RUN_FIELDS)[number], 'first_ts' | 'last_ts'>[];

/** Ids sorted; numbers row-major in RUN_FIELDS order. */
export interface SealedRuns {
  ids: string[];
  numbers: Float64Array;
}

const F = RUN_FIELDS.length;

/** Rows of a table, without loading one read lazily from a rollups file (it knows its count). */
export const sealedRows = (t: SealedRuns): number => (t as SealedRuns & { rows?: number }).rows ?? t.ids.length;

/** Run summaries as a sorted, sealed table. */
export function sealRuns(runs: Map<string, RunSummary>): SealedRuns {
  const ids = [...runs.keys()].sort(byId);
  const numbers = new Float64Array(ids.length * F);
  ids.forEach((id, i) => {
    const s = runs.get(id)!;
    for (let j = 0; j < F; j++) numbers[i * F + j] = s[RUN_FIELDS[j]!];
  });
  return { ids, numbers };
}

/** Rows one table must win in a row before the merge looks for a whole stretch of them. */
const MIN_GALLOP = 8;

/**
 * Sealed tables merged by walking their sorted ids; one run in several tables is summed. When one
 * table keeps winning (runs of one range of the file, after those of the range before), the rest of
 * its stretch below every other table's next id is found by galloping and copied in bulk; tables that
 * interleave row by row (phase and CI records of the same runs) never pay for that search.
 */
export function mergeSealed(tables: readonly SealedRuns[]): SealedRuns {
  if (tables.length === 1) return tables[0]!;
  const total = tables.reduce((n, t) => n + t.ids.length, 0);
  const ids: string[] = [];
  const numbers = new Float64Array(total * F);
  const at = tables.map(() => 0);
  let out = -1;
  let last = -1;
  let wins = 0;
  for (;;) {
    const pick = nextTable(tables, at);
    if (pick === -1) break;
    wins = pick === last ? wins + 1 : 1;
    last = pick;
    const table = tables[pick]!;
    const row = at[pick]!++;
    const id = table.ids[row]!;
    const src = row * F;
    if (out >= 0 && ids[out] === id) foldRow(numbers, out * F, table.numbers, src);
    else {
      out++;
      ids.push(id);
      copyRow(numbers, out * F, table.numbers, src);
    }
    if (wins < MIN_GALLOP) continue;
    // Every row of this table below the other tables' next ids is new and comes next.
    let bound: string | undefined;
    for (let t = 0; t < tables.length; t++) {
      const head = tables[t]!.ids[at[t]!];
      if (t !== pick && head !== undefined && (bound === undefined || head < bound)) bound = head;
    }
    const from = at[pick]!;
    const end = bound === undefined ? table.ids.length : gallop(table.ids, bound, from);
    for (let r = from; r < end; r++) ids.push(table.ids[r]!);
    numbers.set(table.numbers.subarray(from * F, end * F), (out + 1) * F);
    out += end - from;
    at[pick] = end;
    wins = 0;
  }
  return { ids, numbers: numbers.subarray(0, ids.length * F) };
}

/** First index at or after `from` whose id is not below `id`: exponential, then binary search. */
function gallop(ids: readonly string[], id: string, from: number): number {
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < ids.length && ids[hi]! < id) {
    lo = hi + 1;
    hi = from + step;
    step *= 2;
  }
  hi = Math.min(hi, ids.length);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every run of several sealed tables, merged as mergeSealed would merge them, handed to `emit` in id
 * order without building the merged table: the caller reads RUN_FIELDS values at numbers[offset + j]
 * (valid only during the call).
 */
export function eachMergedRun(tables: readonly SealedRuns[], emit: (id: string, numbers: Float64Array, offset: number) => void): void {
  if (tables.length === 1) {
    const t = tables[0]!;
    for (let i = 0; i < t.ids.length; i++) emit(t.ids[i]!, t.numbers, i * F);
    return;
  }
  const at = tables.map(() => 0);
  const row = new Float64Array(F);
  let current: string | undefined;
  for (;;) {
    const pick = nextTable(tables, at);
    if (pick === -1) break;
    const table = tables[pick]!;
    const r = at[pick]!++;
    const id = table.ids[r]!;
    const src = r * F;
    if (id === current) foldRow(row, 0, table.numbers, src);
    else {
      if (current !== undefined) emit(current, row, 0);
      current = id;
      copyRow(row, 0, table.numbers, src);
    }
  }
  if (current !== undefined) emit(current, row, 0);
}

/** The table whose next id is the smallest (the first such on a tie); -1 when all are walked. */
function nextTable(tables: readonly SealedRuns[], at: readonly number[]): number {
  let pick = -1;
  for (let t = 0; t < tables.length; t++) {
    if (at[t]! < tables[t]!.ids.length && (pick === -1 || tables[t]!.ids[at[t]!]! < tables[pick]!.ids[at[pick]!]!)) pick = t;
  }
  return pick;
}

/** Copies one row. Not through subarray(): a view object per run is garbage by the hundred thousand. */
function copyRow(into: Float64Array, dst: number, from: Float64Array, src: number): void {
  for (let j = 0; j < F; j++) into[dst + j] = from[src + j]!;
}

/** Folds the row at `src` into the row at `dst`, by the rule of RUN_FIELDS: min, max, then sums. */
function foldRow(into: Float64Array, dst: number, from: Float64Array, src: number): void {
  into[dst] = Math.min(into[dst]!, from[src]!);
  into[dst + 1] = Math.max(into[dst + 1]!, from[src + 1]!);
  for (let j = 2; j < F; j++) into[dst + j]! += from[src + j]!;
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every run of a rollup as summaries (tests and small uses; a history should stay sealed). */
export function runSummaries(r: Rollups): RunSummary[] {
  const merged = mergeSealed([...(r.sealed ? [r.sealed] : []), sealRuns(r.runs)]);
  return merged.ids.map((run_id, i) => {
    const s = { run_id } as RunSummary;
    RUN_FIELDS.forEach((f, j) => (s[f] = merged.numbers[i * F + j]!));
    return s;
  });
}
