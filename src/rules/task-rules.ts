import { LOCAL_PROVIDERS, type TaskRunRecord } from '../sources/index.js';
import { daysWithData, taskGroup, type TaskGroupStats, type TaskPhaseStats, type TaskStats } from '../stats/index.js';
import { dayOf } from '../store/index.js';
import { changeKey, type Change, type TaskTarget } from '../targets/index.js';
import { fmtSeconds, fmtUsd } from '../common/index.js';
import { priceOf } from '../pricing/index.js';
import { isRefusal, refuse, type Finding, type Refusal } from './finding.js';
import { beyondRate, plural, pct, runCount, sampleConfidence, type RuleContext } from './context.js';
import { sinceDay } from './evidence.js';
import { limitMove, recommendCap } from './cap-rules.js';
import { ladderPosition, round } from './model-rules.js';

/**
 * Scheduled agent tasks (Myco): each phase's turn budget, each task's cadence and model, and cost
 * spikes. Evidence is what ran under the value in force: runs since the key last changed, on the
 * task's configured model.
 */
export function taskRules(ctx: RuleContext): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const configured = Object.keys(ctx.targets.tasks);
  for (const t of ctx.stats.tasks) {
    const target = ctx.targets.tasks[t.task];
    if (!target) {
      if (configured.length) findings.push({ kind: 'not_in_target', category: t.task, area: 'turn_budget', message: `${t.task}: ${plural(t.runs, 'run')} in telemetry, but no block under agent.tasks; its definition's values are not tuned from here` });
      continue;
    }
    for (const part of [turnBudgets(ctx, t, target), cadence(ctx, t, target), taskModel(ctx, t, target)]) {
      changes.push(...part.changes);
      findings.push(...part.findings);
    }
  }
  findings.push(...costSpikes(ctx));
  return { changes, findings };
}

type Part = { changes: Change[]; findings: Finding[] };

/** The task's runs in the window after a day, on a model (canonical) where one is given. */
export function taskRuns(ctx: RuleContext, task: string, afterDay = -1, model?: string): TaskRunRecord[] {
  const id = model === undefined ? undefined : ctx.canonical(model);
  return ctx.tasks.filter((r) => r.task === task && dayOf(r.ts) > afterDay && (id === undefined || ctx.canonical(r.model) === id));
}

/** The model a task runs on: its own entry, else what it inherits; when it inherits and its runs name another, its definition's (what ran). */
export function taskModelOf(ctx: RuleContext, t: Pick<TaskStats, 'task' | 'models'>): { model: string | undefined; explicit: boolean; from: string } {
  const cell = ctx.targets.model(t.task, 'medium', 'builder');
  if (cell?.explicit && cell.current) return { model: cell.current.value, explicit: true, from: cell.current.path.join('.') };
  const ran = t.models[0]?.model;
  const fallback = cell?.current?.value;
  if (ran !== undefined && (fallback === undefined || ctx.canonical(ran) !== ctx.canonical(fallback))) return { model: ran, explicit: false, from: 'its task definition' };
  return { model: fallback, explicit: false, from: cell?.current?.path.join('.') ?? 'its task definition' };
}

/** The change key of a task's value (a task's model is the builder's, at no complexity). */
export const taskKey = (kind: 'turn_budget' | 'schedule' | 'model', task: string, phase: string | null = null): string =>
  changeKey({ kind, category: task, complexity: null, role: kind === 'model' ? 'builder' : null, key: phase });

// ---- turn budgets -------------------------------------------------------------------------------

/** Whether a phase's runs stop at its budget more often than the budget rule allows: their need is censored. */
export const cutOff = (ctx: RuleContext, g: Pick<TaskPhaseStats, 'cap_hits' | 'runs'>): boolean => beyondRate(g.cap_hits, g.runs, ctx.rules.turns.max_cap_hit_rate);

/** The budget a phase runs under: the block's, else the one its runs reported on a cap hit. */
export function budgetOf(target: TaskTarget, phase: TaskPhaseStats): { value: number; inherited: boolean } | undefined {
  const own = target.turns[phase.phase];
  if (own) return { value: own.value, inherited: false };
  return phase.allowed_turns !== null ? { value: phase.allowed_turns, inherited: true } : undefined;
}

