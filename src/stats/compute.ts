import { workStats } from './work.js';
import { COMPLEXITIES, type Complexity } from '../sources/index.js';
import { blendedPricePerToken, costOf, priceOf, type Pricing, type TokenMix } from '../pricing/index.js';
import type { CallBucket, PhaseBucket } from '../store/index.js';
import type { RollupView } from '../store/index.js';
import { p95UpperBoundOf, percentilesOf } from './percentiles.js';
import { computeCategoryCi, emptyCategoryCi } from './ci.js';
import { computeRuns, sum, trendOf } from './runs.js';
import { inWindow, describeWindow, type DayRange } from './window.js';
import type { CategoryStats, ModelRoleStats, PhaseGroupStats, Stats } from './types.js';
import { taskStats } from './tasks.js';
import { dayOf } from '../store/index.js';

/**
 * Tokens failed phases cost beyond what as many successful phases would have; with no successful
 * phase to compare with, all of their tokens.
 */
export function tokensLostToFailures(g: PhaseGroupStats): number {
  return (g.phases - g.outcomes.success) * Math.max(0, (g.mean_tokens_failed ?? 0) - (g.mean_tokens_success ?? 0));
}

export interface StatsOptions {
  range: DayRange;
  pricing: Pricing;
  /** Output share assumed for a model never seen in call records. */
  defaultOutputShare: number;
}

/** All statistics over the window, from rollups alone: a pure function. */
export function computeStats(rollups: RollupView, opts: StatsOptions): Stats {
  const { range, pricing } = opts;
  const callBuckets = rollups.calls.filter((b) => inWindow(range, b.day));
  const models = modelRoleStats(callBuckets, pricing);
  const blended = blendedPrices(callBuckets, rollups, range, opts);

  const byCategory = new Map<string, PhaseBucket[]>();
  for (const b of rollups.phases) {
    if (!inWindow(range, b.day)) continue;
    const list = byCategory.get(b.category);
    if (list) list.push(b);
    else byCategory.set(b.category, [b]);
  }
  const ci = computeCategoryCi(rollups, range);
  const categories: CategoryStats[] = [...byCategory.entries()]
    .map(([category, buckets]) => {
      const group = groupStats(buckets, blended);
      const by_complexity: CategoryStats['by_complexity'] = {};
      for (const c of COMPLEXITIES) {
        const sub = buckets.filter((b) => b.complexity === c);
        // A category worked at one complexity only: the subgroup is the category, computed once.
        if (sub.length === buckets.length) by_complexity[c] = group;
        else if (sub.length) by_complexity[c] = groupStats(sub, blended);
      }
      const dominant_complexity = COMPLEXITIES.reduce<Complexity>((best, c) => ((by_complexity[c]?.phases ?? 0) > (by_complexity[best]?.phases ?? 0) ? c : best), 'low');
      return { category, ...group, dominant_complexity, by_complexity, ci: ci.get(category) ?? emptyCategoryCi() };
    })
    .sort((a, b) => b.tokens_total - a.tokens_total || a.category.localeCompare(b.category));

  const runs = computeRuns(rollups.runs);
  const n = runs.count || 1;
  const phaseCost = categories.reduce((s, c) => s + c.cost_usd, 0);
  const unpriced = new Set<string>();
  for (const [m, p] of Object.entries(blended)) if (p === null) unpriced.add(m);
  const callCost = models.reduce((s, m) => s + (m.cost_usd ?? 0), 0);
  const auxCost = models.filter((m) => m.role !== 'builder' && m.role !== 'auditor').reduce((s, m) => s + (m.cost_usd ?? 0), 0);

  return {
    window: describeWindow(range),
    phases: categories.reduce((s, c) => s + c.phases, 0),
    categories,
    models,
    tiers: ci.tiers,
    runs,
    totals: {
      tokens: sum(runs.total_tokens),
      phase_cost_usd: phaseCost,
      call_cost_usd: callCost,
      unpriced_models: [...unpriced].sort(),
      ci_tokens: sum(runs.ci_tokens),
    },
    per_run: {
      mean_core_tokens: sum(runs.core_tokens) / n,
      mean_aux_tokens: sum(runs.aux_tokens) / n,
      mean_total_tokens: sum(runs.total_tokens) / n,
      // Phases carry builder + auditor work; auxiliary agents are only seen in call records.
      mean_cost_usd: (phaseCost + auxCost) / n,
    },
    trend: trendOf(runs),
    blended_price: blended,
    tasks: taskStats(rollups.tasks.filter((r) => inWindow(range, dayOf(r.ts)))),
    work: workStats(rollups.work.filter((w) => inWindow(range, dayOf(w.ts)))),
  };
}

