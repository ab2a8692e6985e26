import * as z from 'zod';
import type { Change } from '../targets/index.js';
import { COMPLEXITIES } from '../sources/index.js';
import type { TargetState } from '../targets/index.js';
import type { Stats } from '../stats/index.js';
import { tokensLostToFailures } from '../stats/index.js';
import type { WasteReport } from '../waste/index.js';
import { fmtPct, fmtTokens } from '../common/index.js';

/**
 * What the prompt is rendered from: aggregates and config only, never transcript text. Every string
 * that came from telemetry or a target file passes through `quoted` — control characters stripped,
 * length-limited, JSON-quoted — so it reads as data, not as instructions.
 */

const MAX_NAME = 64;
const MAX_FAILURE_ROWS = 10;
const Quoted = z
  .string()
  .regex(/^".*"$/s, 'must be a quoted string')
  .max(MAX_NAME * 6 + 2);

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
      p50: z.string(),
      p75: z.string(),
      p90: z.string(),
      p95: z.string(),
      cap: z.string(),
      utilisation: z.string(),
      truncations: z.number().int(),
      success_rate: z.string(),
      retries_per_phase: z.string(),
      failure_multiple: z.string(),
      cost_usd: z.string(),
    }),
  ),
  /** The costliest failure patterns: tokens lost to failed phases beyond a successful one's cost. */
  failures: z.array(z.strictObject({ name: Quoted, failed: z.number().int(), mean_success: z.string(), mean_failed: z.string(), lost: z.string() })),
  ci_tiers: z.array(z.strictObject({ tier: Quoted, profiles: z.string(), runs: z.number(), caught: z.number(), false_positives: z.number(), tokens: z.string() })),
  category_ci: z.array(z.strictObject({ name: Quoted, profile: z.string(), catch_rate: z.string(), false_positive_rate: z.string(), escape_rate: z.string() })),
  model_selector: z.array(z.strictObject({ complexity: z.string(), default: z.string(), entries: z.string() })),
  ladders: z.array(z.strictObject({ family: Quoted, models: z.string() })),
  ci_ladder: z.string(),
  run_budgets: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  /** Scheduled agent tasks (Myco), and their phases' turn budgets. */
  tasks: z.array(
    z.strictObject({ name: Quoted, model: Quoted, runs: z.number().int(), success_rate: z.string(), noops: z.string(), cost_usd: z.string(), mean_cost_usd: z.string(), interval: z.string() }),
  ),
  task_phases: z.array(z.strictObject({ name: Quoted, budget: z.string(), runs: z.number().int(), cap_hits: z.number().int(), p50: z.string(), p95: z.string() })),
  /** Waste found in agent sessions: counts and totals per kind, never transcript text. */
  waste: z.array(z.strictObject({ kind: z.string(), cases: z.number().int(), calls: z.number().int(), tokens: z.string(), cost_usd: z.string(), saving_usd: z.string() })),
  candidates: z.array(z.strictObject({ kind: z.string(), items: z.string() })),
});
export type PromptView = z.infer<typeof PromptView>;