/**
 * The evidence of one phase's budget: its runs since the budget, the task's model or its interval last
 * changed (each changes the turns a run needs), on the task's model.
 */
export function phaseEvidence(ctx: RuleContext, t: Pick<TaskStats, 'task' | 'models'>, phase: string, afterDay = -1): TaskPhaseStats | undefined {
  const since = Math.max(afterDay, ...(['turn_budget', 'model', 'schedule'] as const).map((k) => sinceDay(ctx, taskKey(k, t.task, k === 'turn_budget' ? phase : null))));
  return taskGroup(taskRuns(ctx, t.task, since, taskModelOf(ctx, t).model)).phases.find((p) => p.phase === phase);
}

function turnBudgets(ctx: RuleContext, t: TaskStats, target: TaskTarget): Part {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const unknown: string[] = [];
  for (const ph of t.phases) {
    if (!ph.runs) continue;
    const budget = budgetOf(target, ph);
    if (!budget) {
      unknown.push(ph.phase);
      continue;
    }
    const where = `${t.task} ${ph.phase}`;
    const g = phaseEvidence(ctx, t, ph.phase);
    if (!g || g.runs < ctx.rules.min_phases) {
      findings.push({ kind: 'needs_more_data', category: t.task, area: 'turn_budget', message: `${where}: waiting for runs under the budget in force (${budget.value} turns): ${g?.runs ?? 0} of ${ctx.rules.min_phases}; kept` });
      continue;
    }
    const decided = decideTurns(ctx, g, budget.value, t.days_with_data);
    if (isRefusal(decided)) {
      findings.push({ kind: decided.refused, category: t.task, area: 'turn_budget', message: `${where}: ${decided.reason}` });
      continue;
    }
    changes.push(turnChange(ctx, t, g, budget, decided.to));
  }
  if (unknown.length) {
    findings.push({
      kind: 'not_in_target',
      category: t.task,
      area: 'turn_budget',
      message: `${t.task}: ${unknown.length === 1 ? `phase ${unknown[0]} runs` : `phases ${unknown.join(', ')} run`} under the task definition's turn budget, which no run reported (none hit it); set agent.tasks.${t.task}.phases.${unknown[0]}.maxTurns${unknown.length > 1 ? ' (and so on)' : ''} to tune it`,
    });
  }
  return { changes, findings };
}

/** The rules' verdict on a phase's budget: where it should go, or why it stays. */
export function decideTurns(ctx: RuleContext, g: TaskPhaseStats, budget: number, days: number): { to: number; direction: 'up' | 'down' } | Refusal {
  const r = ctx.rules.turns;
  const censored = cutOff(ctx, g);
  const p95 = g.turns?.p95;
  if (p95 === undefined && !censored) return refuse('needs_more_data', `no run finished it within ${budget} turns and succeeded; kept`);
  const derived = p95 === undefined ? 0 : recommendCap(p95, days, r.headroom);
  const util = p95 === undefined ? 1 : p95 / budget;
  let to: number;
  let direction: 'up' | 'down';
  if (censored || util > r.increase_above) {
    direction = 'up';
    to = censored ? Math.max(derived, Math.ceil(budget * (1 + r.min_increase_on_cap_hit))) : derived;
  } else if (util < r.reduce_below) {
    // Runs that took no turns in the phase say nothing of the budget it needs.
    if (!(p95! > 0)) return refuse('needs_more_data', `P95 of its turns is 0: no evidence of use to size the budget by; kept`);
    direction = 'down';
    to = Math.max(derived, Math.ceil(g.turns!.p99));
  } else return refuse('keep', `P95 ${round(p95!, 1)} turns, ${pct(util)} of ${budget}, ${plural(g.cap_hits, 'cap hit')} in ${plural(g.runs, 'run')}; kept`);
  if ((direction === 'down' && to >= budget) || (direction === 'up' && to <= budget)) return refuse('keep', `P95 at ${pct(util)} of ${budget} turns, but the derived budget ${to} does not move it ${direction}; kept`);
  if (Math.abs(to - budget) < Math.max(1, budget * r.min_change)) return refuse('below_min_change', `within ${pct(r.min_change)} of ${budget} turns (derived ${to}); kept`);
  return { to, direction };
}

