import { liveSuccessor } from '../pricing/index.js';
import { percentiles, wilsonBound, workStats, type AgentWorkStats, type TaskPhaseStats } from '../stats/index.js';
import { dayOf } from '../store/index.js';
import { changeKey, EFFORT_LEVELS, type Change } from '../targets/index.js';
import { workTokens, type WorkRecord } from '../sources/index.js';
import type { RuleContext } from './context.js';
import { sinceDay } from './evidence.js';
import { isRefusal, refuse, type Finding, type Refusal } from './finding.js';
import { decideTurns, turnChange } from './turn-rules.js';
import { ladderPosition, pct, plural, round, runCount, sampleConfidence } from './helpers.js';

/**
 * Agents judged by their units of work (agent invocations with an outcome, from any source that
 * reports them): the model tests of the phase rules, on the same one-sided bounds, per agent and
 * model. A unit without a known outcome is no evidence either way. An agent whose file is a target
 * (claude-agents) gets its model moved one rung: down when its runs on the model in force since it was
 * set pass the downgrade test on its bound, up (a pilot) when they fail the upgrade test; for any other
 * agent what the tests find is reported and nothing is proposed.
 */
export function agentRules(ctx: RuleContext): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const d = ctx.rules.downgrade;
  const u = ctx.rules.upgrade;
  const targeted = new Set<string>();
  for (const [agent, target] of Object.entries(ctx.targets.agents)) {
    targeted.add(agent);
    if (target.held) {
      if (agentRuns(ctx, agent).length) findings.push({ kind: 'keep', category: agent, area: 'model', message: `${agent}: ${target.held}; its runs are not used to change it` });
      continue;
    }
    const turns = target.maxTurns ? agentTurns(ctx, agent, target.maxTurns.value, target.model?.value) : undefined;
    if (turns && isRefusal(turns)) findings.push({ kind: turns.refused, category: agent, area: 'turn_budget', message: `${agent} maxTurns: ${turns.reason}` });
    else if (turns) changes.push(turns);
    const key = changeKey({ kind: 'model', category: agent, subject: 'agent', complexity: null, role: 'builder', key: null });
    // The evidence is what ran under the model in force, since it was last set.
    const since = sinceDay(ctx, key);
    const mine = agentRuns(ctx, agent, since).filter((w) => w.outcome !== undefined);
    // An agent that inherits the session's model is made explicit only on evidence: nine runs in ten
    // on one model, which is then the model in force the tests judge.
    const current = target.model?.value ?? (target.inherits ? dominantModel(ctx, mine) : undefined);
    if (!current) {
      if (mine.length) findings.push({ kind: 'keep', category: agent, area: 'model', message: `${agent} (inherit): its runs used several models, none in nine of ten; set model: to tune it` });
      continue;
    }
    const from = target.model ? current : 'inherit';
    const on = agentRuns(ctx, agent, since, current);
    const g = workStats(on)[0];
    const where = `${agent} (${target.model ? current : `inherit, on ${current}`})`;
    if (!g || g.with_outcome < ctx.rules.min_phases) {
      const other = mine.length - (g?.with_outcome ?? 0);
      findings.push({
        kind: other > (g?.with_outcome ?? 0) ? 'model_mismatch' : 'needs_more_data',
        category: agent,
        area: 'model',
        message: `${where}: ${plural(g?.with_outcome ?? 0, 'invocation')} with an outcome on its model since it was set, fewer than ${ctx.rules.min_phases}${other ? `; ${plural(other, 'other')} ran on another model` : ''}; kept`,
      });
      continue;
    }
    const { lower, upper, down, up } = modelTests(ctx, g);
    if (!down && !up) continue;
    const at = ladderPosition(ctx, current);
    const rung = at?.ladder[at.index + (down ? -1 : 1)];
    const to = rung && liveSuccessor(ctx.pricing, rung, ctx.now, ctx.horizonDays);
    if (!to) {
      // On the cheapest rung the model cannot step down, but its reasoning effort can.
      const effort = down && target.effort ? effortDown(ctx, agent, target.effort.value, current) : undefined;
      if (effort && !isRefusal(effort)) {
        changes.push(effort);
        continue;
      }
      findings.push({
        kind: 'no_rung',
        category: agent,
        area: 'model',
        message: `${where}: ${down ? 'downgrade' : 'upgrade'} signals, but ${at ? `it is already the ${down ? 'cheapest' : 'strongest'} model on its ladder` : `${current} is on no ladder in models.ladders`}${effort ? `, and its effort: ${effort.reason}` : ''}; kept`,
      });
      continue;
    }
    const priceFrom = ctx.priceAs(current, current);
    const priceTo = ctx.priceAs(to, current);
    const tokens = on.reduce((a, w) => a + workTokens(w), 0) / on.length;
    const usdPerRun = priceFrom !== null && priceTo !== null ? ((priceTo - priceFrom) * tokens * on.length) / runCount(ctx) : 0;
    const seen = `${seenOf(g)} on ${current}`;
    changes.push({
      kind: 'model',
      category: agent,
      subject: 'agent',
      complexity: null,
      role: 'builder',
      key: null,
      from,
      to,
      direction: down ? 'down' : 'up',
      source: 'rules',
      evidence: {
        model: current,
        invocations: g.with_outcome,
        success_rate: round(g.success_rate ?? 0, 4),
        success_bound: round(down ? lower : upper, 4),
        correction_rate: g.correction_rate === null ? null : round(g.correction_rate, 4),
        ...signals(g),
        mean_tokens: Math.round(tokens),
      },
      effect: { tokens_per_run: 0, usd_per_run: round(usdPerRun, 4) },
      rationale: down
        ? `${seen}: at least ${pct(lower, 1)} on its one-sided 95% bound, above the ${pct(d.min_success_rate)} the downgrade test asks. One rung down to ${to}.`
        : `${seen}: at most ${pct(upper, 1)} on its one-sided 95% bound, under the ${pct(u.max_success_rate)} the upgrade test allows. A pilot of ${to}, one rung up.`,
      risk: down
        ? `${agent} may fail more on ${to}; its outcome is followed, and a fall in success beyond ${pct(ctx.rules.outcome.max_success_drop)} reverts it.`
        : `${to} costs more per token; the pilot is judged by its outcome.`,
      confidence: sampleConfidence(g.with_outcome, ctx.rules.min_phases),
      pilot: !down,
    });
  }
  return { changes, findings: [...findings, ...untargeted(ctx, targeted)] };
}

