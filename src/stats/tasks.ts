import type { TaskRunRecord } from '../sources/index.js';
import { dayOf } from '../store/index.js';
import { percentiles, sortedCopy, type Percentiles } from './percentiles.js';

/** One phase of a task over a set of runs. */
export interface TaskPhaseStats {
  phase: string;
  /** Runs in which the phase acted (not skipped by its gate). */
  runs: number;
  /** Of those, the runs it stopped at its turn budget. */
  cap_hits: number;
  failures: number;
  /** Turns of the runs that finished the phase within its budget and succeeded: what it needs. */
  finished: number;
  /** Percentiles of those turns; null without any. */
  turns: Percentiles | null;
  /** The budget the runs last reported (on a cap hit); null when none did. */
  allowed_turns: number | null;
  tokens_mean: number;
}

/** A set of a task's runs: outcomes, no-ops, what they cost and what their phases used. */
export interface TaskGroupStats {
  runs: number;
  success_rate: number;
  noops: number;
  noop_share: number;
  days_with_data: number;
  /** When the first run finished (epoch ms; 0 without runs). */
  first_ts: number;
  /** Runs on a local provider: they cost nothing and stay out of the cost means. */
  local_runs: number;
  /** Runs with a cost of more than zero, and their sum and mean (USD, as the runner resolved it). */
  priced_runs: number;
  cost_usd: number;
  mean_cost_usd: number | null;
  /** What the no-op runs cost. */
  noop_cost_usd: number;
  tokens_total: number;
  /** Median seconds from one run's start to the next one's: the cadence the task ran at. */
  median_gap_s: number | null;
  phases: TaskPhaseStats[];
  /** Runs per model, most first. */
  models: { model: string; runs: number }[];
}

export interface TaskStats extends TaskGroupStats {
  task: string;
  /** The provider of its latest run. */
  provider: string | undefined;
}

/** Statistics of any set of one task's runs (oldest first): what evidence narrower than the window is computed with. */
export function taskGroup(runs: readonly TaskRunRecord[]): TaskGroupStats {
  let success = 0;
  let noops = 0;
  let local = 0;
  let priced = 0;
  let cost = 0;
  let noopCost = 0;
  let tokens = 0;
  const days = new Set<number>();
  const models = new Map<string, number>();
  const phases = new Map<string, { runs: number; cap_hits: number; failures: number; ok: number[]; allowed: number | null; allowedTs: number; tokens: number }>();
  for (const r of runs) {
    if (r.outcome === 'success') success++;
    if (r.noop) {
      noops++;
      noopCost += r.cost_usd ?? 0;
    }
    if (r.local) local++;
    else if (r.cost_usd !== undefined && r.cost_usd > 0) {
      priced++;
      cost += r.cost_usd;
    }
    tokens += r.tokens;
    days.add(dayOf(r.ts));
    models.set(r.model, (models.get(r.model) ?? 0) + 1);
    for (const p of r.phases) {
      let s = phases.get(p.name);
      if (!s) phases.set(p.name, (s = { runs: 0, cap_hits: 0, failures: 0, ok: [], allowed: null, allowedTs: -1, tokens: 0 }));
      if (p.allowed_turns !== undefined && r.ts >= s.allowedTs) {
        s.allowed = p.allowed_turns;
        s.allowedTs = r.ts;
      }
      if (p.idle) continue;
      s.runs++;
      s.tokens += p.tokens;
      if (p.cap_hit) s.cap_hits++;
      if (p.failed) s.failures++;
      if (!p.cap_hit && !p.failed && r.outcome === 'success' && p.turns !== undefined) s.ok.push(p.turns);
    }
  }
  const starts = runs.map((r) => r.started_ts).sort((a, b) => a - b);
  const gaps = starts.slice(1).map((t, i) => (t - starts[i]!) / 1000);
  const n = runs.length;
  return {
    runs: n,
    success_rate: n ? success / n : 0,
    noops,
    noop_share: n ? noops / n : 0,
    days_with_data: days.size,
    first_ts: runs.length ? Math.min(...runs.map((r) => r.ts)) : 0,
    local_runs: local,
    priced_runs: priced,
    cost_usd: cost,
    mean_cost_usd: priced ? cost / priced : null,
    noop_cost_usd: noopCost,
    tokens_total: tokens,
    median_gap_s: gaps.length ? percentiles(sortedCopy(gaps)).p50 : null,
    phases: [...phases.entries()].map(([phase, s]) => ({
      phase,
      runs: s.runs,
      cap_hits: s.cap_hits,
      failures: s.failures,
      finished: s.ok.length,
      turns: s.ok.length ? percentiles(sortedCopy(s.ok)) : null,
      allowed_turns: s.allowed,
      tokens_mean: s.runs ? s.tokens / s.runs : 0,
    })),
    models: [...models.entries()].map(([model, k]) => ({ model, runs: k })).sort((a, b) => b.runs - a.runs || a.model.localeCompare(b.model)),
  };
}

/** Per task, the window's runs: what the report's task table shows. */
export function taskStats(runs: readonly TaskRunRecord[]): TaskStats[] {
  const byTask = new Map<string, TaskRunRecord[]>();
  for (const r of runs) (byTask.get(r.task) ?? byTask.set(r.task, []).get(r.task)!).push(r);
  return [...byTask.entries()].map(([task, rs]) => ({ task, provider: rs.at(-1)!.provider, ...taskGroup(rs) })).sort((a, b) => b.cost_usd - a.cost_usd || a.task.localeCompare(b.task));
}

/**
 * The days a task's per-day figures are over: from its first run in the window (or the day after
 * `afterDay`, its key's last change) to the window's last day. Days before its first run hold no data.
 */
export function daysWithData(window: { since: string; until: string }, firstTs: number, afterDay = -Infinity): number {
  const day = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
  const from = Math.max(afterDay + 1, day(window.since), firstTs > 0 ? Math.floor(firstTs / 86_400_000) : -Infinity);
  return Math.max(1, day(window.until) - from + 1);
}
