import { dayOf } from '../store/rollup.js';
import type { RollupView } from '../store/rollup-view.js';
import { FIRST_TS, INDEX_FIELDS, SEALED_AT, type IndexField } from '../store/run-index.js';
import { eachMergedRun, type SealedRuns } from '../store/sealed-runs.js';
import { indexedWindow } from './indexed-runs.js';
import type { RunColumns, RunStats, Trend } from './types.js';
import { startOrder } from './start-order.js';
import { inWindow, type DayRange } from './window.js';

const RECENT = 5;
/** Where a sealed table's row holds first_ts. */
const START = SEALED_AT[FIRST_TS]!;

/** The window's runs in start order: one column per INDEX_FIELDS field (not last_ts), and each row's id. */
export interface RunWindow {
  n: number;
  columns: Float64Array[];
  idOf: (row: number) => string;
}

/**
 * Per-run totals of the runs that started in the window, oldest first, as columns: from the run
 * index and the few runs of the tables it does not cover when the view has one (indexed-runs.ts),
 * else from all the tables.
 */
export function computeRuns(rollups: RollupView, range: DayRange): RunColumns {
  return runColumns(rollups.index ? indexedWindow(rollups.index, rollups.runs, range) : tableWindow(rollups.runs, range));
}

/**
 * The window's runs from the sealed tables alone. This runs once per process over every run of the
 * history, so it is written for code V8 has not optimised yet: typed arrays sized up front, plain
 * loops, and no per-run objects or comparator calls.
 */
export function tableWindow(tables: readonly SealedRuns[], range: DayRange): RunWindow {
  // The history's runs are walked once, never merged into a copy; only the window's are copied out.
  // Sized for the largest table: the merged runs are at least as many, and usually not many more.
  let cols = INDEX_FIELDS.map(() => new Float64Array(Math.max(1024, ...tables.map((t) => t.ids.length))));
  let ids: string[] = [];
  let n = 0;
  eachMergedRun(tables, (id, numbers, offset) => {
    if (!inWindow(range, dayOf(numbers[offset + START]!))) return;
    if (n === cols[0]!.length) {
      cols = cols.map((c) => {
        const bigger = new Float64Array(Math.ceil(c.length * 1.5));
        bigger.set(c);
        return bigger;
      });
    }
    ids.push(id);
    for (let j = 0; j < SEALED_AT.length; j++) cols[j]![n] = numbers[offset + SEALED_AT[j]!]!;
    n++;
  });
  const columns = cols.map((c) => c.subarray(0, n));
  const rows = startOrder(columns[FIRST_TS]!);
  // Into start-time order in place, through one scratch column (run ids often sort in time order
  // already: then nothing moves).
  let moved = false;
  for (let k = 0; k < n && !moved; k++) moved = rows[k] !== k;
  if (moved) {
    const scratch = new Float64Array(n);
    const inOrder = new Array<string>(n);
    for (let k = 0; k < n; k++) inOrder[k] = ids[rows[k]!]!;
    ids = inOrder;
    for (const c of columns) {
      for (let k = 0; k < n; k++) scratch[k] = c[rows[k]!]!;
      c.set(scratch);
    }
  }
  return { n, columns, idOf: (k) => ids[k]! };
}

function runColumns(w: RunWindow): RunColumns {
  const { n } = w;
  const column = (f: IndexField) => w.columns[INDEX_FIELDS.indexOf(f)]!;
  const core = column('phase_tokens');
  const aux = column('aux_tokens');
  const total = new Float64Array(n);
  for (let k = 0; k < n; k++) total[k] = core[k]! + aux[k]!;
  const at = (k: number, f: IndexField) => column(f)[k]!;
  const recent: RunStats[] = [];
  for (let k = Math.max(0, n - RECENT); k < n; k++) {
    recent.push({
      run_id: w.idOf(k),
      started_ts: at(k, 'first_ts'),
      phases: at(k, 'phases'),
      failures: at(k, 'failures'),
      core_tokens: core[k]!,
      builder_tokens: at(k, 'builder_tokens'),
      auditor_tokens: at(k, 'auditor_tokens'),
      aux_tokens: aux[k]!,
      ci_tokens: at(k, 'ci_tokens'),
      total_tokens: total[k]!,
    });
  }
  return {
    count: n,
    started_ts: column('first_ts'),
    core_tokens: core,
    aux_tokens: aux,
    builder_tokens: column('builder_tokens'),
    auditor_tokens: column('auditor_tokens'),
    ci_tokens: column('ci_tokens'),
    total_tokens: total,
    failures: column('failures'),
    recent,
  };
}

/** Movement under this share between the halves is reported as flat. */
const FLAT = 0.05;

/** Compares the mean run of the older half of the window with the newer half. */
export function trendOf(runs: RunColumns): Trend {
  const n = runs.count;
  if (n < 4) return { direction: 'unknown', first_half_mean: null, second_half_mean: null, change: null };
  const half = Math.floor(n / 2);
  const mean = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += runs.total_tokens[i]!;
    return s / (to - from);
  };
  const first = mean(0, half);
  const second = mean(n - half, n);
  const change = first > 0 ? (second - first) / first : 0;
  const direction = change < -FLAT ? 'declining' : change > FLAT ? 'rising' : 'flat';
  return { direction, first_half_mean: first, second_half_mean: second, change };
}

export const sum = (xs: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
};
