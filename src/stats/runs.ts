import type { RunSummary } from '../store/index.js';
import type { RunColumns, RunStats, Trend } from './types.js';

const RECENT = 5;

/** Per-run totals as columns, from the window's runs in start order (as the store gives them). */
export function computeRuns(runs: readonly RunSummary[]): RunColumns {
  const n = runs.length;
  const column = (f: (r: RunSummary) => number) => {
    const c = new Float64Array(n);
    for (let k = 0; k < n; k++) c[k] = f(runs[k]!);
    return c;
  };
  const core = column((r) => r.phase_tokens);
  const aux = column((r) => r.aux_tokens);
  const total = column((r) => r.phase_tokens + r.aux_tokens);
  const recent: RunStats[] = runs.slice(Math.max(0, n - RECENT)).map((r) => ({
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
  }));
  return {
    count: n,
    started_ts: column((r) => r.first_ts),
    core_tokens: core,
    aux_tokens: aux,
    builder_tokens: column((r) => r.builder_tokens),
    auditor_tokens: column((r) => r.auditor_tokens),
    ci_tokens: column((r) => r.ci_tokens),
    total_tokens: total,
    failures: column((r) => r.failures),
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
