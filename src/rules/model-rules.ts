import { COMPLEXITIES, type Complexity } from '../sources/index.js';
import type { CategoryStats, PhaseGroupStats } from '../stats/index.js';
import { changeKey, type Change } from '../targets/index.js';
import { isRefusal, refuse, type Finding, type Refusal } from './finding.js';
import type { RuleContext } from './context.js';
import { poissonRateBound, wilsonBound } from '../stats/index.js';
import { modelEvidence } from './evidence.js';
import { liveSuccessor } from '../pricing/index.js';
import { ladderPosition, pct, plural, round, runCount, sampleConfidence } from './helpers.js';

/**
 * Model choice per (category, complexity): step down one rung of the provider's ladder where the
 * work is easy for the current model, up one rung (as a pilot) where it fails and retries a lot.
 */
export function modelRules(ctx: RuleContext): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const { min_phases } = ctx.rules;

  for (const cat of ctx.stats.categories) {
    // A category configured nowhere is listed by analyze(); it never becomes a new key.
    if (!ctx.targets.categories.includes(cat.category)) continue;
    for (const complexity of COMPLEXITIES) {
      if (!cat.by_complexity[complexity]) continue;
      const cell = ctx.targets.model(cat.category, complexity, 'builder');
      if (!cell?.current) continue;
      const where = `${cat.category} (${complexity})`;
      const current = cell.current.value;
      const ev = modelEvidence(ctx, cat.category, complexity, current);
      if (ev.others.length) {
        const ran = ev.others.map((o) => `${o.model} (${plural(o.phases, 'phase')})`).join(', ');
        findings.push({
          kind: 'model_mismatch',
          category: cat.category,
          area: 'model',
          message: `${where}: phases ran on ${ran} while the targets configure ${current}; they are costed at the model that ran and kept as history, not evidence`,
        });
      }
      const g = ev.group;
      if (!g || g.phases < min_phases) {
        findings.push({ kind: 'needs_more_data', category: cat.category, area: 'model', message: `${where}: waiting for data on ${current}: ${g?.phases ?? 0} of ${min_phases} phases; model kept` });
        continue;
      }
      const isDown = downgradeHolds(ctx, cat, g);
      const isUp = upgradeHolds(ctx, cat, g);
      if (!isDown && !isUp) {
        const thin = thinEvidence(ctx, cat, g);
        if (thin) findings.push({ kind: 'needs_more_data', category: cat.category, area: 'model', message: `${where}: ${thin}` });
        continue;
      }
      // A second step down rests on the model the first led to, over two weekly windows at least.
      const key = changeKey({ kind: 'model', category: cat.category, complexity, role: 'builder', key: null });
      const weeks = weeksOfEvidence(ctx, cat.category, complexity, current);
      if (isDown && ctx.history.applied.filter((a) => a.key === key).at(-1)?.change.direction === 'down' && weeks < 2) {
        findings.push({
          kind: 'needs_more_data',
          category: cat.category,
          area: 'model',
          message: `${where}: a second step down waits for two weekly windows of ${current}'s own phases; ${plural(weeks, 'week')} so far`,
        });
        continue;
      }

      const at = ladderPosition(ctx, current);
      if (!at) {
        findings.push({
          kind: 'no_rung',
          category: cat.category,
          area: 'model',
          message: `${where}: ${isDown ? 'downgrade' : 'upgrade'} signals, but ${current} is on no ladder in models.ladders; model kept`,
        });
        continue;
      }
      const rung = at.ladder[at.index + (isDown ? -1 : 1)];
      // A rung that retires soon is no place to move to: its successor is.
      const target = rung && liveSuccessor(ctx.pricing, rung, ctx.now, ctx.horizonDays);
      if (!target) {
        findings.push({
          kind: 'no_rung',
          category: cat.category,
          area: 'model',
          message: `${where}: ${isDown ? 'downgrade' : 'upgrade'} signals, but ${current} is already the ${isDown ? 'cheapest' : 'strongest'} model on its ladder`,
        });
        continue;
      }
      const change = modelChange(ctx, cat, complexity, current, target);
      if (isRefusal(change)) findings.push({ kind: change.refused, category: cat.category, area: 'model', message: `${where}: ${change.reason}` });
      else changes.push(change);
    }
  }
  return { changes, findings };
}

/**
 * The figures a model test is judged on: each threshold against the bound of its estimate that
 * makes the move harder (one-sided 95%: Wilson for success, a Poisson score bound for retries, a
 * distribution-free order statistic for P95), so that a small sample that happens to pass waits.
 */