export function buildPromptView(input: {
  project: string;
  stats: Stats;
  targets: TargetState;
  ladders: Record<string, string[]>;
  ciLadder: string[];
  candidates: Change[];
  waste?: WasteReport | undefined;
}): PromptView {
  const { stats, targets } = input;
  const num = (n: number | null) => (n === null ? 'n/a' : fmtTokens(n));
  const value = (v: string | number | null) => (v === null ? 'n/a' : typeof v === 'number' ? String(v) : quoted(v));
  const view: PromptView = {
    project: quoted(input.project),
    window: stats.window,
    runs_analyzed: stats.runs.count,
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
        models: c.models.length === 1 ? quoted(c.models[0]!.model) : c.models.map((m) => `${quoted(m.model)}×${m.phases}`).join(' '),
        p50: num(c.percentiles.p50),
        p75: num(c.percentiles.p75),
        p90: num(c.percentiles.p90),
        p95: num(c.percentiles.p95),
        cap: num(cap),
        utilisation: cap ? fmtPct(c.percentiles.p95 / cap) : 'n/a',
        truncations: c.truncations,
        success_rate: fmtPct(c.success_rate, 1),
        retries_per_phase: c.retries_per_phase.toFixed(2),
        failure_multiple: c.failure_cost_multiple === null ? 'n/a' : `${c.failure_cost_multiple.toFixed(1)}x`,
        cost_usd: c.cost_usd.toFixed(2),
      };
    }),
    failures: stats.categories
      .map((c) => ({ c, lost: tokensLostToFailures(c) }))
      .filter(({ lost }) => lost > 0)
      .sort((a, b) => b.lost - a.lost)
      .slice(0, MAX_FAILURE_ROWS)
      .map(({ c, lost }) => ({
        name: quoted(c.category),
        failed: c.phases - c.outcomes.success,
        mean_success: num(c.mean_tokens_success),
        mean_failed: num(c.mean_tokens_failed),
        lost: num(lost),
      })),
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
        profile: targets.ci[c.category] ? quoted(targets.ci[c.category]!.value) : 'n/a',
        catch_rate: fmtPct(c.ci.catch_rate, 1),
        false_positive_rate: fmtPct(c.ci.false_positive_rate, 1),
        escape_rate: fmtPct(c.ci.escape_rate, 1),
      })),
    // Only explicit entries: a category not listed uses its complexity's default.
    model_selector: COMPLEXITIES.map((complexity) => {
      const cells = targets.categories.map((c) => [c, targets.model(c, complexity, 'builder')] as const);
      const fallback = cells.find(([, cell]) => cell?.current && !cell.explicit)?.[1]?.current?.value;
      return {
        complexity,
        default: fallback ? quoted(fallback) : 'none',
        entries: cells
          .filter(([, cell]) => cell?.explicit && cell.current)
          .map(([c, cell]) => `${quoted(c)}=${quoted(cell!.current!.value)}`)
          .join(', '),
      };
    }).filter((m) => m.entries || m.default !== 'none'),
    ladders: Object.entries(input.ladders).map(([family, models]) => ({ family: quoted(family), models: models.map(quoted).join(' < ') })),
    ci_ladder: input.ciLadder.map(quoted).join(' < '),
    run_budgets: Object.entries(targets.budgets).map(([key, v]) => ({ key, value: num(v!.value) })),
    tasks: stats.tasks.map((t) => {
      const target = targets.tasks[t.task];
      const model = targets.model(t.task, null, 'builder');
      return {
        name: quoted(t.task),
        model: quoted(model?.explicit && model.current ? model.current.value : (t.models[0]?.model ?? '')),
        runs: t.runs,
        success_rate: fmtPct(t.success_rate, 1),
        noops: fmtPct(t.noop_share, 1),
        cost_usd: t.local_runs === t.runs ? 'local, 0' : t.cost_usd.toFixed(2),
        mean_cost_usd: t.mean_cost_usd === null ? 'n/a' : t.mean_cost_usd.toFixed(3),
        interval: target?.interval ? `${target.interval.value}s` : t.median_gap_s !== null ? `~${Math.round(t.median_gap_s)}s between runs` : 'n/a',
      };
    }),
    task_phases: stats.tasks.flatMap((t) =>
      t.phases
        .filter((p) => p.runs > 0)
        .map((p) => ({
          name: quoted(`${t.task}/${p.phase}`),
          budget: String(targets.tasks[t.task]?.turns[p.phase]?.value ?? (p.allowed_turns !== null ? `${p.allowed_turns} (task definition)` : 'task definition, unknown')),
          runs: p.runs,
          cap_hits: p.cap_hits,
          p50: p.turns ? p.turns.p50.toFixed(1) : 'n/a',
          p95: p.turns ? p.turns.p95.toFixed(1) : 'n/a',
        })),
    ),
    waste: (input.waste?.findings ?? []).map((f) => ({
      kind: f.kind,
      cases: f.occurrences,
      calls: f.calls,
      tokens: fmtTokens(f.tokens),
      cost_usd: f.usd.toFixed(2),
      saving_usd: f.saving_usd.toFixed(2),
    })),
    candidates: groupCandidates(input.candidates, value),
  };
  return PromptView.parse(view);
}

/** Candidates grouped by kind, one line each, so long prefixes are not repeated per candidate. */
function groupCandidates(changes: Change[], value: (v: string | number | null) => string): PromptView['candidates'] {
  const kinds = ['model', 'token_cap', 'ci_profile', 'run_budget', 'turn_budget', 'schedule', 'effort'] as const;
  return kinds
    .map((kind) => ({
      kind,
      items: changes
        .filter((c) => c.kind === kind)
        .map((c) => {
          const where =
            kind === 'model'
              ? `${quoted(c.category ?? '')}/${c.complexity ? `${c.complexity}/` : ''}${c.role}`
              : kind === 'run_budget'
                ? (c.key ?? '')
                : kind === 'turn_budget'
                  ? quoted(`${c.category ?? ''}/${c.key ?? ''}`)
                  : quoted(c.category ?? '');
          return `${where} ${value(c.from)}->${value(c.to)}${c.pilot ? ' pilot' : ''}`;
        })
        .join('; '),
    }))
    .filter((g) => g.items);
}
