import { RUN_BUDGET_KEYS, type RunBudgetKey } from '../targets/index.js';
import { percentileOfSorted, sortedCopy } from '../stats/index.js';
import type { RunColumns } from '../stats/index.js';
import type { Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import { pct, roundUpReadable, type RuleContext } from './context.js';

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
      findings.push({ kind: 'needs_more_data', category: null, area: 'run_budget', message: `${runs.count} runs in the window, fewer than ${MIN_RUNS_FOR_BUDGET}; run budgets kept` });
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
    const observed = observedRunTokens(ctx, key);
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

/** P{percentile} of one run budget's per-run tokens over the window. */
export function observedRunTokens(ctx: RuleContext, key: RunBudgetKey): number {
  return percentileOfSorted(sortedCopy(TOKENS_OF[key](ctx.stats.runs)), ctx.rules.run_budget.percentile);
}

/** A run budget change from `cap` to `to`, with the per-run percentile it rests on. */
export function budgetChange(ctx: RuleContext, key: RunBudgetKey, cap: number, to: number, effect: number): Change {
  const rule = ctx.rules.run_budget;
  const runs = ctx.stats.runs;
  const observed = observedRunTokens(ctx, key);
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
      runs: runs.count,
      [`p${rule.percentile}_tokens_per_run`]: Math.round(observed),
      projected_effect_of_changes: Math.round(effect),
      headroom: rule.headroom,
      utilisation: Math.round((observed / cap) * 10_000) / 10_000,
    },
    effect: { tokens_per_run: 0, usd_per_run: 0 },
    rationale: `P${rule.percentile} of ${key.replace(/_/g, ' ')} per run is ${n(observed)} (${pct(observed / cap)} of the budget)${effect ? `; the proposed model changes move it by ${n(effect)}` : ''}; ${n(to)} keeps ${pct(to / observed - 1)} headroom over it.`,
    risk: to < cap ? 'Low: above every run but the top few percent; an unusually large run may hit it.' : 'Low: raises a ceiling that runs were approaching.',
    confidence: runs.count >= 3 * MIN_RUNS_FOR_BUDGET ? 'high' : 'medium',
    pilot: false,
  };
}