export function turnChange(ctx: RuleContext, t: Pick<TaskStats, 'task' | 'days_with_data'>, g: TaskPhaseStats, budget: { value: number; inherited: boolean }, to: number): Change {
  const from = budget.value;
  const step = limitMove(from, to, ctx.rules.max_move);
  const direction = step.value < from ? 'down' : 'up';
  const hitRate = g.cap_hits / g.runs;
  const p = g.turns;
  const stepText = step.steps > 1 ? ` Step 1 of about ${step.steps} towards ${to}: one proposal moves a value by at most ${pct(ctx.rules.max_move)}.` : '';
  const inherited = budget.inherited ? ` (the task definition's, as its runs reported it)` : '';
  const censored = cutOff(ctx, g);
  return {
    kind: 'turn_budget',
    category: t.task,
    complexity: null,
    role: null,
    key: g.phase,
    from,
    to: step.value,
    direction,
    source: 'rules',
    evidence: {
      runs: g.runs,
      cap_hits: g.cap_hits,
      cap_hit_rate: round(hitRate, 4),
      finished_runs: g.finished,
      p50_turns: p ? round(p.p50, 1) : null,
      p95_turns: p ? round(p.p95, 1) : null,
      p99_turns: p ? round(p.p99, 1) : null,
      turn_utilisation_p95: p ? round(p.p95 / from, 4) : null,
      days_of_history: t.days_with_data,
      derived_budget: to,
      steps_to_derived: step.steps,
    },
    effect: { tokens_per_run: 0, usd_per_run: 0 },
    rationale:
      (direction === 'up'
        ? censored
          ? `${plural(g.cap_hits, 'run')} of ${g.runs} (${pct(hitRate)}) stopped ${g.phase} at its budget of ${from} turns${inherited}. Those runs are censored: what they needed is unknown, so their P95 is not trusted and the budget rises by at least ${pct(ctx.rules.turns.min_increase_on_cap_hit)}.`
          : `P95 of the finished runs uses ${pct(p!.p95 / from)} of ${from} turns${inherited}: the phase is at its limit.`
        : `P95 of the finished runs uses ${pct(p!.p95 / from)} of ${from} turns${inherited}: ${step.value} keeps headroom over P95 and stays at or above P99 (${round(p!.p99, 1)}).`) + stepText,
    risk:
      direction === 'down'
        ? 'Low: the budget stays above P99 of the turns finished runs used; a run needing more stops early, and the cap-hit rule raises it again if that becomes common.'
        : 'Low: a higher budget only lets runs that need more turns finish; spend rises only where runs were cut off.',
    confidence: censored ? 'high' : sampleConfidence(g.runs, ctx.rules.min_phases),
    pilot: false,
  };
}

// ---- cadence ------------------------------------------------------------------------------------

function cadence(ctx: RuleContext, t: TaskStats, target: TaskTarget): Part {
  const c = ctx.rules.cadence;
  const findings: Finding[] = [];
  const at = cadenceEvidence(ctx, t.task, target);
  const { group: g, since } = at;
  if (!target.scheduled || !target.intervalPath) {
    if (g.runs >= ctx.rules.min_phases && g.noop_share >= c.backoff_noop_share) {
      findings.push({ kind: 'not_in_target', category: t.task, area: 'schedule', message: `${t.task}: ${pct(g.noop_share)} of ${plural(g.runs, 'run')} were no-ops (${fmtUsd(perDay(ctx, g, since))} a day), at the cadence of its task definition; add a schedule block under agent.tasks.${t.task} to tune it` });
    }
    return { changes: [], findings };
  }
  if (at.interval === undefined) return { changes: [], findings };
  if (g.runs < ctx.rules.min_phases) {
    findings.push({ kind: 'needs_more_data', category: t.task, area: 'schedule', message: `${t.task}: waiting for runs at the interval in force: ${g.runs} of ${ctx.rules.min_phases}; kept` });
    return { changes: [], findings };
  }
  const change = cadenceChange(ctx, t, g, at.interval, at.inferred, since);
  if (isRefusal(change)) {
    findings.push({ kind: change.refused, category: t.task, area: 'schedule', message: `${t.task}: ${change.reason}` });
    return { changes: [], findings };
  }
  return { changes: [change], findings };
}