export function modelBounds(ctx: RuleContext, cat: CategoryStats, g: PhaseGroupStats) {
  const cap = capOf(ctx, cat, g);
  const retries = g.retries_per_phase * g.phases;
  return {
    success_lower: wilsonBound(g.outcomes.success, g.phases, 'lower'),
    success_upper: wilsonBound(g.outcomes.success, g.phases, 'upper'),
    retries_upper: poissonRateBound(retries, g.phases, 'upper'),
    retries_lower: poissonRateBound(retries, g.phases, 'lower'),
    utilisation_upper: cap > 0 ? g.p95_upper / cap : null,
  };
}

/** The rules' downgrade test: reliable, few retries, far below the cap, each on its bound. The LLM's downgrades must pass it too. */
export function downgradeHolds(ctx: RuleContext, cat: CategoryStats, g: PhaseGroupStats): boolean {
  const d = ctx.rules.downgrade;
  const b = modelBounds(ctx, cat, g);
  return b.success_lower > d.min_success_rate && b.retries_upper < d.max_retries_per_phase && b.utilisation_upper !== null && b.utilisation_upper < d.max_cap_utilisation;
}

/** The rules' upgrade test: fails often and retries a lot, each on its bound. */
export function upgradeHolds(ctx: RuleContext, cat: CategoryStats, g: PhaseGroupStats): boolean {
  const u = ctx.rules.upgrade;
  const b = modelBounds(ctx, cat, g);
  return b.success_upper < u.max_success_rate && b.retries_lower > u.min_retries_per_phase;
}

/** Why a test that passes on its face waits: its bounds do not, on this many phases. */
function thinEvidence(ctx: RuleContext, cat: CategoryStats, g: PhaseGroupStats): string | undefined {
  const d = ctx.rules.downgrade;
  const u = ctx.rules.upgrade;
  const utilisation = capUtilisation(ctx, cat, g);
  const b = modelBounds(ctx, cat, g);
  if (g.success_rate > d.min_success_rate && g.retries_per_phase < d.max_retries_per_phase && utilisation !== null && utilisation < d.max_cap_utilisation) {
    return `passes the downgrade test on its face (success ${pct(g.success_rate)}, ${g.retries_per_phase.toFixed(2)} retries per phase, P95 at ${pct(utilisation)} of the cap), not on its one-sided 95% bounds over ${plural(g.phases, 'phase')} (success at least ${bound(b.success_lower)}, retries at most ${b.retries_upper.toFixed(2)}, P95 at most ${bound(b.utilisation_upper)}); model kept until more phases narrow them`;
  }
  if (g.success_rate < u.max_success_rate && g.retries_per_phase > u.min_retries_per_phase) {
    return `passes the upgrade test on its face (success ${pct(g.success_rate)}, ${g.retries_per_phase.toFixed(2)} retries per phase), not on its one-sided 95% bounds over ${plural(g.phases, 'phase')} (success at most ${bound(b.success_upper)}, retries at least ${b.retries_lower.toFixed(2)}); model kept until more phases narrow them`;
  }
  return undefined;
}

const capOf = (ctx: RuleContext, cat: CategoryStats, g: PhaseGroupStats): number => ctx.targets.caps[cat.category]?.value ?? g.telemetry_cap;

export function capUtilisation(ctx: RuleContext, cat: CategoryStats, g: PhaseGroupStats): number | null {
  const cap = capOf(ctx, cat, g);
  return cap > 0 ? g.percentiles.p95 / cap : null;
}

/**
 * The change of one (category, complexity) builder model from `current` to `target`, with its
 * evidence and projected effect computed here: for the rules' own choices and for the LLM's alike.
 * Whether it is a downgrade or an upgrade follows from the two models' prices. Returns the reason
 * when the change cannot be weighed (no data at that complexity, an unpriced model).
 */
