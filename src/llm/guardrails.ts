import type { Change } from '../targets/index.js';
import { changeKey } from '../targets/index.js';
import { isRefusal, type Refusal, type RuleContext } from '../rules/index.js';
import { roundDownReadable, roundUpReadable } from '../rules/index.js';
import { capChange } from '../rules/index.js';
import { ciChange } from '../rules/index.js';
import { budgetChange, MIN_RUNS_FOR_BUDGET, observedRunTokens } from '../rules/index.js';
import { isTruncating, capEvidence, capUtilisation, downgradeHolds, ladderPosition, modelBounds, modelChange, modelEvidence, pct, upgradeHolds } from '../rules/index.js';
import { RUN_BUDGET_KEYS, type RunBudgetKey } from '../targets/index.js';
import {
  budgetOf,
  cadenceChange,
  cadenceEvidence,
  decideTurns,
  sinceDay,
  taskKey,
  isLocalTask,
  phaseEvidence,
  taskDowngradeHolds,
  taskModelChange,
  taskModelOf,
  taskPressure,
  taskRuns,
  taskUpgradeHolds,
  turnChange,
} from '../rules/index.js';
import { taskGroup } from '../stats/index.js';
import { cleanText, type LlmAnswer, type LlmChange } from './answer.js';

/**
 * Numbers come from code. Every change the model proposes is checked against the computed stats and
 * the target config; what passes is rebuilt by the same functions the rules use, so its evidence and
 * effect are computed here and the model's text is kept as rationale only.
 */

export interface GuardrailBounds {
  /** A new cap or budget may be at most this multiple of the observed P95. */
  max_p95_multiple: number;
  /** …and may move at most this share of the current value in one proposal. */
  max_move: number;
}

/** What a proposal was about, for listing it: its key fields, and the values where known. */
export type ProposedChange = Pick<Change, 'kind' | 'category' | 'complexity' | 'role' | 'key'> & Partial<Change>;

export interface Rejection {
  change: ProposedChange;
  reason: string;
}

export interface Guarded {
  accepted: Change[];
  rejected: Rejection[];
  /** Keys the model proposed, accepted or not: a rule candidate for such a key was not silently dropped. */
  proposedKeys: Set<string>;
}

export function guard(answer: LlmAnswer, ctx: RuleContext, bounds: GuardrailBounds): Guarded {
  const accepted: Change[] = [];
  const rejected: Rejection[] = [];
  const proposedKeys = new Set<string>();
  const seen = new Set<string>();
  for (const proposal of answer.changes) {
    const outcome = check(proposal, ctx, bounds);
    const key = changeKey(outcome.change);
    proposedKeys.add(key);
    if ('reason' in outcome) {
      rejected.push({ change: outcome.change, reason: outcome.reason });
      continue;
    }
    if (seen.has(key)) {
      rejected.push({ change: outcome.change, reason: 'proposed twice; the first one counts' });
      continue;
    }
    seen.add(key);
    accepted.push(outcome.accepted);
  }
  return { accepted, rejected, proposedKeys };
}

type Outcome = { change: ProposedChange; accepted: Change } | { change: ProposedChange; reason: string };