/**
 * A task's runs since its interval was set, and the interval it runs at: its block's, else as its runs
 * were spaced (undefined with fewer than two runs).
 */
export function cadenceEvidence(ctx: RuleContext, task: string, target: TaskTarget): { interval: number | undefined; inferred: boolean; since: number; group: TaskGroupStats } {
  const since = sinceDay(ctx, taskKey('schedule', task));
  const group = taskGroup(taskRuns(ctx, task, since));
  const interval = target.interval?.value ?? (group.median_gap_s !== null ? Math.round(group.median_gap_s) : undefined);
  return { interval, inferred: !target.interval, since, group };
}

/** The phase whose runs stop at its turn budget most often, beyond the rate the budget rule allows (twice or more). */
function backlogOf(ctx: RuleContext, g: TaskGroupStats): { phase: string; rate: number } | undefined {
  const cut = g.phases.filter((p) => cutOff(ctx, p)).sort((a, b) => b.cap_hits / b.runs - a.cap_hits / a.runs)[0];
  return cut ? { phase: cut.phase, rate: cut.cap_hits / cut.runs } : undefined;
}

/** The UTC day number of an ISO date (the window's bounds). */
const isoDay = (iso: string): number => dayOf(Date.parse(`${iso}T00:00:00Z`));

/** Days from the evidence's first run (or the day after `since`) to the window's end: what a per-day figure divides by. */
const evidenceDays = (ctx: RuleContext, g: TaskGroupStats, since: number): number => daysWithData(ctx.stats.window, g.runs ? g.first_ts : 0, since);

const perDay = (ctx: RuleContext, g: TaskGroupStats, since: number): number => g.noop_cost_usd / evidenceDays(ctx, g, since);

