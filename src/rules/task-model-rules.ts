import { LOCAL_PROVIDERS } from '../sources/index.js';
import { taskGroup, type TaskGroupStats, type TaskStats } from '../stats/index.js';
import type { Change, TaskTarget } from '../targets/index.js';
import { fmtUsd } from '../common/index.js';
import { priceOf } from '../pricing/index.js';
import { isRefusal, refuse, type Finding, type Refusal } from './finding.js';
import type { RuleContext } from './context.js';
import { sinceDay } from './evidence.js';
import { ladderPosition, pct, plural, round, runCount, sampleConfidence } from './helpers.js';
import { evidenceDays, type Part, taskKey, taskModelOf, taskRuns } from './task-common.js';
import { budgetOf } from './turn-rules.js';

/** A task's model, one rung along its ladder where the runs carry it. */

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

export function taskModel(ctx: RuleContext, t: TaskStats, target: TaskTarget): Part {
  const findings: Finding[] = [];
  if (isLocalTask(t, target)) {
    findings.push({
      kind: 'keep',
      category: t.task,
      area: 'model',
      message: `${t.task}: runs on a local model (${t.models[0]?.model ?? '?'}) at no cost; its runs are left out of cost means and its model is not tuned`,
    });
    return { changes: [], findings };
  }
  const current = taskModelOf(ctx, t);
  if (!current.model) return { changes: [], findings };
  const since = sinceDay(ctx, taskKey('model', t.task));
  const others = t.models.filter((m) => ctx.canonical(m.model) !== ctx.canonical(current.model!));
  if (others.length)
    findings.push({
      kind: 'model_mismatch',
      category: t.task,
      area: 'model',
      message: `${t.task}: runs on ${others.map((o) => `${o.model} (${plural(o.runs, 'run')})`).join(', ')} while it is configured for ${current.model}; they are history, not evidence`,
    });
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
    findings.push({
      kind: 'no_rung',
      category: t.task,
      area: 'model',
      message: `${t.task}: ${down ? 'downgrade' : 'upgrade'} signals, but ${current.model} is ${at ? `already the ${down ? 'cheapest' : 'strongest'} model on its ladder` : 'on no ladder in models.ladders'}`,
    });
    return { changes: [], findings };
  }
  const change = taskModelChange(ctx, t, g, pressure, current.model, to, current.explicit ? undefined : current.from);
  if (isRefusal(change)) findings.push({ kind: change.refused, category: t.task, area: 'model', message: `${t.task}: ${change.reason}` });
  return { changes: isRefusal(change) ? [] : [change], findings };
}

export function taskModelChange(
  ctx: RuleContext,
  t: Pick<TaskStats, 'task'>,
  g: TaskGroupStats,
  pressure: { utilisation: number | null; cap_hit_rate: number },
  from: string,
  to: string,
  inheritedFrom?: string,
): Change | Refusal {
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
    risk: down
      ? `Low: watch the next runs' success; the outcome check reverts it if success falls by more than ${pct(ctx.rules.outcome.max_success_drop)}.`
      : `Medium: ${to} costs ${(priceTo / priceFrom).toFixed(1)}× per token. Pilot it before rolling it out.`,
    confidence: down ? sampleConfidence(g.runs, ctx.rules.min_phases) : 'low',
    pilot: !down,
  };
}
