import type { CategoryStats } from '../stats/index.js';
import type { Change } from '../targets/index.js';
import type { Finding } from './finding.js';
import { pct, roundUpReadable, sampleConfidence, type RuleContext } from './context.js';
import { round } from './model-rules.js';

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
      if (ctx.targets.files.length) findings.push({ kind: 'not_in_target', category: cat.category, area: 'token_cap', message: `${cat.category}: no incident_token_cap in the targets; nothing to tune` });
      continue;
    }
    if (cat.phases < ctx.rules.min_phases) {
      findings.push({ kind: 'needs_more_data', category: cat.category, area: 'token_cap', message: `${cat.category}: ${cat.phases} phases, fewer than ${ctx.rules.min_phases}; cap kept` });
      continue;
    }
    const cap = current.value;
    const p = cat.percentiles;
    const utilisation = p.p95 / cap;
    const derived = recommendCap(p.p95, cat.days_with_data, rule.headroom);
    let to: number;
    let direction: 'down' | 'up';
    if (cat.truncations > 0 || utilisation > rule.increase_above) {
      direction = 'up';
      to = cat.truncations > 0 ? Math.max(derived, roundUpReadable(cap * (1 + rule.min_increase_on_truncation))) : derived;
    } else if (utilisation < rule.reduce_below) {
      direction = 'down';
      to = derived;
    } else {
      findings.push({ kind: 'keep', category: cat.category, area: 'token_cap', message: keepMessage(cat, cap, ctx) });
      continue;
    }
    if ((direction === 'down' && to >= cap) || (direction === 'up' && to <= cap)) {
      // Short histories widen the headroom (see recommendCap) until it outweighs the signal.
      findings.push({ kind: 'keep', category: cat.category, area: 'token_cap', message: `${cat.category}: P95 at ${pct(utilisation)} of the cap, but with ${cat.days_with_data} day(s) of history the derived cap ${to.toLocaleString('en-US')} does not move it ${direction}; kept` });
      continue;
    }
    if (Math.abs(to - cap) < cap * rule.min_change) {
      findings.push({ kind: 'below_min_change', category: cat.category, area: 'token_cap', message: `${cat.category}: derived cap ${to.toLocaleString('en-US')} is within ${pct(rule.min_change)} of ${cap.toLocaleString('en-US')}; kept` });
      continue;
    }
    changes.push(capChange(ctx, cat, cap, to));
  }
  return { changes, findings };
}

/** A cap change of one category from `cap` to `to`, with the percentiles it rests on. */
export function capChange(ctx: RuleContext, cat: CategoryStats, cap: number, to: number): Change {
  const p = cat.percentiles;
  const utilisation = p.p95 / cap;
  const direction = to < cap ? 'down' : 'up';
  return {
    kind: 'token_cap',
    category: cat.category,
    complexity: null,
    role: null,
    key: null,
    from: cap,
    to,
    direction,
    source: 'rules',
    evidence: {
      phases: cat.phases,
      p50_tokens: Math.round(p.p50),
      p75_tokens: Math.round(p.p75),
      p90_tokens: Math.round(p.p90),
      p95_tokens: Math.round(p.p95),
      cap_utilisation_p95: round(utilisation, 4),
      truncations: cat.truncations,
      days_of_history: cat.days_with_data,
      derived_cap: recommendCap(p.p95, cat.days_with_data, ctx.rules.cap.headroom),
    },
    // A cap is a ceiling: moving it changes the risk of a truncated phase, not what phases spend.
    effect: { tokens_per_run: 0, usd_per_run: 0 },
    rationale:
      direction === 'down'
        ? `P95 uses ${pct(utilisation)} of the cap: overprovisioned. ${to.toLocaleString('en-US')} keeps ${pct(to / p.p95 - 1)} headroom over P95.`
        : `P95 uses ${pct(utilisation)} of the cap${cat.truncations ? ` and ${cat.truncations} phase(s) were cut off at max_tokens` : ''}: phases are at risk of hitting the limit.`,
    risk:
      direction === 'down'
        ? 'Low: the new cap stays above every percentile up to P95; rare outliers above it would stop early.'
        : 'Low: a higher ceiling only lets phases that need it finish; spend rises only where the cap was cutting work short.',
    confidence: cat.truncations > 0 ? 'high' : sampleConfidence(cat.phases, ctx.rules.min_phases),
    pilot: false,
  };
}

/** P95 × (1 + headroom) × (1 + 1/days): the VPA's confidence widening for short histories. */
export function recommendCap(p95: number, daysOfHistory: number, headroom: number): number {
  const widen = 1 + 1 / Math.max(1, daysOfHistory);
  return Math.max(Math.ceil(p95), roundUpReadable(p95 * (1 + headroom) * widen));
}

function keepMessage(cat: CategoryStats, cap: number, ctx: RuleContext): string {
  const r = ctx.rules.cap;
  const u75 = cat.percentiles.p75 / cap;
  const u90 = cat.percentiles.p90 / cap;
  const calibrated = u75 >= r.calibrated_low && u90 <= r.calibrated_high;
  return `${cat.category}: P95 at ${pct(cat.percentiles.p95 / cap)} of ${cap.toLocaleString('en-US')}${calibrated ? ` and P75–P90 at ${pct(u75)}–${pct(u90)}: well-calibrated` : ': within the band'}; cap kept`;
}
