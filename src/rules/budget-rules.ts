import { RUN_BUDGET_KEYS, type RunBudgetKey } from '../targets/index.js';
import { percentileOfSorted, sortedCopy } from '../stats/index.js';
import type { RunColumns } from '../stats/index.js';
import type { Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import type { RuleContext } from './context.js';
import { daysSinceChange } from './evidence.js';
import { limitMove, pct, plural, roundUpReadable } from './helpers.js';

/** Fewer runs than this and a run-level percentile says little. */
export const MIN_RUNS_FOR_BUDGET = 5;

const TOKENS_OF: Record<RunBudgetKey, (r: RunColumns) => Float64Array> = {
  core_build_tokens: (r) => r.core_tokens,
  aux_agent_tokens: (r) => r.aux_tokens,
};

/**
 * Run budgets: a high percentile of per-run totals with headroom, moved by the projected token effect
 * of the other changes in the proposal (model and CI changes that touch the same budget).
 */
export function budgetRules(ctx: RuleContext, otherChanges: readonly Change[]): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const rule = ctx.rules.run_budget;
  const runs = ctx.stats.runs;
  if (runs.count < MIN_RUNS_FOR_BUDGET) {
    if (Object.keys(ctx.targets.budgets).length) {
      findings.push({ kind: 'needs_more_data', category: null, area: 'run_budget', message: `${plural(runs.count, 'run')} in the window, fewer than ${MIN_RUNS_FOR_BUDGET}; run budgets kept` });
    }
    return { changes, findings };
  }
  // Only model changes move builder work; CI tokens are not part of either budget.
  const coreEffect = otherChanges.filter((c) => c.kind === 'model').reduce((s, c) => s + c.effect.tokens_per_run, 0);
  for (const key of RUN_BUDGET_KEYS) {
    const current = ctx.targets.budgets[key];
    if (!current) continue;
    if (TOKENS_OF[key](runs).every((v) => v === 0)) {
      findings.push({ kind: 'no_telemetry', category: null, area: 'run_budget', message: `${key}: no run recorded tokens for it; kept` });
      continue;
    }
    const since = runTokensSince(ctx, key);
    if (since.length < MIN_RUNS_FOR_BUDGET) {
      findings.push({
        kind: 'needs_more_data',
        category: null,
        area: 'run_budget',
        message: `${key}: waiting for runs under the budget in force: ${since.length} of ${MIN_RUNS_FOR_BUDGET} runs since it last changed; kept`,
      });
      continue;
    }
    const observed = observedRunTokens(ctx, key);
    // Most runs never spending it is no evidence of what it should be: a budget sized to zero stops all.
    if (!(observed > 0)) {
      findings.push({
        kind: 'needs_more_data',
        category: null,
        area: 'run_budget',
        message: `${key}: P${rule.percentile} of its tokens per run is 0 (${plural(since.filter((v) => v > 0).length, 'run')} of ${since.length} used any): no evidence of use to size it by; kept`,
      });
      continue;
    }
    const effect = key === 'core_build_tokens' ? coreEffect : 0;
    // Projected increases are added; projected savings (mostly from pilots) are not subtracted until
    // later runs have measured them: a budget cut on a hoped-for saving would stop real runs.
    const to = roundUpReadable(Math.max(observed, observed + effect) * (1 + rule.headroom));
    const cap = current.value;
    if (Math.abs(to - cap) < cap * ctx.rules.cap.min_change) {
      findings.push({ kind: 'below_min_change', category: null, area: 'run_budget', message: `${key}: derived ${n(to)} is within ${pct(ctx.rules.cap.min_change)} of ${n(cap)}; kept` });
      continue;
    }
    changes.push(budgetChange(ctx, key, cap, to, effect));
  }
  return { changes, findings };
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

/** Per-run tokens of one run budget, of the window's runs that started after the budget last changed. */
export function runTokensSince(ctx: RuleContext, key: RunBudgetKey): Float64Array {
  const since = daysSinceChange(ctx, 'run_budget', null, key);
  const runs = ctx.stats.runs;
  const all = TOKENS_OF[key](runs);
  if (since < 0) return all;
  const cut = (since + 1) * 86_400_000;
  return all.filter((_, i) => runs.started_ts[i]! >= cut);
}

/** P{percentile} of one run budget's per-run tokens, over the runs since it last changed. */
export function observedRunTokens(ctx: RuleContext, key: RunBudgetKey): number {
  return percentileOfSorted(sortedCopy(runTokensSince(ctx, key)), ctx.rules.run_budget.percentile);
}

/** A run budget change from `cap` to `to`, with the per-run percentile it rests on. */
export function budgetChange(ctx: RuleContext, key: RunBudgetKey, cap: number, towards: number, effect: number): Change {
  const rule = ctx.rules.run_budget;
  const runs = runTokensSince(ctx, key).length;
  const observed = observedRunTokens(ctx, key);
  const step = limitMove(cap, towards, ctx.rules.max_move);
  const to = step.value;
  const stepText = step.steps > 1 ? ` Step 1 of about ${step.steps} towards ${n(towards)}: one proposal moves a value by at most ${pct(ctx.rules.max_move)}.` : '';
  return {
    kind: 'run_budget',
    category: null,
    complexity: null,
    role: null,
    key,
    from: cap,
    to,
    direction: to < cap ? 'down' : 'up',
    source: 'rules',
    evidence: {
      runs,
      [`p${rule.percentile}_tokens_per_run`]: Math.round(observed),
      projected_effect_of_changes: Math.round(effect),
      headroom: rule.headroom,
      utilisation: Math.round((observed / cap) * 10_000) / 10_000,
      derived_budget: towards,
      steps_to_derived: step.steps,
    },
    effect: { tokens_per_run: 0, usd_per_run: 0 },
    rationale: `P${rule.percentile} of ${key.replace(/_/g, ' ')} per run is ${n(observed)} (${pct(observed / cap)} of the budget)${effect ? `; the proposed model changes move it by ${n(effect)}` : ''}; ${n(to)} keeps ${pct(to / observed - 1)} headroom over it.${stepText}`,
    risk: to < cap ? 'Low: above every run but the top few percent; an unusually large run may hit it.' : 'Low: raises a ceiling that runs were approaching.',
    confidence: runs >= 3 * MIN_RUNS_FOR_BUDGET ? 'high' : 'medium',
    pilot: false,
  };
}
