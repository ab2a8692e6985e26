import { copyOf, mergeTier, type CallBucket, type PhaseBucket, type Rollups, type TierDay } from './rollup.js';
import type { RunIndex } from './run-index.js';
import { sealRuns, type SealedRuns } from './sealed-runs.js';

/**
 * Per-run summaries: the sealed tables of the files, not merged — a run spread over several files is
 * merged by whoever walks them (eachMergedRun), so no merged copy of the history's runs is built.
 */
export type RunTables = SealedRuns[];

/**
 * What the stats read: every bucket of several rollups (one per source file), with runs and tiers —
 * which a run or a day can spread over several files — merged by key. Buckets are shared with the
 * rollups, not copied; runs stay in their files' sealed tables; a tier found in more than one file is merged into a new
 * object.
 */
export interface RollupView {
  phases: PhaseBucket[];
  calls: CallBucket[];
  runs: RunTables;
  /** The runs of the rollups the run index covers; `runs` then holds only the other rollups' tables. */
  index?: RunIndex;
  tiers: Map<string, TierDay>;
  max_ts: number;
  records: number;
}

export function viewOf(all: Iterable<Rollups>, indexed?: { index: RunIndex; covers: ReadonlySet<Rollups> }): RollupView {
  const view: Omit<RollupView, 'runs'> = { phases: [], calls: [], tiers: new Map(), max_ts: 0, records: 0 };
  const ownedTiers = new Set<string>();
  const sources: SealedRuns[] = [];
  for (const r of all) {
    view.records += r.records;
    if (r.max_ts > view.max_ts) view.max_ts = r.max_ts;
    for (const b of r.phases.values()) view.phases.push(b);
    for (const b of r.calls.values()) view.calls.push(b);
    if (!indexed?.covers.has(r)) {
      if (r.sealed) sources.push(r.sealed);
      if (r.runs.size) sources.push(sealRuns(r.runs));
    }
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
  return { ...view, runs: sources, ...(indexed ? { index: indexed.index } : {}) };
}