/**
 * A subagent's maxTurns from its runs under the bound in force (on its model), as a task phase's budget is sized
 * (turn-rules.ts): the turns of the runs that succeeded within it, and the runs that reached it,
 * whose need is censored there.
 */
function agentTurns(ctx: RuleContext, agent: string, bound: number, model: string | undefined): Change | Refusal | undefined {
  const key = changeKey({ kind: 'turn_budget', category: agent, subject: 'agent', complexity: null, role: null, key: null });
  const since = sinceDay(ctx, key);
  // On the model the file sets, where it sets one: another model needs other turns.
  const runs = agentRuns(ctx, agent, since, model).filter((w) => w.turns !== undefined);
  if (runs.length < ctx.rules.min_phases) return refuse('needs_more_data', `${plural(runs.length, 'run')} with a turn count under ${bound}, fewer than ${ctx.rules.min_phases}; kept`);
  const finished = runs
    .filter((w) => w.outcome !== 'failed' && w.turns! < bound)
    .map((w) => w.turns!)
    .sort((a, b) => a - b);
  const g: TaskPhaseStats = {
    phase: agent,
    runs: runs.length,
    cap_hits: runs.filter((w) => w.turns! >= bound).length,
    failures: runs.filter((w) => w.outcome === 'failed').length,
    finished: finished.length,
    turns: finished.length ? percentiles(finished) : null,
    allowed_turns: null,
    tokens_mean: runs.reduce((a, w) => a + workTokens(w), 0) / runs.length,
  };
  const days = new Set(runs.map((w) => dayOf(w.ts))).size;
  const decided = decideTurns(ctx, g, bound, days);
  if (isRefusal(decided)) return decided;
  return { ...turnChange(ctx, { task: agent, days_with_data: days }, g, { value: bound, inherited: false }, decided.to), key: null, subject: 'agent' };
}