export function cadenceChange(ctx: RuleContext, t: Pick<TaskStats, 'task'>, g: TaskGroupStats, interval: number, inferred: boolean, since: number): Change | Refusal {
  const c = ctx.rules.cadence;
  const days = evidenceDays(ctx, g, since);
  const noopPerDay = g.noop_cost_usd / days;
  const backlog = backlogOf(ctx, g);
  const at = inferred ? `${interval} s (as its runs were spaced; the task definition sets it)` : `${interval} s`;
  // Runs spaced far from the interval are spaced by something else (a trigger, a lock, the machine being
  // off): a new interval would change nothing but the claim of an effect.
  const gap = g.median_gap_s;
  if (!inferred && gap !== null && (gap > interval * c.max_gap_ratio || gap * c.max_gap_ratio < interval)) {
    return refuse('keep', `its runs are ${fmtSeconds(gap)} apart at the median under an interval of ${fmtSeconds(interval)}: something else spaces them (a trigger, a lock, the machine being off), so the interval is kept`);
  }
  let to: number;
  let direction: 'up' | 'down';
  if (g.noop_share >= c.backoff_noop_share) {
    to = Math.min(interval * 2, c.max_interval_seconds);
    direction = 'up';
    if (to <= interval) return refuse('keep', `${pct(g.noop_share)} of runs were no-ops, but the interval is at its ceiling of ${c.max_interval_seconds} s (rules.cadence.max_interval_seconds); kept`);
  } else if (g.noop_share <= c.busy_noop_share) {
    // Work queues up when runs that all found work also stop at a turn budget with work left: a run
    // that finishes its work within its budget is no reason to run more often (more runs, more cost).
    if (!backlog) return refuse('keep', `every run found work at ${at}, and each finished it within its turn budgets; kept`);
    to = Math.max(Math.round(interval / 2), c.min_interval_seconds);
    direction = 'down';
    if (to >= interval) return refuse('keep', `every run found work and ${backlog.phase} stopped at its turn budget in ${pct(backlog.rate)} of runs, but the interval is at its floor of ${c.min_interval_seconds} s (rules.cadence.min_interval_seconds); kept`);
  } else return refuse('keep', `${pct(g.noop_share)} of ${plural(g.runs, 'run')} were no-ops at ${at}; kept`);
  // Half as many runs do the same work: the runs that go are no-ops, as many as there are beyond the work.
  const runsPerDay = g.runs / days;
  const workPerDay = (g.runs - g.noops) / days;
  const meanNoop = g.noops ? g.noop_cost_usd / g.noops : 0;
  const savedPerDay = direction === 'up' ? (g.noops / days - Math.max(0, runsPerDay / 2 - workPerDay)) * meanNoop : 0;
  return {
    kind: 'schedule',
    category: t.task,
    complexity: null,
    role: null,
    key: null,
    from: interval,
    to,
    direction,
    source: 'rules',
    evidence: {
      runs: g.runs,
      noop_runs: g.noops,
      noop_share: round(g.noop_share, 4),
      runs_per_day: round(runsPerDay, 2),
      noop_cost_usd_per_day: round(noopPerDay, 4),
      saving_usd_per_day: round(savedPerDay, 4),
      median_gap_s: g.median_gap_s === null ? null : Math.round(g.median_gap_s),
      interval_inferred: inferred ? 'yes' : 'no',
      ...(direction === 'down' && backlog ? { cut_off_phase: backlog.phase, cap_hit_rate: round(backlog.rate, 4) } : {}),
    },
    effect: { tokens_per_run: 0, usd_per_run: -(savedPerDay * days) / runCount(ctx) },
    rationale:
      direction === 'up'
        ? `${plural(g.noops, 'run')} of ${g.runs} (${pct(g.noop_share)}) at ${at} found nothing to do, costing ${fmtUsd(noopPerDay)} a day. Running it every ${to} s does the same work in half as many runs, about ${fmtUsd(savedPerDay)} a day less.`
        : `Every one of ${plural(g.runs, 'run')} at ${at} found work, and ${backlog!.phase} stopped at its turn budget with work left in ${pct(backlog!.rate)} of them: work queues up between runs. Every ${to} s picks it up sooner, in smaller runs.`,
    risk:
      direction === 'up'
        ? 'Low: work waits up to twice as long before a run picks it up; nothing is skipped.'
        : 'Medium: more runs cost their fixed start-up; if runs start finding nothing, the no-op rule lengthens the interval again.',
    confidence: sampleConfidence(g.runs, ctx.rules.min_phases),
    pilot: false,
  };
}

// ---- models -------------------------------------------------------------------------------------

/** The highest P95 share of its budget among the task's phases whose budget is known, and the highest cap-hit rate. */
export function taskPressure(target: TaskTarget, g: TaskGroupStats): { utilisation: number | null; cap_hit_rate: number } {
  let utilisation: number | null = null;
  let hits = 0;
  for (const ph of g.phases) {
    if (!ph.runs) continue;
    hits = Math.max(hits, ph.cap_hits / ph.runs);
    const b = budgetOf(target, ph);
    if (b && ph.turns) utilisation = Math.max(utilisation ?? 0, ph.turns.p95 / b.value);
  }
  return { utilisation, cap_hit_rate: hits };
}

export function taskDowngradeHolds(ctx: RuleContext, g: TaskGroupStats, pressure: { utilisation: number | null; cap_hit_rate: number }): boolean {
  const d = ctx.rules.downgrade;
  return g.success_rate > d.min_success_rate && pressure.cap_hit_rate <= ctx.rules.turns.max_cap_hit_rate && pressure.utilisation !== null && pressure.utilisation < d.max_cap_utilisation;
}

export const taskUpgradeHolds = (ctx: RuleContext, g: TaskGroupStats): boolean => g.success_rate < ctx.rules.upgrade.max_success_rate;

/** Whether a task runs on a local provider: it costs nothing, and no rule moves it. */
export const isLocalTask = (t: Pick<TaskStats, 'provider'>, target: TaskTarget | undefined): boolean => LOCAL_PROVIDERS.has(target?.provider ?? t.provider ?? '');

