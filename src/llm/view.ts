import { z } from 'zod';
import type { Change } from '../analysis/change.js';
import { COMPLEXITIES } from '../telemetry/schema.js';
import type { TargetState } from '../proposal/targets.js';
import type { Stats } from '../stats/types.js';
import { fmtPct, fmtTokens } from '../proposal/format.js';

/**
 * What the prompt is rendered from: aggregates and config only, never transcript text. Every string
 * that came from telemetry or a target file passes through `quoted` — control characters stripped,
 * length-limited, JSON-quoted — so it reads as data, not as instructions.
 */

const MAX_NAME = 64;
const Quoted = z.string().regex(/^".*"$/s, 'must be a quoted string').max(MAX_NAME * 6 + 2);

export function quoted(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').slice(0, MAX_NAME);
  return JSON.stringify(clean);
}

export const PromptView = z.strictObject({
  project: Quoted,
  window: z.strictObject({ since: z.string(), until: z.string(), days: z.number().int() }),
  runs_analyzed: z.number().int(),
  phases: z.number().int(),
  per_run: z.strictObject({ total_tokens: z.string(), cost_usd: z.string(), trend: z.string() }),
  categories: z.array(
    z.strictObject({
      name: Quoted,
      phases: z.number().int(),
      complexity: z.string(),
      models: z.string(),
      success_rate: z.string(),
      retries_per_phase: z.string(),
      p10: z.string(),
      p25: z.string(),
      p50: z.string(),
      p75: z.string(),
      p90: z.string(),
      p95: z.string(),
      cap: z.string(),
      utilisation: z.string(),
      truncations: z.number().int(),
      failure_multiple: z.string(),
      mean_success: z.string(),
      mean_failed: z.string(),
      cost_usd: z.string(),
    }),
  ),
  ci_tiers: z.array(
    z.strictObject({ tier: Quoted, profiles: z.string(), runs: z.number(), caught: z.number(), false_positives: z.number(), tokens: z.string() }),
  ),
  category_ci: z.array(z.strictObject({ name: Quoted, catch_rate: z.string(), false_positive_rate: z.string(), escape_rate: z.string() })),
  category_defaults: z.array(z.strictObject({ name: Quoted, cap: z.string(), ci_profile: z.string() })),
  model_selector: z.array(z.strictObject({ complexity: z.string(), entries: z.string() })),
  ladders: z.array(z.strictObject({ family: Quoted, models: z.string() })),
  ci_ladder: z.string(),
  run_budgets: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  candidates: z.array(z.strictObject({ key: z.string(), from: z.string(), to: z.string(), evidence: z.string() })),
});
export type PromptView = z.infer<typeof PromptView>;

export function buildPromptView(input: {
  project: string;
  stats: Stats;
  targets: TargetState;
  ladders: Record<string, string[]>;
  ciLadder: string[];
  candidates: Change[];
}): PromptView {
  const { stats, targets } = input;
  const num = (n: number | null) => (n === null ? 'n/a' : fmtTokens(n));
  const view: PromptView = {
    project: quoted(input.project),
    window: stats.window,
    runs_analyzed: stats.runs.length,
    phases: stats.phases,
    per_run: {
      total_tokens: fmtTokens(stats.per_run.mean_total_tokens),
      cost_usd: `$${stats.per_run.mean_cost_usd.toFixed(2)}`,
      trend: stats.trend.direction === 'unknown' ? 'unknown' : `${stats.trend.direction} (${fmtPct(stats.trend.change, 1)})`,
    },
    categories: stats.categories.map((c) => {
      const cap = targets.caps[c.category]?.value ?? c.telemetry_cap;
      return {
        name: quoted(c.category),
        phases: c.phases,
        complexity: c.dominant_complexity,
        models: c.models.map((m) => `${quoted(m.model)}×${m.phases}`).join(' '),
        success_rate: fmtPct(c.success_rate, 1),
        retries_per_phase: c.retries_per_phase.toFixed(2),
        p10: num(c.percentiles.p10),
        p25: num(c.percentiles.p25),
        p50: num(c.percentiles.p50),
        p75: num(c.percentiles.p75),
        p90: num(c.percentiles.p90),
        p95: num(c.percentiles.p95),
        cap: num(cap),
        utilisation: cap ? fmtPct(c.percentiles.p95 / cap) : 'n/a',
        truncations: c.truncations,
        failure_multiple: c.failure_cost_multiple === null ? 'n/a' : `${c.failure_cost_multiple.toFixed(1)}x`,
        mean_success: num(c.mean_tokens_success),
        mean_failed: num(c.mean_tokens_failed),
        cost_usd: c.cost_usd.toFixed(2),
      };
    }),
    ci_tiers: stats.tiers.map((t) => ({
      tier: quoted(t.tier_id),
      profiles: t.ci_profiles.map(quoted).join(' ') || 'none',
      runs: t.ci_runs,
      caught: t.ci_failures_caught,
      false_positives: t.ci_false_positives,
      tokens: fmtTokens(t.ci_tokens),
    })),
    category_ci: stats.categories
      .filter((c) => c.ci.attributed_runs > 0)
      .map((c) => ({
        name: quoted(c.category),
        catch_rate: fmtPct(c.ci.catch_rate, 1),
        false_positive_rate: fmtPct(c.ci.false_positive_rate, 1),
        escape_rate: fmtPct(c.ci.escape_rate, 1),
      })),
    category_defaults: targets.categories
      .filter((c) => targets.caps[c] || targets.ci[c])
      .map((c) => ({ name: quoted(c), cap: num(targets.caps[c]?.value ?? null), ci_profile: targets.ci[c] ? quoted(targets.ci[c]!.value) : 'n/a' })),
    model_selector: COMPLEXITIES.map((complexity) => ({
      complexity,
      entries: targets.categories
        .map((c) => {
          const cell = targets.model(c, complexity, 'builder');
          return cell?.current ? `${quoted(c)}=${quoted(cell.current.value)}${cell.explicit ? '' : ' (default)'}` : null;
        })
        .filter((x): x is string => x !== null)
        .join(', '),
    })).filter((m) => m.entries),
    ladders: Object.entries(input.ladders).map(([family, models]) => ({ family: quoted(family), models: models.map(quoted).join(' < ') })),
    ci_ladder: input.ciLadder.map(quoted).join(' < '),
    run_budgets: Object.entries(targets.budgets).map(([key, v]) => ({ key, value: num(v!.value) })),
    candidates: input.candidates.map((c) => ({
      key: [c.kind, c.category && quoted(c.category), c.complexity, c.role, c.key].filter(Boolean).join(' '),
      from: c.from === null ? 'n/a' : typeof c.from === 'number' ? String(c.from) : quoted(c.from),
      to: typeof c.to === 'number' ? String(c.to) : quoted(c.to),
      evidence: Object.entries(c.evidence)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? quoted(v) : v}`)
        .join(', '),
    })),
  };
  return PromptView.parse(view);
}
