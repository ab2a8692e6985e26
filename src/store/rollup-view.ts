import { copyOf, mergeTier, type CallBucket, type PhaseBucket, type Rollups, type TierDay } from './rollup.js';
import { mergeSealed, RUN_FIELDS, sealRuns, type SealedRuns } from './sealed-runs.js';

const F = RUN_FIELDS.length;

/** Per-run summaries of several files merged by run id, as columns: no object per run. */
export interface RunTable {
  ids: string[];
  first_ts: Float64Array;
  last_ts: Float64Array;
  phases: Float64Array;
  failures: Float64Array;
  phase_tokens: Float64Array;
  builder_tokens: Float64Array;
  auditor_tokens: Float64Array;
  aux_tokens: Float64Array;
  ci_tokens: Float64Array;
}


/**
 * What the stats read: every bucket of several rollups (one per source file), with runs and tiers —
 * which a run or a day can spread over several files — merged by key. Buckets are shared with the
 * rollups, not copied; runs become columns; a tier found in more than one file is merged into a new
 * object.
 */
export interface RollupView {
  phases: PhaseBucket[];
  calls: CallBucket[];
  runs: RunTable;
  tiers: Map<string, TierDay>;
  max_ts: number;
  records: number;
}

export function viewOf(all: Iterable<Rollups>): RollupView {
  const view: Omit<RollupView, 'runs'> = { phases: [], calls: [], tiers: new Map(), max_ts: 0, records: 0 };
  const ownedTiers = new Set<string>();
  const sources: SealedRuns[] = [];
  for (const r of all) {
    view.records += r.records;
    if (r.max_ts > view.max_ts) view.max_ts = r.max_ts;
    for (const b of r.phases.values()) view.phases.push(b);
    for (const b of r.calls.values()) view.calls.push(b);
    if (r.sealed) sources.push(r.sealed);
    if (r.runs.size) sources.push(sealRuns(r.runs));
    for (const [key, t] of r.tiers) {
      const a = view.tiers.get(key);
      if (!a) view.tiers.set(key, t);
      else {
        // Tiers are shared with the rollups: merge into a copy, made once.
        const m = ownedTiers.has(key) ? a : copyOf(a);
        ownedTiers.add(key);
        mergeTier(m, t);
        view.tiers.set(key, m);
      }
    }
  }
  const merged = mergeSealed(sources);
  const column = (j: number) => {
    const out = new Float64Array(merged.ids.length);
    for (let i = 0; i < out.length; i++) out[i] = merged.numbers[i * F + j]!;
    return out;
  };
  const cols = Object.fromEntries(RUN_FIELDS.map((f, j) => [f, column(j)])) as Record<(typeof RUN_FIELDS)[number], Float64Array>;
  return { ...view, runs: { ids: merged.ids, ...cols } };
}


