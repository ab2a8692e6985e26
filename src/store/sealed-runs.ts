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

/** Sealed tables merged by walking their sorted ids; one run in several tables is summed. */
export function mergeSealed(tables: readonly SealedRuns[]): SealedRuns {
  if (tables.length === 1) return tables[0]!;
  const total = tables.reduce((n, t) => n + t.ids.length, 0);
  const ids: string[] = [];
  const numbers = new Float64Array(total * F);
  const at = tables.map(() => 0);
  let out = -1;
  for (;;) {
    let pick = -1;
    for (let t = 0; t < tables.length; t++) {
      if (at[t]! < tables[t]!.ids.length && (pick === -1 || byId(tables[t]!.ids[at[t]!]!, tables[pick]!.ids[at[pick]!]!) < 0)) pick = t;
    }
    if (pick === -1) break;
    const table = tables[pick]!;
    const row = at[pick]!++;
    const id = table.ids[row]!;
    const src = row * F;
    if (out >= 0 && ids[out] === id) {
      const dst = out * F;
      numbers[dst] = Math.min(numbers[dst]!, table.numbers[src]!);
      numbers[dst + 1] = Math.max(numbers[dst + 1]!, table.numbers[src + 1]!);
      for (let j = 2; j < F; j++) numbers[dst + j]! += table.numbers[src + j]!;
    } else {
      out++;
      ids.push(id);
      numbers.set(table.numbers.subarray(src, src + F), out * F);
    }
  }
  return { ids, numbers: numbers.subarray(0, ids.length * F) };
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
