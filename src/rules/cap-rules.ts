import type { CategoryStats, PhaseGroupStats } from '../stats/index.js';
import type { Change } from '../targets/index.js';
import { isRefusal, refuse, type Finding, type Refusal } from './finding.js';
import type { RuleContext } from './context.js';
import { capEvidence } from './evidence.js';
import { beyondRate, limitMove, pct, plural, recommendCap, round, roundUpReadable, sampleConfidence } from './helpers.js';

/**
 * Incident token caps per category, in the manner of the Kubernetes VPA recommender: the new cap is a
 * high percentile of observed use times a safety margin, widened while history is short, rounded up to
 * a readable step, never below P95, and not proposed at all when it moves the cap by less than
 * `min_change`.
 */
export function capRules(ctx: RuleContext): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const rule = ctx.rules.cap;
  for (const cat of ctx.stats.categories) {
    const current = ctx.targets.caps[cat.category];
    if (!current) {
      if (ctx.targets.files.length && ctx.targets.categories.includes(cat.category))
        findings.push({ kind: 'not_in_target', category: cat.category, area: 'token_cap', message: `${cat.category}: no incident_token_cap in the targets; nothing to tune` });
      continue;
    }
    const cap = current.value;
    const g = capEvidence(ctx, cat.category, cap).group;
    if (!g || g.phases < ctx.rules.min_phases) {
      findings.push({
        kind: 'needs_more_data',
        category: cat.category,
        area: 'token_cap',
        message: `${cat.category}: waiting for data under the cap in force (${n(cap)}) on the models in force: ${g?.phases ?? 0} of ${ctx.rules.min_phases} phases; cap kept`,
      });
      continue;
    }
    const p = g.percentiles;
    // A cap sized from phases that used nothing would size it for nothing: zero is no evidence of use.
    if (!(p.p95 > 0)) {
      findings.push({
        kind: 'needs_more_data',
        category: cat.category,
        area: 'token_cap',
        message: `${cat.category}: P95 of its phases' tokens is 0: no evidence of what the cap is used for; cap kept`,
      });
      continue;
    }
    const utilisation = p.p95 / cap;
    const derived = recommendCap(p.p95, g.days_with_data, rule.headroom);
    const truncating = isTruncating(g, rule.max_truncation_rate);
    let to: number;
    let direction: 'down' | 'up';
    if (truncating || utilisation > rule.increase_above) {
      direction = 'up';
      to = truncating ? Math.max(derived, roundUpReadable(cap * (1 + rule.min_increase_on_truncation))) : derived;
    } else if (utilisation < rule.reduce_below) {
      direction = 'down';
      // Above P99 too: a cut that truncated more phases than the raise rule allows would be undone.
      to = Math.max(derived, roundUpReadable(p.p99));
    } else {
      findings.push({ kind: 'keep', category: cat.category, area: 'token_cap', message: keepMessage(cat.category, g, cap, ctx) });
      continue;
    }
    if ((direction === 'down' && to >= cap) || (direction === 'up' && to <= cap)) {
      // Short histories widen the headroom (see recommendCap) until it outweighs the signal.
      findings.push({
        kind: 'keep',
        category: cat.category,
        area: 'token_cap',
        message: `${cat.category}: P95 at ${pct(utilisation)} of the cap, but with ${plural(g.days_with_data, 'day')} of history the derived cap ${n(to)} does not move it ${direction}; kept`,
      });
      continue;
    }
    if (Math.abs(to - cap) < cap * rule.min_change) {
      findings.push({ kind: 'below_min_change', category: cat.category, area: 'token_cap', message: `${cat.category}: derived cap ${n(to)} is within ${pct(rule.min_change)} of ${n(cap)}; kept` });
      continue;
    }
    const change = capChange(ctx, cat, cap, to);
    if (isRefusal(change)) findings.push({ kind: change.refused, category: cat.category, area: 'token_cap', message: `${cat.category}: ${change.reason}` });
    else changes.push(change);
  }
  return { changes, findings };
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');

/**
 * A cap change of one category from `cap` towards `to`, with the percentiles of the phases under the
 * cap in force. A move beyond `max_move` becomes its first step; the rest follow in later proposals.
 */
export function capChange(ctx: RuleContext, cat: CategoryStats, cap: number, to: number): Change | Refusal {
  const g = capEvidence(ctx, cat.category, cap).group;
  if (!g) return refuse('needs_more_data', `no phases of ${cat.category} under the cap in force`);
  const p = g.percentiles;
  const utilisation = p.p95 / cap;
  const step = limitMove(cap, to, ctx.rules.max_move);
  const direction = step.value < cap ? 'down' : 'up';
  const stepText = step.steps > 1 ? ` Step 1 of about ${step.steps} towards ${n(to)}: one proposal moves a value by at most ${pct(ctx.rules.max_move)}.` : '';
  return {
    kind: 'token_cap',
    category: cat.category,
    complexity: null,
    role: null,
    key: null,
    from: cap,
    to: step.value,
    direction,
    source: 'rules',
    evidence: {
      phases: g.phases,
      success_rate: round(g.success_rate, 4),
      p50_tokens: Math.round(p.p50),
      p75_tokens: Math.round(p.p75),
      p90_tokens: Math.round(p.p90),
      p95_tokens: Math.round(p.p95),
      p99_tokens: Math.round(p.p99),
      cap_utilisation_p95: round(utilisation, 4),
      truncations: g.truncations,
      days_of_history: g.days_with_data,
      derived_cap: to,
      steps_to_derived: step.steps,
    },
    // A cap is a ceiling: moving it changes the risk of a truncated phase, not what phases spend.
    effect: { tokens_per_run: 0, usd_per_run: 0 },
    rationale:
      (direction === 'down'
        ? `P95 uses ${pct(utilisation)} of the cap: overprovisioned. ${n(step.value)} keeps ${pct(step.value / p.p95 - 1)} headroom over P95.`
        : `P95 uses ${pct(utilisation)} of the cap${g.truncations ? ` and ${plural(g.truncations, 'phase was', 'phases were')} cut off at max_tokens under it` : ''}: phases are at risk of hitting the limit.`) +
      stepText,
    risk:
      direction === 'down'
        ? 'Low: the new cap stays above every percentile up to P95; rare outliers above it would stop early.'
        : 'Low: a higher ceiling only lets phases that need it finish; spend rises only where the cap was cutting work short.',
    confidence: isTruncating(g, ctx.rules.cap.max_truncation_rate) ? 'high' : sampleConfidence(g.phases, ctx.rules.min_phases),
    pilot: false,
  };
}

/**
 * A cap that cuts work off: more than `maxRate` of the phases under it truncated, and at least two of
 * them (one truncation in a few dozen phases is not a rate).
 */
export function isTruncating(g: PhaseGroupStats, maxRate: number): boolean {
  return beyondRate(g.truncations, g.phases, maxRate);
}

function keepMessage(category: string, g: PhaseGroupStats, cap: number, ctx: RuleContext): string {
  const r = ctx.rules.cap;
  const u75 = g.percentiles.p75 / cap;
  const u90 = g.percentiles.p90 / cap;
  const calibrated = u75 >= r.calibrated_low && u90 <= r.calibrated_high;
  return `${category}: P95 at ${pct(g.percentiles.p95 / cap)} of ${cap.toLocaleString('en-US')}${calibrated ? ` and P75–P90 at ${pct(u75)}–${pct(u90)}: well-calibrated` : ': within the band'}; cap kept`;
}
