import { dayOf } from '../store/rollup.js';
import type { RollupView } from '../store/rollup-view.js';
import { eachMergedRun, RUN_FIELDS } from '../store/sealed-runs.js';
import type { RunColumns, RunStats, Trend } from './types.js';
import { inWindow, type DayRange } from './window.js';

const RECENT = 5;

const FIELD = Object.fromEntries(RUN_FIELDS.map((f, j) => [f, j])) as Record<(typeof RUN_FIELDS)[number], number>;

/** The fields the run statistics use (not last_ts). */
const USED = RUN_FIELDS.filter((f) => f !== 'last_ts');
type UsedField = (typeof USED)[number];
const SOURCE = USED.map((f) => FIELD[f]);

/** Per-run totals of the runs that started in the window, oldest first, as columns. */
export function computeRuns(rollups: RollupView, range: DayRange): RunColumns {
  // Only the window's runs are copied out, into columns that double as they fill; the history's runs
  // are walked once, never merged into a copy.
  const ids: string[] = [];
  let cols = USED.map(() => new Float64Array(1024));
  let n = 0;
  eachMergedRun(rollups.runs, (id, numbers, offset) => {
    if (!inWindow(range, dayOf(numbers[offset + FIELD.first_ts]!))) return;
    if (n === cols[0]!.length) {
      cols = cols.map((c) => {
        const bigger = new Float64Array(c.length * 2);
        bigger.set(c);
        return bigger;
      });
    }
    ids.push(id);
    for (let j = 0; j < SOURCE.length; j++) cols[j]![n] = numbers[offset + SOURCE[j]!]!;
    n++;
  });
  const column = (f: UsedField) => cols[USED.indexOf(f)]!;
  const first = column('first_ts');
  // The walk is in id order and Array.prototype.sort is stable, so ties on start time stay in id
  // order; it is also fast on the nearly sorted order that run ids usually give.
  const rows = Array.from({ length: n }, (_, i) => i).sort((a, b) => first[a]! - first[b]!);
  const at = (i: number, f: UsedField) => column(f)[i]!;
  const recent: RunStats[] = rows.slice(-RECENT).map((i) => ({
    run_id: ids[i]!,
    started_ts: at(i, 'first_ts'),
    phases: at(i, 'phases'),
    failures: at(i, 'failures'),
    core_tokens: at(i, 'phase_tokens'),
    builder_tokens: at(i, 'builder_tokens'),
    auditor_tokens: at(i, 'auditor_tokens'),
    aux_tokens: at(i, 'aux_tokens'),
    ci_tokens: at(i, 'ci_tokens'),
    total_tokens: at(i, 'phase_tokens') + at(i, 'aux_tokens'),
  }));
  // Into start-time order in place, through one scratch column (run ids often sort in time order
  // already: then nothing moves).
  if (!rows.every((r, k) => r === k)) {
    const scratch = new Float64Array(n);
    for (const c of cols) {
      for (let k = 0; k < n; k++) scratch[k] = c[rows[k]!]!;
      c.set(scratch);
    }
  }
  const col = (f: UsedField) => column(f).subarray(0, n);
  const core = col('phase_tokens');
  const aux = col('aux_tokens');
  return {
    count: n,
    started_ts: col('first_ts'),
    core_tokens: core,
    aux_tokens: aux,
    builder_tokens: col('builder_tokens'),
    auditor_tokens: col('auditor_tokens'),
    ci_tokens: col('ci_tokens'),
    total_tokens: core.map((c, k) => c + aux[k]!),
    failures: col('failures'),
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
