import { isDefaultEntry, type Change } from '../targets/index.js';
import type { TrackedChange } from '../store/index.js';
import { dayToIso } from '../store/index.js';
import { agentRuns } from './agent-rules.js';
import type { RuleContext } from './context.js';
import { capEvidence, categorySince, defaultEvidence, inheritsDefault, modelEvidence } from './evidence.js';
import { runTokensSince, MIN_RUNS_FOR_BUDGET } from './budget-rules.js';
import { taskRuns } from './task-common.js';
import { cutOff } from './turn-rules.js';
import { chanceFellBy, taskGroup, workStats } from '../stats/index.js';
import { beyondRate, pct, plural, round, runCount } from './helpers.js';

/**
 * The closed loop: each change of ours the targets hold is judged by what ran since, against the
 * baseline it was proposed from. Part of the `--json` contract (`outcomes`).
 */
export type Verdict = 'observing' | 'confirmed' | 'worse' | 'no-data';

export interface Outcome {
  change: Pick<Change, 'kind' | 'category' | 'complexity' | 'role' | 'key' | 'from' | 'to' | 'direction'> & { id: string; proposal: string };
  applied_at: string;
  /** Phases (runs, for a run budget) under the change so far. */
  phases_since: number;
  projected: Record<string, number | null>;
  realised: Record<string, number | null>;
  verdict: Verdict;
  /** One line for the report. */
  summary: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Outcomes of the applied changes whose value the targets still hold, and reverts of the worse ones. */
export function outcomesOf(ctx: RuleContext, current: ReadonlyMap<string, string>): { outcomes: Outcome[]; reverts: Change[] } {
  const latest = new Map<string, TrackedChange>();
  for (const a of ctx.history.applied) latest.set(a.key, a);
  const outcomes: Outcome[] = [];
  const reverts: Change[] = [];
  for (const a of latest.values()) {
    if (current.get(a.key) !== String(a.change.to)) continue;
    const o = judge(ctx, a);
    outcomes.push(o);
    if (o.verdict === 'worse') {
      const r = revertOf(ctx, a, o);
      if (r) reverts.push(r);
    }
  }
  return { outcomes, reverts };
}

function judge(ctx: RuleContext, a: TrackedChange): Outcome {
  const c = a.change;
  // What ran since the change reached the base branch (git's day), else since its proposal.
  const after = a.merged_day ?? a.proposed_day;
  const ev = c.evidence;
  let n = 0;
  let projected: Outcome['projected'] = {};
  let realised: Outcome['realised'] = {};
  let baseSuccess: number | null = num(ev.success_rate);
  let overBudget = false;
  let capHitsOver = false;
  let noopsOver = false;
  const task = c.category && !c.subject ? ctx.targets.tasks[c.category] : undefined;
  if ((c.kind === 'model' || c.kind === 'effort') && c.subject === 'agent' && c.category) {
    // A subagent's runs on the new model (at the new effort, on its model) since it was merged, by how they ended.
    const model = c.kind === 'model' ? String(c.to) : typeof ev.model === 'string' ? ev.model : undefined;
    const on = agentRuns(ctx, c.category, after, model).filter((w) => w.outcome !== undefined);
    const g = workStats(on)[0];
    n = g?.with_outcome ?? 0;
    projected = { success_rate: baseSuccess };
    realised = g ? { success_rate: round(g.success_rate ?? 0, 4) } : {};
  } else if (c.kind === 'model' && c.category && c.complexity === null && task) {
    const g = taskGroup(taskRuns(ctx, c.category, after, String(c.to)));
    n = g.runs;
    const ratio = num(ev.price_ratio);
    const before = num(ev.mean_cost_usd);
    projected = { success_rate: baseSuccess, mean_cost_usd: before !== null && ratio !== null ? round(before * ratio, 4) : null };
    realised = g.runs ? { success_rate: round(g.success_rate, 4), mean_cost_usd: g.mean_cost_usd === null ? null : round(g.mean_cost_usd, 4) } : {};
  } else if (c.kind === 'turn_budget' && c.subject === 'agent' && c.category) {
    baseSuccess = null;
    const runs = agentRuns(ctx, c.category, after).filter((w) => w.turns !== undefined);
    const hits = runs.filter((w) => w.turns! >= Number(c.to)).length;
    n = runs.length;
    projected = { cap_hit_rate: c.direction === 'down' ? 0 : num(ev.cap_hit_rate) };
    realised = n ? { cap_hit_rate: round(hits / n, 4) } : {};
    // A lower bound hurts by stopping runs at it, as a task phase's budget does.
    capHitsOver = c.direction === 'down' && cutOff(ctx, { cap_hits: hits, runs: n });
  } else if (c.kind === 'turn_budget' && c.category && c.key) {
    baseSuccess = null;
    const ph = taskGroup(taskRuns(ctx, c.category, after)).phases.find((p) => p.phase === c.key);
    n = ph?.runs ?? 0;
    projected = { cap_hit_rate: c.direction === 'down' ? 0 : num(ev.cap_hit_rate) };
    realised = ph && ph.runs ? { cap_hit_rate: round(ph.cap_hits / ph.runs, 4), turn_utilisation_p95: ph.turns ? round(ph.turns.p95 / Number(c.to), 4) : null } : {};
    // A lower budget hurts by stopping runs: more cap hits than the raise rule allows, twice or more.
    capHitsOver = c.direction === 'down' && !!ph && cutOff(ctx, ph);
  } else if (c.kind === 'schedule' && c.category) {
    baseSuccess = null;
    const g = taskGroup(taskRuns(ctx, c.category, after));
    n = g.runs;
    projected = { noop_share: c.direction === 'up' ? round((num(ev.noop_share) ?? 0) / 2, 4) : num(ev.noop_share) };
    realised = g.runs ? { noop_share: round(g.noop_share, 4) } : {};
    // A shorter interval is worse when its runs now find nothing half the time: the back-off's own test.
    noopsOver = c.direction === 'down' && g.runs > 0 && g.noop_share >= ctx.rules.cadence.backoff_noop_share;
  } else if (c.kind === 'model' && c.category && c.complexity) {
    const g = isDefaultEntry(c.category) ? defaultEvidence(ctx, c.complexity, String(c.to), after) : modelEvidence(ctx, c.category, c.complexity, String(c.to), after).group;
    n = g?.phases ?? 0;
    const meanTokens = num(ev.mean_tokens);
    const priceTo = ctx.price(String(c.to));
    const priceFrom = ctx.price(String(c.from));
    const baseUsd = meanTokens !== null && priceFrom !== null ? meanTokens * priceFrom : null;
    projected = {
      success_rate: baseSuccess,
      usd_per_phase: meanTokens !== null && priceTo !== null ? round(meanTokens * priceTo, 4) : null,
      baseline_usd_per_phase: baseUsd === null ? null : round(baseUsd, 4),
      usd_per_run_change: round(c.effect.usd_per_run, 4),
    };
    if (g) {
      const cap = ctx.targets.caps[c.category]?.value;
      // The key's phases per run over the window, at what a phase costs now against before.
      const perRun = (ctx.stats.categories.find((x) => x.category === c.category)?.by_complexity[c.complexity]?.phases ?? 0) / runCount(ctx);
      realised = {
        success_rate: round(g.success_rate, 4),
        retries_per_phase: round(g.retries_per_phase, 3),
        usd_per_phase: round(g.cost_usd / g.phases, 4),
        usd_per_run_change: baseUsd === null || isDefaultEntry(c.category) ? null : round((g.cost_usd / g.phases - baseUsd) * perRun, 4),
        p95_tokens: Math.round(g.percentiles.p95),
        cap_utilisation_p95: cap ? round(g.percentiles.p95 / cap, 4) : null,
      };
    }
  } else if (c.kind === 'token_cap' && c.category) {
    const g = capEvidence(ctx, c.category, Number(c.to), after).group;
    n = g?.phases ?? 0;
    projected = {
      success_rate: baseSuccess,
      truncations_per_phase: perPhase(num(ev.truncations), num(ev.phases)),
      cap_utilisation_p95: num(ev.p95_tokens) !== null ? round(num(ev.p95_tokens)! / Number(c.to), 4) : null,
    };
    realised = g ? { success_rate: round(g.success_rate, 4), truncations_per_phase: round(g.truncations / g.phases, 4), cap_utilisation_p95: round(g.percentiles.p95 / Number(c.to), 4) } : {};
  } else if (c.kind === 'ci_profile' && c.category) {
    const g = categorySince(ctx, c.category, after);
    n = g?.phases ?? 0;
    projected = { success_rate: baseSuccess, ci_tokens_per_run: round(num(ev.ci_tokens_per_run) ?? 0, 0) + Math.round(c.effect.tokens_per_run) };
    realised = g ? { success_rate: round(g.success_rate, 4) } : {};
  } else if (c.kind === 'run_budget' && c.key) {
    baseSuccess = null;
    const runs = runTokensSince(ctx, c.key as 'core_build_tokens');
    n = runs.length;
    const max = n ? Math.max(...runs) : null;
    const over = runs.filter((t) => t > Number(c.to)).length;
    projected = { utilisation: num(ev.utilisation), runs_over_budget: 0 };
    realised = max !== null ? { max_utilisation: round(max / Number(c.to), 4), runs_over_budget: over } : {};
    // A budget at P95 expects one run in twenty above it; twice that, and it stops real work.
    overBudget = beyondRate(over, n, 2 * (1 - ctx.rules.run_budget.percentile / 100));
  }
  const min = c.kind === 'run_budget' ? MIN_RUNS_FOR_BUDGET : ctx.rules.min_phases;
  const byRun = c.kind === 'run_budget' || !!task;
  const drop = ctx.rules.outcome.max_success_drop;
  const success = realised.success_rate ?? null;
  // Worse: success fell by more than the tolerance, and probably so (rules.outcome.harm_probability):
  // waiting a week costs a week of failures, a revert on noise costs a reversal; the chance weighs the
  // size of the fall against the size of both samples.
  const baseN = num(ev.phases) ?? num(ev.runs) ?? num(ev.invocations);
  let worse =
    baseSuccess !== null &&
    success !== null &&
    success < baseSuccess - drop &&
    (baseN === null || chanceFellBy(Math.round(baseSuccess * baseN), baseN, Math.round(success * n), n, drop) >= ctx.rules.outcome.harm_probability);
  // A cap hurts only by cutting phases off: without truncations beyond the allowed share, a fall in
  // success under it is the work's, not the cap's.
  if (c.kind === 'token_cap') worse &&= (realised.truncations_per_phase ?? 0) > ctx.rules.cap.max_truncation_rate && (realised.truncations_per_phase ?? 0) * n >= 2;
  if (c.kind === 'run_budget') worse = overBudget && c.direction === 'down';
  if (c.kind === 'turn_budget') worse = capHitsOver;
  if (c.kind === 'schedule') worse = noopsOver;
  const verdict: Verdict = n === 0 ? 'no-data' : n < min ? 'observing' : worse ? 'worse' : 'confirmed';
  const unit = c.subject === 'agent' ? 'invocation' : byRun ? 'run' : 'phase';
  const what = `${label(c)} ${c.from} → ${c.to}`;
  const summary =
    verdict === 'no-data'
      ? `${what}: applied; ${servesNone(ctx, c) ? `no category at ${c.complexity} complexity runs on it now: each has its own model` : `no ${unit} under it yet`}`
      : verdict === 'observing'
        ? `${what}: observing, ${n} of ${plural(min, unit)}${success !== null ? `, success ${pct(success)} so far` : ''}`
        : `${what}: ${verdict} over ${plural(n, unit)}${success !== null && baseSuccess !== null ? `, success ${pct(baseSuccess)} before, ${pct(success)} since` : ''}`;
  return {
    change: { id: a.key, proposal: a.proposal, kind: c.kind, category: c.category, complexity: c.complexity, role: c.role, key: c.key, from: c.from, to: c.to, direction: c.direction },
    applied_at: a.applied_at ?? a.proposed_at,
    phases_since: n,
    projected,
    realised,
    verdict,
    summary,
  };
}

/** A `default` model entry that every category seen at its complexity overrides with its own. */
function servesNone(ctx: RuleContext, c: Change): boolean {
  const cx = c.complexity;
  if (c.kind !== 'model' || !isDefaultEntry(c.category) || !cx) return false;
  return !ctx.stats.categories.some((cat) => cat.by_complexity[cx] && inheritsDefault(ctx, cat.category, cx));
}

const perPhase = (x: number | null, n: number | null): number | null => (x !== null && n ? round(x / n, 4) : null);

export function label(c: Pick<Change, 'kind' | 'category' | 'complexity' | 'key'>): string {
  const what = { model: 'model', token_cap: 'cap', ci_profile: 'CI profile', run_budget: 'budget', turn_budget: 'turn budget', schedule: 'interval', effort: 'effort' }[c.kind];
  if (c.kind === 'run_budget') return `${c.key}`;
  if (c.kind === 'turn_budget') return c.key === null ? `${c.category} maxTurns` : `${c.category} ${c.key} turn budget`;
  if (isDefaultEntry(c.category)) return `default ${what} at ${c.complexity} complexity`;
  return `${c.category}${c.complexity ? ` (${c.complexity})` : ''} ${what}`;
}

/** Back to the value before a change that made things worse, with the outcome as its evidence. */
function revertOf(ctx: RuleContext, a: TrackedChange, o: Outcome): Change | null {
  const c = a.change;
  if (c.from === null) return null;
  if (c.evidence.migration !== undefined) return null;
  return {
    kind: c.kind,
    category: c.category,
    ...(c.subject ? { subject: c.subject } : {}),
    complexity: c.complexity,
    role: c.role,
    key: c.key,
    from: c.to,
    to: c.from,
    direction: c.direction === 'down' ? 'up' : 'down',
    source: 'rules',
    evidence: {
      reverts: a.proposal,
      applied_on: dayToIso(a.applied_day ?? a.proposed_day),
      phases_since: o.phases_since,
      success_rate_before: num(c.evidence.success_rate),
      success_rate_since: o.realised.success_rate ?? null,
    },
    effect: { tokens_per_run: -c.effect.tokens_per_run, usd_per_run: -c.effect.usd_per_run },
    rationale:
      c.kind === 'run_budget'
        ? `Since ${label(c)} went from ${c.from} to ${c.to} (applied ${dayToIso(a.applied_day ?? a.proposed_day)}), ${o.realised.runs_over_budget} of ${plural(o.phases_since, 'run')} went over it: revert it.`
        : c.kind === 'turn_budget'
          ? `Since ${label(c)} went from ${c.from} to ${c.to} (applied ${dayToIso(a.applied_day ?? a.proposed_day)}), ${pct(o.realised.cap_hit_rate ?? 0)} of ${plural(o.phases_since, 'run')} stopped at it, more than the ${pct(ctx.rules.turns.max_cap_hit_rate)} allowed: revert it.`
          : c.kind === 'schedule'
            ? `Since ${label(c)} went from ${c.from} to ${c.to} s (applied ${dayToIso(a.applied_day ?? a.proposed_day)}), ${pct(o.realised.noop_share ?? 0)} of ${plural(o.phases_since, 'run')} found nothing to do: revert it.`
            : `Since ${label(c)} went from ${c.from} to ${c.to} (applied ${dayToIso(a.applied_day ?? a.proposed_day)}), success fell from ${pct(num(c.evidence.success_rate) ?? 0)} to ${pct(o.realised.success_rate ?? 0)} over ${plural(o.phases_since, c.subject === 'agent' ? 'invocation' : 'phase')}, more than the ${pct(ctx.rules.outcome.max_success_drop)} allowed: revert it.`,
    risk: 'Low: returns to a value that was measured to work.',
    confidence: 'high',
    pilot: false,
  };
}