/** Statistics of any set of phase buckets, priced at each bucket's own model: what evidence narrower than a category is computed with. */
export function groupStats(buckets: readonly PhaseBucket[], blended: Record<string, number | null>): PhaseGroupStats {
  let phases = 0;
  let success = 0;
  let failed = 0;
  let timeout = 0;
  let stuck = 0;
  let retries = 0;
  let truncations = 0;
  let tokens = 0;
  let tokensSuccess = 0;
  let cost = 0;
  let unpriced = 0;
  let capTs = -1;
  let cap = 0;
  const perModel = new Map<string, number>();
  const days = new Set<number>();
  for (const b of buckets) {
    phases += b.phases;
    success += b.success;
    failed += b.failed;
    timeout += b.timeout;
    stuck += b.stuck;
    retries += b.retries;
    truncations += b.truncations;
    tokens += b.tokens_sum;
    tokensSuccess += b.tokens_success_sum;
    const price = blended[b.model];
    if (price === null || price === undefined) unpriced += b.phases;
    else cost += b.tokens_sum * price;
    if (b.cap_ts > capTs) {
      capTs = b.cap_ts;
      cap = b.cap;
    }
    perModel.set(b.model, (perModel.get(b.model) ?? 0) + b.phases);
    days.add(b.day);
  }
  const p = percentilesOf(buckets.map((b) => b.tokens));
  const nonSuccess = phases - success;
  const meanSuccess = success > 0 ? tokensSuccess / success : null;
  const meanFailed = nonSuccess > 0 ? (tokens - tokensSuccess) / nonSuccess : null;
  return {
    phases,
    success_rate: success / phases,
    retries_per_phase: retries / phases,
    outcomes: { success, failed, timeout, stuck },
    tokens_total: tokens,
    tokens_mean: tokens / phases,
    percentiles: p,
    p95_upper: p95UpperBoundOf(buckets.map((b) => b.tokens)),
    truncations,
    mean_tokens_success: meanSuccess,
    mean_tokens_failed: meanFailed,
    failure_cost_multiple: meanSuccess && meanFailed !== null ? meanFailed / meanSuccess : null,
    telemetry_cap: cap,
    cost_usd: cost,
    unpriced_phases: unpriced,
    models: [...perModel.entries()].map(([model, n]) => ({ model, phases: n })).sort((a, b) => b.phases - a.phases || a.model.localeCompare(b.model)),
    days_with_data: days.size,
  };
}

function modelRoleStats(buckets: CallBucket[], pricing: Pricing): ModelRoleStats[] {
  const acc = new Map<string, ModelRoleStats>();
  for (const b of buckets) {
    const key = `${b.model}\u0000${b.role}`;
    let s = acc.get(key);
    if (!s) {
      s = { model: b.model, role: b.role, calls: 0, input: 0, output: 0, cache_creation: 0, cache_read: 0, tokens: 0, cost_usd: 0 };
      acc.set(key, s);
    }
    s.calls += b.calls;
    s.input += b.input;
    s.output += b.output;
    s.cache_creation += b.cache_creation;
    s.cache_read += b.cache_read;
  }
  for (const s of acc.values()) {
    s.tokens = s.input + s.output + s.cache_creation + s.cache_read;
    const price = priceOf(pricing, s.model);
    s.cost_usd = price ? costOf(price, s) : null;
  }
  return [...acc.values()].sort((a, b) => b.tokens - a.tokens || a.model.localeCompare(b.model));
}

/**
 * Per-token price of every model seen, at the mix of token kinds its calls actually had (cache reads
 * make a model far cheaper per token than its list input price suggests). A model with no call
 * records gets the configured default output share; a model with no price gets null.
 */
function blendedPrices(callBuckets: CallBucket[], rollups: RollupView, range: DayRange, opts: StatsOptions): Record<string, number | null> {
  const mixes = new Map<string, TokenMix>();
  for (const b of callBuckets) {
    const m = mixes.get(b.model) ?? { input: 0, output: 0, cache_creation: 0, cache_read: 0 };
    m.input += b.input;
    m.output += b.output;
    m.cache_creation += b.cache_creation;
    m.cache_read += b.cache_read;
    mixes.set(b.model, m);
  }
  const names = new Set<string>(mixes.keys());
  for (const b of rollups.phases) if (inWindow(range, b.day)) names.add(b.model);
  const out: Record<string, number | null> = {};
  for (const model of [...names].sort()) {
    const price = priceOf(opts.pricing, model);
    out[model] = price ? blendedPricePerToken(price, mixes.get(model) ?? defaultMix(opts.defaultOutputShare)) : null;
  }
  return out;
}

export const defaultMix = (outputShare: number): TokenMix => ({
  input: 1 - outputShare,
  output: outputShare,
  cache_creation: 0,
  cache_read: 0,
});
