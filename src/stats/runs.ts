import { dayOf } from '../store/rollup.js';
import type { RollupView } from '../store/rollup-view.js';
import type { RunColumns, RunStats, Trend } from './types.js';
import { inWindow, type DayRange } from './window.js';

const RECENT = 5;

/** Per-run totals of the runs that started in the window, oldest first, as columns. */
export function computeRuns(rollups: RollupView, range: DayRange): RunColumns {
  const t = rollups.runs;
  const rows: number[] = [];
  for (let i = 0; i < t.ids.length; i++) if (inWindow(range, dayOf(t.first_ts[i]!))) rows.push(i);
  // Rows are in id order already, and the sort is stable: ties on start time stay in id order.
  rows.sort((a, b) => t.first_ts[a]! - t.first_ts[b]!);
  const col = (source: Float64Array) => {
    const out = new Float64Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = source[rows[k]!]!;
    return out;
  };
  const core = col(t.phase_tokens);
  const aux = col(t.aux_tokens);
  const recent: RunStats[] = rows.slice(-RECENT).map((i) => ({
    run_id: t.ids[i]!,
    started_ts: t.first_ts[i]!,
    phases: t.phases[i]!,
    failures: t.failures[i]!,
    core_tokens: t.phase_tokens[i]!,
    builder_tokens: t.builder_tokens[i]!,
    auditor_tokens: t.auditor_tokens[i]!,
    aux_tokens: t.aux_tokens[i]!,
    ci_tokens: t.ci_tokens[i]!,
    total_tokens: t.phase_tokens[i]! + t.aux_tokens[i]!,
  }));
  return {
    count: rows.length,
    started_ts: col(t.first_ts),
    core_tokens: core,
    aux_tokens: aux,
    builder_tokens: col(t.builder_tokens),
    auditor_tokens: col(t.auditor_tokens),
    ci_tokens: col(t.ci_tokens),
    total_tokens: core.map((c, k) => c + aux[k]!),
    failures: col(t.failures),
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