function check(p: LlmChange, ctx: RuleContext, bounds: GuardrailBounds): Outcome {
  const isBudget = p.kind === 'run_budget';
  // A turn budget names its task and phase as "task/phase".
  const [task, phase] = p.kind === 'turn_budget' ? splitPhase(p.category) : [p.category, null];
  const shown: ProposedChange = {
    kind: p.kind,
    category: isBudget ? null : task,
    complexity: p.kind === 'model' ? p.complexity : null,
    role: p.kind === 'model' ? p.role : null,
    key: isBudget ? p.category : phase,
    to: cleanText(p.to, 80),
    source: 'llm',
  };
  const reject = (reason: string): Outcome => ({ change: shown, reason });
  const finish = (built: Change | Refusal, note?: string): Outcome => {
    if (isRefusal(built)) return reject(built.reason);
    const rationale = cleanText(p.rationale) || built.rationale;
    const change: Change = {
      ...built,
      source: 'llm',
      rationale: note ? `${rationale} [${note}]` : rationale,
      confidence: p.confidence,
      pilot: built.direction === 'up' && p.kind === 'model' ? true : p.pilot,
    };
    if (change.kind === 'model' && change.direction === 'up' && !p.pilot) change.rationale += ' [marked as a pilot: model upgrades are always piloted]';
    return { change: { ...shown, from: change.from, to: change.to }, accepted: change };
  };

  if (isBudget) return checkBudget(p, ctx, bounds, reject, finish);
  // A subagent's effort is stepped by its outcomes alone: there is no aggregate the model could add to.
  if (p.kind === 'effort') return reject("a subagent's effort is set by the rules, from its outcomes");
  if (p.kind === 'turn_budget' || p.kind === 'schedule' || (p.kind === 'model' && task !== null && ctx.targets.tasks[task])) {
    return checkTask(p, task, phase, ctx, bounds, reject, finish);
  }

  const category = p.category;
  if (category === null) return reject(`a ${p.kind} change needs a category`);
  const cat = ctx.stats.categories.find((c) => c.category === category);
  if (!cat) return reject(`unknown category: no phases of "${cleanText(category, 64)}" in the window`);
  if (!ctx.targets.categories.includes(category)) return reject(`category "${cleanText(category, 64)}" is not in the target config`);
  if (cat.phases < ctx.rules.min_phases) return reject(`too little data: ${cat.phases} phases, fewer than ${ctx.rules.min_phases}`);

  switch (p.kind) {
    case 'model': {
      if (p.complexity === null) return reject('a model change needs a complexity');
      if (p.role === null) return reject('a model change needs a role');
      if (!cat.by_complexity[p.complexity]) return reject(`no phases of ${category} at ${p.complexity} complexity`);
      const cell = ctx.targets.model(category, p.complexity, p.role);
      if (!cell?.current) return reject(`no target config holds the ${p.role} model for ${category} at ${p.complexity} complexity`);
      const current = cell.current.value;
      const known = ctx.price(p.to) !== null || ctx.targets.knownModels.includes(p.to);
      if (!known) return reject(`unknown model "${cleanText(p.to, 80)}": neither in the price table nor in the target config`);
      if (ctx.canonical(p.to) === ctx.canonical(current)) return reject(`${current} is already the model`);
      // The same evidence as the rules: phases on the model in force, the rules' tests, one rung.
      const g = modelEvidence(ctx, category, p.complexity, current).group;
      if (!g || g.phases < ctx.rules.min_phases) return reject(`waiting for data on ${current}: ${g?.phases ?? 0} of ${ctx.rules.min_phases} phases`);
      const from = ladderPosition(ctx, current);
      const want = ladderPosition(ctx, p.to);
      if (!from || !want || from.family !== want.family) return reject(`${cleanText(p.to, 80)} and ${current} are not on one ladder: no rung to step along`);
      const step = Math.sign(want.index - from.index);
      if (step === 0) return reject(`${cleanText(p.to, 80)} sits on the rung of ${current}`);
      const to = from.ladder[from.index + step]!;
      const note = Math.abs(want.index - from.index) > 1 ? `clamped to one rung: ${p.to} → ${to}` : undefined;
      const utilisation = capUtilisation(ctx, cat, g);
      if (step < 0 && !downgradeHolds(ctx, cat, g)) {
        const b = modelBounds(ctx, cat, g);
        return reject(
          `the rules' downgrade test fails on ${current}: success ${pct(g.success_rate)} (at least ${pct(b.success_lower)}), ${g.retries_per_phase.toFixed(2)} retries per phase (at most ${b.retries_upper.toFixed(2)}), P95 at ${utilisation === null ? 'an unknown share' : pct(utilisation)} of the cap (at most ${b.utilisation_upper === null ? 'an unknown share' : pct(b.utilisation_upper)}), bounds one-sided at 95% over ${g.phases} phases`,
        );
      }
      if (step > 0 && !upgradeHolds(ctx, cat, g)) return reject(`the rules' upgrade test fails on ${current}: success ${pct(g.success_rate)}, ${g.retries_per_phase.toFixed(2)} retries per phase`);
      return finish(modelChange(ctx, cat, p.complexity, current, to), note);
    }
    case 'token_cap': {
      const current = ctx.targets.caps[category];
      if (!current) return reject(`no incident_token_cap for ${category} in the target config`);
      const to = wholeNumber(p.to);
      if (to === null) return reject(`"${cleanText(p.to, 40)}" is not a whole number of tokens`);
      const g = capEvidence(ctx, category, current.value).group;
      if (!g || g.phases < ctx.rules.min_phases) return reject(`waiting for data under the cap in force: ${g?.phases ?? 0} of ${ctx.rules.min_phases} phases`);
      const p95 = g.percentiles.p95;
      const util = p95 / current.value;
      const rightDown = util < ctx.rules.cap.reduce_below;
      const rightUp = util > ctx.rules.cap.increase_above || isTruncating(g, ctx.rules.cap.max_truncation_rate);
      const bounded = within(to, current.value, p95, bounds, rightDown, rightUp, 'P95');
      if ('reason' in bounded) return reject(bounded.reason);
      return finish(capChange(ctx, cat, current.value, bounded.value), bounded.note);
    }
    case 'ci_profile': {
      const current = ctx.targets.ci[category];
      if (!current) return reject(`no ci_profile for ${category} in the target config`);
      const ladder = ctx.rules.ci.ladder;
      const from = ladder.indexOf(current.value);
      let at = ladder.indexOf(p.to);
      if (at === -1) return reject(`"${cleanText(p.to, 40)}" is not a CI profile on the ladder ${ladder.join(' < ')}`);
      if (from === -1) return reject(`the current profile "${current.value}" is not on the ladder`);
      if (at === from) return reject(`${current.value} is already the profile`);
      if (cat.ci.phases_in_ci_tiers < ctx.rules.min_phases) return reject(`too little CI data: ${cat.ci.phases_in_ci_tiers} phases in tiers with CI`);
      let note: string | undefined;
      if (Math.abs(at - from) > 1) {
        at = from + Math.sign(at - from);
        note = `clamped to one rung: ${p.to} → ${ladder[at]}`;
      }
      return finish(ciChange(ctx, cat, current.value, ladder[at]!), note);
    }
    default:
      return reject(`unknown change kind`);
  }
}

