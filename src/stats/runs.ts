import { dayOf, type RollupView } from '../store/rollup.js';
import type { RunStats, Trend } from './types.js';
import { inWindow, type DayRange } from './window.js';

/** Per-run totals of the runs that started in the window, oldest first. */
export function computeRuns(rollups: RollupView, range: DayRange): RunStats[] {
  const runs: RunStats[] = [];
  for (const r of rollups.runs.values()) {
    if (!inWindow(range, dayOf(r.first_ts))) continue;
    runs.push({
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
    });
  }
  return runs.sort((a, b) => a.started_ts - b.started_ts || (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
}

/** Movement under this share between the halves is reported as flat. */
const FLAT = 0.05;

/** Compares the mean run of the older half of the window with the newer half. */
export function trendOf(runs: readonly RunStats[]): Trend {
  if (runs.length < 4) return { direction: 'unknown', first_half_mean: null, second_half_mean: null, change: null };
  const half = Math.floor(runs.length / 2);
  const mean = (rs: readonly RunStats[]) => rs.reduce((s, r) => s + r.total_tokens, 0) / rs.length;
  const first = mean(runs.slice(0, half));
  const second = mean(runs.slice(runs.length - half));
  const change = first > 0 ? (second - first) / first : 0;
  const direction = change < -FLAT ? 'declining' : change > FLAT ? 'rising' : 'flat';
  return { direction, first_half_mean: first, second_half_mean: second, change };
}