/**
 * A subagent's effort one level down, when its runs on its model under the effort in force (since
 * either was set) pass the downgrade test. How many tokens the lower effort saves is not known
 * beforehand: the change is judged, and reverted, by its outcome.
 */
function effortDown(ctx: RuleContext, agent: string, level: string, model: string): Change | Refusal {
  const at = EFFORT_LEVELS.indexOf(level as (typeof EFFORT_LEVELS)[number]);
  if (at <= 0) return refuse('no_rung', `effort is already ${level}, the lowest`);
  const key = (kind: 'model' | 'effort') => changeKey({ kind, category: agent, subject: 'agent', complexity: null, role: kind === 'model' ? 'builder' : null, key: null });
  const since = Math.max(sinceDay(ctx, key('model')), sinceDay(ctx, key('effort')));
  const on = agentRuns(ctx, agent, since, model);
  const g = workStats(on)[0];
  if (!g || g.with_outcome < ctx.rules.min_phases)
    return refuse('needs_more_data', `${plural(g?.with_outcome ?? 0, 'invocation')} with an outcome at effort ${level}, fewer than ${ctx.rules.min_phases}`);
  const { lower, down } = modelTests(ctx, g);
  if (!down) return refuse('keep', `at effort ${level} its success bound is ${pct(lower, 1)}, not above ${pct(ctx.rules.downgrade.min_success_rate)}`);
  const to = EFFORT_LEVELS[at - 1]!;
  const output = on.filter((w) => w.output_tokens !== undefined);
  return {
    kind: 'effort',
    category: agent,
    subject: 'agent',
    complexity: null,
    role: null,
    key: null,
    from: level,
    to,
    direction: 'down',
    source: 'rules',
    evidence: {
      model,
      effort: level,
      invocations: g.with_outcome,
      success_rate: round(g.success_rate ?? 0, 4),
      success_bound: round(lower, 4),
      correction_rate: g.correction_rate === null ? null : round(g.correction_rate, 4),
      ...signals(g),
      mean_output_tokens: output.length ? Math.round(output.reduce((a, w) => a + w.output_tokens!, 0) / output.length) : null,
    },
    effect: { tokens_per_run: 0, usd_per_run: 0 },
    rationale: `${seenOf(g)} on ${model} at effort ${level}: at least ${pct(lower, 1)} on its one-sided 95% bound, above the ${pct(ctx.rules.downgrade.min_success_rate)} the downgrade test asks, and ${model} is the cheapest model on its ladder. One effort level down to ${to}; the saving in reasoning tokens is measured after, not projected.`,
    risk: `${agent} may fail more at effort ${to}; its outcome is followed, and a fall in success beyond ${pct(ctx.rules.outcome.max_success_drop)} reverts it.`,
    confidence: sampleConfidence(g.with_outcome, ctx.rules.min_phases),
    pilot: false,
  };
}

/** Agents no target assigns a model: what the tests find is reported, nothing is proposed. */
function untargeted(ctx: RuleContext, targeted: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const g of ctx.stats.work) {
    if (targeted.has(g.agent) || g.model === null || g.with_outcome === 0) continue;
    const where = `${g.agent} on ${g.model}`;
    if (g.with_outcome < ctx.rules.min_phases) {
      findings.push({
        kind: 'needs_more_data',
        category: g.agent,
        area: 'model',
        message: `${where}: ${plural(g.with_outcome, 'invocation')} with an outcome, fewer than ${ctx.rules.min_phases}; model not judged`,
      });
      continue;
    }
    const { lower, upper, down: passes, up } = modelTests(ctx, g);
    const seen = seenOf(g);
    const at = ladderPosition(ctx, g.model);
    if (passes) {
      const down = at && at.index > 0 ? at.ladder[at.index - 1] : undefined;
      findings.push({
        kind: 'not_in_target',
        category: g.agent,
        area: 'model',
        message: `${where}: ${seen}, at least ${pct(lower, 1)} on its one-sided 95% bound: a downgrade candidate${down ? ` to ${down}, the next rung` : ', but no cheaper rung is on its ladder'}; no target assigns this agent its model, so nothing is proposed`,
      });
    } else if (up) {
      findings.push({
        kind: 'not_in_target',
        category: g.agent,
        area: 'model',
        message: `${where}: ${seen}, at most ${pct(upper, 1)} on its one-sided 95% bound: it fails often enough for a stronger model to be piloted; no target assigns this agent its model, so nothing is proposed`,
      });
    }
  }
  return findings;
}