export function modelChange(ctx: RuleContext, cat: CategoryStats, complexity: Complexity, current: string, target: string): Change | Refusal {
  const g = modelEvidence(ctx, cat.category, complexity, current).group;
  if (!g) return refuse('needs_more_data', `no phases on ${current} at ${complexity} complexity`);
  const cell = ctx.targets.model(cat.category, complexity, 'builder');
  if (cell && !ctx.targets.canName(cell.file, target)) {
    const file = ctx.targets.files.find((f) => f.path === cell.file)?.display ?? cell.file;
    return refuse('no_rung', `${target} is the next rung from ${current}, but no model group of ${file} serves it: add one to its model_list, and the move can follow`);
  }
  const priceFrom = ctx.priceAs(current, current);
  const priceTo = ctx.priceAs(target, current);
  if (priceFrom === null || priceTo === null) return refuse('model_name', `${priceFrom === null ? current : target} has no price; cannot weigh the change`);
  const { upgrade, downgrade, min_phases } = ctx.rules;
  const where = `${cat.category} (${complexity})`;
  const utilisation = capUtilisation(ctx, cat, g);
  const runs = runCount(ctx);
  // How often the key's phases come from the whole window; what each costs from the evidence alone.
  const tokensPerRun = (g.tokens_mean * (cat.by_complexity[complexity]?.phases ?? g.phases)) / runs;
  const down = priceTo < priceFrom;
  const base = {
    kind: 'model' as const,
    category: cat.category,
    complexity,
    role: 'builder' as const,
    key: null,
    from: current,
    to: target,
    source: 'rules' as const,
  };
  const b = modelBounds(ctx, cat, g);
  if (down) {
    return {
      ...base,
      direction: 'down',
      evidence: {
        ...evidenceOf(g, utilisation, current),
        success_rate_lower_95: round(b.success_lower, 4),
        retries_per_phase_upper_95: round(b.retries_upper, 3),
        cap_utilisation_p95_upper_95: b.utilisation_upper === null ? null : round(b.utilisation_upper, 4),
        price_ratio: round(priceTo / priceFrom, 3),
      },
      effect: { tokens_per_run: 0, usd_per_run: tokensPerRun * (priceTo - priceFrom) },
      rationale: `${where} succeeds ${pct(g.success_rate)} of the time (at least ${bound(b.success_lower)}), with ${g.retries_per_phase.toFixed(2)} retries per phase (at most ${b.retries_upper.toFixed(2)}), and uses ${pct(utilisation)} of its cap at P95 (at most ${bound(b.utilisation_upper)}), each bound one-sided at 95% over ${plural(g.phases, 'phase')}: ${target} should do this work.`,
      risk: `Low: success is unlikely to fall below ${pct(downgrade.min_success_rate)}; watch the next runs and revert if retries climb.`,
      confidence: sampleConfidence(g.phases, min_phases),
      pilot: false,
    };
  }
  const failures = g.phases - g.outcomes.success;
  const wastePerFailure = g.mean_tokens_failed !== null && g.mean_tokens_success !== null ? Math.max(0, g.mean_tokens_failed - g.mean_tokens_success) : 0;
  const savedTokens = ((failures * wastePerFailure) / runs) * upgrade.assumed_failure_reduction;
  const strongSignals = (utilisation ?? 0) > upgrade.min_cap_utilisation && (g.failure_cost_multiple ?? 0) >= upgrade.min_failure_cost_multiple;
  return {
    ...base,
    direction: 'up',
    evidence: {
      ...evidenceOf(g, utilisation, current),
      success_rate_upper_95: round(b.success_upper, 4),
      retries_per_phase_lower_95: round(b.retries_lower, 3),
      price_ratio: round(priceTo / priceFrom, 3),
      assumed_failure_reduction: upgrade.assumed_failure_reduction,
    },
    effect: { tokens_per_run: -savedTokens, usd_per_run: (tokensPerRun - savedTokens) * priceTo - tokensPerRun * priceFrom },
    rationale: `${where} succeeds only ${pct(g.success_rate)} of the time with ${g.retries_per_phase.toFixed(2)} retries per phase${g.failure_cost_multiple !== null ? `, and a failed phase costs ${g.failure_cost_multiple.toFixed(1)}× a successful one` : ''}: a stronger first pass may cost less than the retries.`,
    risk: `Medium: ${target} costs ${(priceTo / priceFrom).toFixed(1)}× per token; the saving assumes ${pct(upgrade.assumed_failure_reduction)} fewer failure tokens. Pilot it on the next runs before rolling it out.`,
    confidence: strongSignals ? 'medium' : 'low',
    pilot: true,
  };
}

function evidenceOf(g: PhaseGroupStats, utilisation: number | null, model: string): Change['evidence'] {
  return {
    model,
    phases: g.phases,
    success_rate: round(g.success_rate, 4),
    retries_per_phase: round(g.retries_per_phase, 3),
    p95_tokens: Math.round(g.percentiles.p95),
    cap_utilisation_p95: utilisation === null ? null : round(utilisation, 4),
    failure_cost_multiple: g.failure_cost_multiple === null ? null : round(g.failure_cost_multiple, 2),
    mean_tokens: Math.round(g.tokens_mean),
  };
}

/** In how many of the window's weeks (counted back from its last day) the key's phases ran on `model`. */
function weeksOfEvidence(ctx: RuleContext, category: string, complexity: Complexity, model: string): number {
  const until = Math.floor(Date.parse(`${ctx.stats.window.until}T00:00:00Z`) / 86_400_000);
  const id = ctx.canonical(model);
  const weeks = new Set<number>();
  for (const b of ctx.phases) if (b.category === category && b.complexity === complexity && ctx.canonical(b.model) === id) weeks.add(Math.floor((until - b.day) / 7));
  return weeks.size;
}

/** A bound next to its threshold: one decimal, so that 90.1% never reads as the 90% it must exceed. */
const bound = (x: number | null): string => (x === null ? 'an unknown share' : `${(x * 100).toFixed(1)}%`);
