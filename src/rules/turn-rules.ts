import { taskGroup, type TaskPhaseStats, type TaskStats } from '../stats/index.js';
import type { Change, TaskTarget } from '../targets/index.js';
import { isRefusal, refuse, type Finding, type Refusal } from './finding.js';
import type { RuleContext } from './context.js';
import { sinceDay } from './evidence.js';
import { beyondRate, limitMove, pct, plural, recommendCap, round, sampleConfidence } from './helpers.js';
import { taskKey, taskModelOf, taskRuns, type Part } from './task-common.js';

/** Each phase's turn budget (maxTurns), from the turns of the runs that finished it. */

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

export function turnBudgets(ctx: RuleContext, t: TaskStats, target: TaskTarget): Part {
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
      findings.push({
        kind: 'needs_more_data',
        category: t.task,
        area: 'turn_budget',
        message: `${where}: waiting for runs under the budget in force (${budget.value} turns): ${g?.runs ?? 0} of ${ctx.rules.min_phases}; kept`,
      });
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
  if ((direction === 'down' && to >= budget) || (direction === 'up' && to <= budget))
    return refuse('keep', `P95 at ${pct(util)} of ${budget} turns, but the derived budget ${to} does not move it ${direction}; kept`);
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