function splitPhase(category: string | null): [string | null, string | null] {
  const at = category?.lastIndexOf('/') ?? -1;
  return at > 0 ? [category!.slice(0, at), category!.slice(at + 1)] : [category, null];
}

/** A scheduled task's turn budget, cadence or model: the task rules' evidence, tests and builders. */
function checkTask(
  p: LlmChange,
  task: string | null,
  phase: string | null,
  ctx: RuleContext,
  bounds: GuardrailBounds,
  reject: (reason: string) => Outcome,
  finish: (built: Change | Refusal, note?: string) => Outcome,
): Outcome {
  if (task === null) return reject(`a ${p.kind} change needs a task in "category"${p.kind === 'turn_budget' ? ', as "task/phase"' : ''}`);
  const target = ctx.targets.tasks[task];
  const t = ctx.stats.tasks.find((x) => x.task === task);
  if (!target) return reject(`task "${cleanText(task, 64)}" has no block under agent.tasks in the target config`);
  if (!t) return reject(`unknown task: no runs of "${cleanText(task, 64)}" in the window`);
  switch (p.kind) {
    case 'turn_budget': {
      if (phase === null) return reject('a turn budget names its phase: put "task/phase" in "category"');
      const seen = t.phases.find((x) => x.phase === phase);
      if (!seen) return reject(`no runs of ${task} acted in phase "${cleanText(phase, 64)}"`);
      const budget = budgetOf(target, seen);
      if (!budget) return reject(`${task} ${phase} runs under its task definition's budget, which no run reported`);
      const to = wholeNumber(p.to);
      if (to === null) return reject(`"${cleanText(p.to, 40)}" is not a whole number of turns`);
      const g = phaseEvidence(ctx, t, phase);
      if (!g || g.runs < ctx.rules.min_phases) return reject(`waiting for runs under the budget in force: ${g?.runs ?? 0} of ${ctx.rules.min_phases}`);
      const verdict = decideTurns(ctx, g, budget.value, t.days_with_data);
      const way = isRefusal(verdict) ? undefined : verdict.direction;
      const bounded = within(to, budget.value, g.turns?.p95 ?? budget.value, bounds, way === 'down', way === 'up', 'P95 of turns');
      if ('reason' in bounded) return reject(bounded.reason);
      return finish(turnChange(ctx, t, g, budget, bounded.value), bounded.note);
    }
    case 'schedule': {
      if (!target.intervalPath) return reject(`${task} has no schedule block in the target config to set its interval in`);
      const at = cadenceEvidence(ctx, task, target);
      if (at.interval === undefined) return reject(`${task}: no interval set and too few runs to tell one`);
      if (at.group.runs < ctx.rules.min_phases) return reject(`waiting for runs at the interval in force: ${at.group.runs} of ${ctx.rules.min_phases}`);
      const to = wholeNumber(p.to);
      if (to === null) return reject(`"${cleanText(p.to, 40)}" is not a whole number of seconds`);
      const built = cadenceChange(ctx, t, at.group, at.interval, at.inferred, at.since);
      if (isRefusal(built)) return reject(`the cadence rule keeps it: ${built.reason}`);
      if (to === at.interval || to > at.interval !== Number(built.to) > at.interval) return reject(`${to} s moves the interval the other way from what its no-op runs say (${built.to} s)`);
      return finish(built, to !== built.to ? `set to ${built.to} s: one proposal doubles or halves an interval` : undefined);
    }
    case 'model': {
      if (isLocalTask(t, target)) return reject(`${task} runs on a local model at no cost; its model is not tuned`);
      const current = taskModelOf(ctx, t).model;
      if (!current) return reject(`no model configured for ${task}`);
      if (ctx.canonical(p.to) === ctx.canonical(current)) return reject(`${current} is already the model`);
      const from = ladderPosition(ctx, current);
      const want = ladderPosition(ctx, p.to);
      if (!from || !want || from.family !== want.family) return reject(`${cleanText(p.to, 80)} and ${current} are not on one ladder: no rung to step along`);
      const step = Math.sign(want.index - from.index);
      const toModel = from.ladder[from.index + step]!;
      const g = taskGroup(taskRuns(ctx, task, sinceDay(ctx, taskKey('model', task)), current));
      if (g.runs < ctx.rules.min_phases) return reject(`waiting for runs on ${current}: ${g.runs} of ${ctx.rules.min_phases}`);
      const pressure = taskPressure(target, g);
      if (step < 0 && !taskDowngradeHolds(ctx, g, pressure))
        return reject(
          `the rules' downgrade test fails on ${current}: success ${pct(g.success_rate)}, cap-hit rate ${pct(pressure.cap_hit_rate)}, busiest phase at ${pct(pressure.utilisation)} of its budget`,
        );
      if (step > 0 && !taskUpgradeHolds(ctx, g)) return reject(`the rules' upgrade test fails on ${current}: success ${pct(g.success_rate)}`);
      const note = Math.abs(want.index - from.index) > 1 ? `clamped to one rung: ${p.to} → ${toModel}` : undefined;
      return finish(taskModelChange(ctx, t, g, pressure, current, toModel), note);
    }
    default:
      return reject('a scheduled task takes model, turn_budget and schedule changes');
  }
}