/**
 * An agent's runs after a day, on a model (canonical) where one is given: the evidence of its keys and
 * their outcomes. A run whose source names no model (AutoSkillit's main branch records none) ran on
 * the model its target sets, when that is the model asked for: the evidence starts when it was set.
 */
export function agentRuns(ctx: RuleContext, agent: string, afterDay = -1, model?: string): WorkRecord[] {
  const id = model === undefined ? undefined : ctx.canonical(model);
  const set = ctx.targets.agents[agent]?.model?.value;
  const unnamed = id !== undefined && set !== undefined && ctx.canonical(set) === id;
  return ctx.work
    .filter((w) => w.agent === agent && dayOf(w.ts) > afterDay && (id === undefined || (w.model !== undefined ? ctx.canonical(w.model) === id : unnamed)))
    .map((w) => (w.model === undefined && id !== undefined ? { ...w, model: set } : w));
}

/** How an agent's runs went, in words: success, and what else its source says of them. */
function seenOf(g: AgentWorkStats): string {
  const also = [
    ...Object.entries(g.failures_by)
      .sort((a, b) => b[1] - a[1])
      .map(([why, n]) => `${plural(n, 'run')} failed with ${why}`),
    g.redispatched ? `${plural(g.redispatched, 'run')} dispatched again by its caller, counted as failed` : '',
    g.interrupted ? `${plural(g.interrupted, 'run')} interrupted, not counted` : '',
    g.tool_errors_per_unit ? `${g.tool_errors_per_unit.toFixed(1)} failed tool calls per run` : '',
    g.correction_rate !== null ? `${pct(g.correction_rate)} corrected by their user` : '',
  ].filter(Boolean);
  return `success ${pct(g.success_rate)} over ${plural(g.with_outcome, 'invocation')}${also.length ? ` (${also.join('; ')})` : ''}`;
}

/** The evidence beside success that a change carries. */
const signals = (g: AgentWorkStats): Record<string, number | null> => ({
  redispatched: g.redispatched,
  interrupted: g.interrupted,
  tool_errors_per_invocation: g.tool_errors_per_unit === null ? null : round(g.tool_errors_per_unit, 3),
});

/** The phase rules' model tests on an agent's runs with an outcome, each on its one-sided bound. */
function modelTests(ctx: RuleContext, g: AgentWorkStats): { lower: number; upper: number; down: boolean; up: boolean } {
  const d = ctx.rules.downgrade;
  const lower = wilsonBound(g.successes, g.with_outcome, 'lower');
  const upper = wilsonBound(g.successes, g.with_outcome, 'upper');
  return { lower, upper, down: lower > d.min_success_rate && (g.correction_rate ?? 0) <= 1 - d.min_success_rate, up: upper < ctx.rules.upgrade.max_success_rate };
}

/** The model nine in ten of the runs used, if one did. */
function dominantModel(ctx: RuleContext, runs: readonly WorkRecord[]): string | undefined {
  const by = new Map<string, number>();
  for (const w of runs) if (w.model !== undefined) by.set(ctx.canonical(w.model), (by.get(ctx.canonical(w.model)) ?? 0) + 1);
  const [model, n] = [...by].sort((a, b) => b[1] - a[1])[0] ?? [];
  // Of the runs whose model is known.
  return model !== undefined && n! >= 0.9 * runs.filter((w) => w.model !== undefined).length ? model : undefined;
}
