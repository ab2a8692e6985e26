import type { RunTable } from '../store/index.js';
import type { RunColumns, Trend } from './types.js';

/** Per-run totals as the stats use them, from the window's runs in start order. */
export function computeRuns(runs: RunTable): RunColumns {
  const total = new Float64Array(runs.count);
  for (let k = 0; k < runs.count; k++) total[k] = runs.phase_tokens[k]! + runs.aux_tokens[k]!;
  return {
    count: runs.count,
    started_ts: runs.first_ts,
    core_tokens: runs.phase_tokens,
    aux_tokens: runs.aux_tokens,
    builder_tokens: runs.builder_tokens,
    auditor_tokens: runs.auditor_tokens,
    ci_tokens: runs.ci_tokens,
    total_tokens: total,
    failures: runs.failures,
    recent: runs.recent.map((r) => ({
      run_id: r.run_id,
      started_ts: r.first_ts,
      phases: r.phases,
      failures: r.failures,
      core_tokens: r.phase_tokens,
      builder_tokens: r.builder_tokens,
      auditor_tokens: r.auditor_tokens,
      aux_tokens: r.aux_tokens,
      ci_tokens: r.ci_tokens,
      total_tokens: r.phase_tokens + r.aux_tokens,
    })),
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