function checkBudget(p: LlmChange, ctx: RuleContext, bounds: GuardrailBounds, reject: (reason: string) => Outcome, finish: (built: Change | Refusal, note?: string) => Outcome): Outcome {
  const key = p.category;
  if (!key || !(RUN_BUDGET_KEYS as readonly string[]).includes(key)) {
    return reject(`unknown run budget "${cleanText(key ?? '', 64)}"; expected one of ${RUN_BUDGET_KEYS.join(', ')}`);
  }
  const budgetKey = key as RunBudgetKey;
  const current = ctx.targets.budgets[budgetKey];
  if (!current) return reject(`no ${key} in the target config`);
  if (ctx.stats.runs.count < MIN_RUNS_FOR_BUDGET) return reject(`too little data: ${ctx.stats.runs.count} runs, fewer than ${MIN_RUNS_FOR_BUDGET}`);
  const to = wholeNumber(p.to);
  if (to === null) return reject(`"${cleanText(p.to, 40)}" is not a whole number of tokens`);
  const observed = observedRunTokens(ctx, budgetKey);
  const wanted = observed * (1 + ctx.rules.run_budget.headroom);
  const bounded = within(to, current.value, observed, bounds, wanted < current.value, wanted > current.value, `P${ctx.rules.run_budget.percentile} per run`);
  if ('reason' in bounded) return reject(bounded.reason);
  return finish(budgetChange(ctx, budgetKey, current.value, bounded.value, 0), bounded.note);
}

