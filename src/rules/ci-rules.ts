import type { CategoryStats } from '../stats/index.js';
import type { Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import type { RuleContext } from './context.js';
import { pct, round, runCount } from './helpers.js';

/**
 * CI profile per category, one rung of the configured ladder at a time. Step down where CI rarely
 * catches anything, raises many false alarms and the work is low-risk; step up where failures get past
 * CI and failing is expensive. CI is recorded per tier, so the figures are each tier's CI shared out
 * by the category's share of the tier's phases.
 */
export function ciRules(ctx: RuleContext): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const rule = ctx.rules.ci;
  const ladder = rule.ladder;
  for (const cat of ctx.stats.categories) {
    const current = ctx.targets.ci[cat.category];
    const ci = cat.ci;
    if (!current || ci.attributed_runs === 0) continue;
    if (ci.phases_in_ci_tiers < ctx.rules.min_phases) {
      findings.push({
        kind: 'needs_more_data',
        category: cat.category,
        area: 'ci_profile',
        message: `${cat.category}: ${ci.phases_in_ci_tiers} phases in tiers with CI, fewer than ${ctx.rules.min_phases}; CI profile kept`,
      });
      continue;
    }
    const at = ladder.indexOf(current.value);
    if (at === -1) {
      findings.push({ kind: 'no_rung', category: cat.category, area: 'ci_profile', message: `${cat.category}: CI profile "${current.value}" is not on the ladder ${ladder.join(' < ')}` });
      continue;
    }
    const lowRisk = rule.low_risk_categories.length ? rule.low_risk_categories.includes(cat.category) : cat.dominant_complexity === 'low';
    const catch_ = ci.catch_rate ?? 0;
    const fp = ci.false_positive_rate ?? 0;
    const escape = ci.escape_rate ?? 0;
    const costly = (cat.failure_cost_multiple ?? 0) >= ctx.rules.upgrade.min_failure_cost_multiple;
    const down = catch_ < rule.max_catch_rate && fp >= rule.min_false_positive_rate && lowRisk;
    const up = escape > rule.max_escape_rate && costly;
    if (!down && !up) continue;
    const to = ladder[at + (down ? -1 : 1)];
    if (to === undefined) {
      findings.push({
        kind: 'no_rung',
        category: cat.category,
        area: 'ci_profile',
        message: `${cat.category}: CI ${down ? 'overhead' : 'escapes'} point ${down ? 'down' : 'up'}, but "${current.value}" is already the ${down ? 'lightest' : 'strictest'} profile`,
      });
      continue;
    }
    changes.push(ciChange(ctx, cat, current.value, to));
  }
  return { changes, findings };
}

/** A CI profile change of one category, with the tier CI figures attributed to it. */
export function ciChange(ctx: RuleContext, cat: CategoryStats, from: string, to: string): Change {
  const ladder = ctx.rules.ci.ladder;
  const ci = cat.ci;
  const down = ladder.indexOf(to) < ladder.indexOf(from);
  const ciTokensPerRun = ci.attributed_tokens / runCount(ctx);
  const rungs = Math.abs(ladder.indexOf(to) - ladder.indexOf(from));
  return {
    kind: 'ci_profile',
    category: cat.category,
    complexity: null,
    role: null,
    key: null,
    from,
    to,
    direction: down ? 'down' : 'up',
    source: 'rules',
    evidence: {
      phases: cat.phases,
      success_rate: round(cat.success_rate, 4),
      attributed_ci_runs: round(ci.attributed_runs, 1),
      catch_rate: ci.catch_rate === null ? null : round(ci.catch_rate, 4),
      false_positive_rate: ci.false_positive_rate === null ? null : round(ci.false_positive_rate, 4),
      escape_rate: ci.escape_rate === null ? null : round(ci.escape_rate, 4),
      failure_cost_multiple: cat.failure_cost_multiple === null ? null : round(cat.failure_cost_multiple, 2),
      ci_tokens_per_run: Math.round(ciTokensPerRun),
      attribution: 'tier CI of each day shared by phase count',
      dominant_complexity: cat.dominant_complexity,
    },
    // CI is measured in tokens-equivalent, not billed per model: no dollar figure is claimed.
    // Each rung is assumed to halve (down) or double (up) CI cost.
    effect: { tokens_per_run: down ? -ciTokensPerRun * (1 - 0.5 ** rungs) : ciTokensPerRun * (2 ** rungs - 1), usd_per_run: 0 },
    rationale: down
      ? `CI caught a failure in ${pct(ci.catch_rate ?? 0, 1)} of its runs for ${cat.category} and raised false alarms in ${pct(ci.false_positive_rate ?? 0)}; the work is low-risk.`
      : `${pct(ci.escape_rate ?? 0)} of ${cat.category} phases in tiers whose CI ran still failed, and a failure costs ${(cat.failure_cost_multiple ?? 0).toFixed(1)}× a success: stricter CI should catch more before rework.`,
    risk: down
      ? 'Low: fewer checks on work that rarely fails; the effect assumes a lighter profile halves CI cost.'
      : 'Medium: more CI time per tier; the effect assumes a stricter profile doubles CI cost.',
    confidence: 'medium',
    pilot: false,
  };
}
