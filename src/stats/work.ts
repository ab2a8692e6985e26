import type { WorkRecord } from '../sources/index.js';
import { percentileOfSorted } from './percentiles.js';

/**
 * Units of work (agent invocations) grouped by agent and model: how many, how many with a known
 * outcome and how many of those succeeded, the corrections users made, durations and reported cost.
 * What a source left unknown stays out of the figure it would have counted in (a unit with no outcome
 * is in `units`, not in the success rate). A unit reported as a success whose work its caller
 * dispatched again counts as a failure: the caller did not take its result.
 */
export interface AgentWorkStats {
  agent: string;
  /** Null where the source did not say which model did the work. */
  model: string | null;
  units: number;
  with_outcome: number;
  /** Units that ended well and were not asked for again: a run whose work was re-dispatched did not do. */
  successes: number;
  /** Units the user stopped: in `units`, not in `with_outcome`. */
  interrupted: number;
  /** Units whose caller asked for the same work again after they ended. */
  redispatched: number;
  /** Failed units by how they failed, where the source says (AutoSkillit's error_max_turns, timeout …). */
  failures_by: Record<string, number>;
  /** Failed tool calls per unit, over the units whose source counts them; null when none does. */
  tool_errors_per_unit: number | null;
  /** Successes over units with a known outcome; null when none has one. */
  success_rate: number | null;
  /** Units a user corrected (at least once), over those whose source counts corrections. */
  corrected: number;
  correction_rate: number | null;
  duration_p50_ms: number | null;
  duration_p95_ms: number | null;
  /** The cost the source reported, summed over the units that carry one. */
  reported_cost_usd: number | null;
  first_ts: number;
  last_ts: number;
}

// The percentiles every other figure uses, none for no duration.
const pct = (sorted: number[], p: number): number | null => (sorted.length ? percentileOfSorted(sorted, p) : null);

export function workStats(work: readonly WorkRecord[]): AgentWorkStats[] {
  const groups = new Map<string, WorkRecord[]>();
  for (const w of work) {
    const k = `${w.agent}\u0000${w.model ?? ''}`;
    const g = groups.get(k);
    if (g) g.push(w);
    else groups.set(k, [w]);
  }
  return [...groups.values()]
    .map((g): AgentWorkStats => {
      const known = g.filter((w) => w.outcome !== undefined);
      const counted = g.filter((w) => w.corrections !== undefined);
      const durations = g.flatMap((w) => (w.duration_ms === undefined ? [] : [w.duration_ms])).sort((a, b) => a - b);
      const costs = g.flatMap((w) => (w.cost_usd === undefined ? [] : [w.cost_usd]));
      const successes = known.filter((w) => w.outcome === 'success' && !w.redispatched).length;
      const withErrors = g.filter((w) => w.tool_errors !== undefined);
      const corrected = counted.filter((w) => (w.corrections ?? 0) > 0).length;
      return {
        agent: g[0]!.agent,
        model: g[0]!.model ?? null,
        units: g.length,
        with_outcome: known.length,
        successes,
        interrupted: g.filter((w) => w.interrupted).length,
        redispatched: g.filter((w) => w.redispatched).length,
        failures_by: known.reduce<Record<string, number>>((a, w) => (w.outcome === 'failed' && w.failure ? { ...a, [w.failure]: (a[w.failure] ?? 0) + 1 } : a), {}),
        tool_errors_per_unit: withErrors.length ? withErrors.reduce((a, w) => a + w.tool_errors!, 0) / withErrors.length : null,
        success_rate: known.length ? successes / known.length : null,
        corrected,
        correction_rate: counted.length ? corrected / counted.length : null,
        duration_p50_ms: pct(durations, 50),
        duration_p95_ms: pct(durations, 95),
        reported_cost_usd: costs.length ? costs.reduce((a, b) => a + b, 0) : null,
        first_ts: Math.min(...g.map((w) => w.ts)),
        last_ts: Math.max(...g.map((w) => w.ts)),
      };
    })
    .sort((a, b) => b.units - a.units || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
}