function taskModel(ctx: RuleContext, t: TaskStats, target: TaskTarget): Part {
  const findings: Finding[] = [];
  if (isLocalTask(t, target)) {
    findings.push({ kind: 'keep', category: t.task, area: 'model', message: `${t.task}: runs on a local model (${t.models[0]?.model ?? '?'}) at no cost; its runs are left out of cost means and its model is not tuned` });
    return { changes: [], findings };
  }
  const current = taskModelOf(ctx, t);
  if (!current.model) return { changes: [], findings };
  const since = sinceDay(ctx, taskKey('model', t.task));
  const others = t.models.filter((m) => ctx.canonical(m.model) !== ctx.canonical(current.model!));
  if (others.length) findings.push({ kind: 'model_mismatch', category: t.task, area: 'model', message: `${t.task}: runs on ${others.map((o) => `${o.model} (${plural(o.runs, 'run')})`).join(', ')} while it is configured for ${current.model}; they are history, not evidence` });
  const g = taskGroup(taskRuns(ctx, t.task, since, current.model));
  if (g.runs < ctx.rules.min_phases) {
    findings.push({ kind: 'needs_more_data', category: t.task, area: 'model', message: `${t.task}: waiting for runs on ${current.model}: ${g.runs} of ${ctx.rules.min_phases}; model kept` });
    return { changes: [], findings };
  }
  const pressure = taskPressure(target, g);
  const down = taskDowngradeHolds(ctx, g, pressure);
  const up = taskUpgradeHolds(ctx, g);
  if (!down && !up) return { changes: [], findings };
  const at = ladderPosition(ctx, current.model);
  const to = at?.ladder[at.index + (down ? -1 : 1)];
  if (!at || !to) {
    findings.push({ kind: 'no_rung', category: t.task, area: 'model', message: `${t.task}: ${down ? 'downgrade' : 'upgrade'} signals, but ${current.model} is ${at ? `already the ${down ? 'cheapest' : 'strongest'} model on its ladder` : 'on no ladder in models.ladders'}` });
    return { changes: [], findings };
  }
  const change = taskModelChange(ctx, t, g, pressure, current.model, to, current.explicit ? undefined : current.from);
  if (isRefusal(change)) findings.push({ kind: change.refused, category: t.task, area: 'model', message: `${t.task}: ${change.reason}` });
  return { changes: isRefusal(change) ? [] : [change], findings };
}

export function taskModelChange(ctx: RuleContext, t: Pick<TaskStats, 'task'>, g: TaskGroupStats, pressure: { utilisation: number | null; cap_hit_rate: number }, from: string, to: string, inheritedFrom?: string): Change | Refusal {
  // Both at the mix of the task's own calls (its name is their role) on the model it runs on.
  const priceFrom = ctx.priceAs(from, from, t.task);
  const priceTo = ctx.priceAs(to, from, t.task);
  if (priceFrom === null || priceTo === null) return refuse('model_name', `${priceFrom === null ? from : to} has no price; cannot weigh the change`);
  // A local model (free, or served by a local provider) is never a rung to move to: it is another kind of choice.
  if (priceTo === 0 || LOCAL_PROVIDERS.has(priceOf(ctx.pricing, to)?.litellm_provider ?? '')) return refuse('no_rung', `${to} is a local model at no cost; a task is never moved to one by a rule`);
  const down = priceTo < priceFrom;
  // What the task's runs cost over the window, on the other model: per run of the window, and per day.
  const delta = g.cost_usd * (priceTo / priceFrom - 1);
  const usdPerDay = delta / evidenceDays(ctx, g, -1);
  const inherited = inheritedFrom ? ` (inherited from ${inheritedFrom}; the change adds the task's own)` : '';
  return {
    kind: 'model',
    category: t.task,
    complexity: null,
    role: 'builder',
    key: null,
    from,
    to,
    direction: down ? 'down' : 'up',
    source: 'rules',
    evidence: {
      model: from,
      runs: g.runs,
      success_rate: round(g.success_rate, 4),
      noop_share: round(g.noop_share, 4),
      mean_cost_usd: g.mean_cost_usd === null ? null : round(g.mean_cost_usd, 4),
      turn_utilisation_p95: pressure.utilisation === null ? null : round(pressure.utilisation, 4),
      cap_hit_rate: round(pressure.cap_hit_rate, 4),
      price_ratio: round(priceTo / priceFrom, 3),
    },
    effect: { tokens_per_run: 0, usd_per_run: delta / runCount(ctx) },
    rationale: down
      ? `${t.task} on ${from}${inherited} succeeds ${pct(g.success_rate)} of ${plural(g.runs, 'run')}, no phase hits its turn budget, and its busiest phase uses ${pct(pressure.utilisation)} of its budget at P95: ${to} should do this work, at about ${fmtUsd(-usdPerDay)} a day less.`
      : `${t.task} on ${from}${inherited} succeeds only ${pct(g.success_rate)} of ${plural(g.runs, 'run')}: a stronger model may fail less.`,
    risk: down ? `Low: watch the next runs' success; the outcome check reverts it if success falls by more than ${pct(ctx.rules.outcome.max_success_drop)}.` : `Medium: ${to} costs ${(priceTo / priceFrom).toFixed(1)}× per token. Pilot it before rolling it out.`,
    confidence: down ? sampleConfidence(g.runs, ctx.rules.min_phases) : 'low',
    pilot: !down,
  };
}