/**
 * The evidence bounds of a new cap or budget: never below the observed percentile, at most
 * `max_p95_multiple` times it, and no further than `max_move` from the current value. A value outside
 * them is clamped when the evidence points the same way as the proposal, and rejected otherwise.
 */
export function within(
  to: number,
  current: number,
  observed: number,
  bounds: GuardrailBounds,
  rightDown: boolean,
  rightUp: boolean,
  what: string,
): { value: number; note?: string } | { reason: string } {
  if (to === current) return { reason: `${current} is already the value` };
  const lo = Math.max(Math.ceil(observed), Math.ceil(current * (1 - bounds.max_move)));
  // Never below the observed percentile, even where the move limit would say so.
  const hi = Math.max(lo, Math.min(Math.floor(observed * bounds.max_p95_multiple), Math.floor(current * (1 + bounds.max_move))));
  if (to >= lo && to <= hi) return { value: to };
  const why =
    to < Math.ceil(observed)
      ? `below the observed ${what} (${Math.ceil(observed)})`
      : to > observed * bounds.max_p95_multiple
        ? `above ${bounds.max_p95_multiple}× the observed ${what} (${Math.floor(observed * bounds.max_p95_multiple)})`
        : `a move of more than ${Math.round(bounds.max_move * 100)}% from ${current}`;
  const down = to < current;
  if (!(down ? rightDown : rightUp)) return { reason: `${to} is ${why}, and the evidence does not point ${down ? 'down' : 'up'}` };
  const clamped = readableWithin(Math.min(Math.max(to, lo), hi), lo, hi);
  if (clamped === current || clamped < current !== down) return { reason: `${to} is ${why}; no value within the evidence bounds moves it ${down ? 'down' : 'up'}` };
  return { value: clamped, note: `clamped from ${to} to ${clamped}: ${to} is ${why}` };
}

/** Rounds a clamped value to a readable step when that stays within the bounds. */
function readableWithin(v: number, lo: number, hi: number): number {
  const up = roundUpReadable(v);
  if (up <= hi) return up;
  const down = roundDownReadable(v);
  return down >= lo ? down : v;
}

function wholeNumber(s: string): number | null {
  const t = s.trim().replace(/_/g, '');
  if (!/^\d{1,15}$/.test(t)) return null;
  return Number(t);
}