// ---- cost spikes --------------------------------------------------------------------------------

/**
 * Tasks whose mean cost per priced run over the last days of the window is a multiple of the same
 * span before, per task and provider, as Myco's own health check compares them: local (zero-cost)
 * runs stay out of both means. Flagged with the phases whose tokens per run grew.
 */
export function costSpikes(ctx: RuleContext): Finding[] {
  const s = ctx.rules.cost_spike;
  const until = isoDay(ctx.stats.window.until);
  const recentFrom = until - s.days + 1;
  const before = recentFrom - s.days;
  const groups = new Map<string, { recent: TaskRunRecord[]; trailing: TaskRunRecord[] }>();
  for (const r of ctx.tasksWithHistory) {
    if (r.local || !r.cost_usd) continue;
    const day = dayOf(r.ts);
    if (day < before || day > until) continue;
    const k = `${r.task}\u0000${r.provider ?? ''}`;
    const g = groups.get(k) ?? groups.set(k, { recent: [], trailing: [] }).get(k)!;
    (day >= recentFrom ? g.recent : g.trailing).push(r);
  }
  const out: Finding[] = [];
  for (const [k, g] of groups) {
    if (g.recent.length < s.min_runs || g.trailing.length < s.min_runs) continue;
    const [task, provider] = k.split('\u0000') as [string, string];
    const a = taskGroup(g.recent);
    const b = taskGroup(g.trailing);
    const ratio = a.mean_cost_usd! / b.mean_cost_usd!;
    // 0.6 / 0.2 is 2.9999…: a ratio a hair under the threshold in floating point is at it.
    if (ratio < s.ratio - 1e-9) continue;
    const grew = a.phases
      .map((p) => ({ phase: p.phase, now: p.tokens_mean, was: b.phases.find((q) => q.phase === p.phase)?.tokens_mean ?? 0 }))
      .filter((p) => p.was > 0 && p.now / p.was >= 1.5)
      .sort((x, y) => y.now / y.was - x.now / x.was);
    out.push({
      kind: 'cost_spike',
      category: task,
      area: 'cost',
      message:
        `${task}${provider ? ` (${provider})` : ''}: cost spike: ${fmtUsd(a.mean_cost_usd)} per run over the last ${plural(s.days, 'day')}, ${ratio.toFixed(1)}× the ${fmtUsd(b.mean_cost_usd)} of the ${s.days} days before (${a.priced_runs} and ${b.priced_runs} runs)` +
        (grew.length ? `; phases that grew: ${grew.map((p) => `${p.phase} ${(p.now / p.was).toFixed(1)}× tokens per run`).join(', ')}` : '; no phase grew by half or more: look at the runs themselves'),
    });
  }
  return out.sort((x, y) => x.message.localeCompare(y.message));
}
