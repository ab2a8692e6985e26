import type { Complexity } from '../sources/index.js';
import { groupStats, type PhaseGroupStats } from '../stats/index.js';
import type { PhaseBucket } from '../store/index.js';
import { changeKey, type ChangeKind } from '../targets/index.js';
import type { RuleContext } from './context.js';

/**
 * Evidence is what ran under the configuration in force. Phases on another model than the one the
 * targets configure, or under another cap, are history: they say nothing of what the next change
 * would do. Without this, a merged downgrade is judged again on the old model's phases.
 */

export interface ModelEvidence {
  /** The phases on the configured model; null when there are none. */
  group: PhaseGroupStats | null;
  /** Phases of the key on other models, most first: history, not evidence. */
  others: { model: string; phases: number }[];
}

/**
 * Evidence is asked for by several rules and the guardrails for the same key; its percentiles merge
 * every phase's tokens, so each is computed once per context.
 */
const memo = new WeakMap<RuleContext, Map<string, unknown>>();
function remembered<T>(ctx: RuleContext, key: string, compute: () => T): T {
  let m = memo.get(ctx);
  if (!m) memo.set(ctx, (m = new Map()));
  if (!m.has(key)) m.set(key, compute());
  return m.get(key) as T;
}

/** Whether a category runs on its complexity's `default` model entry, having no entry of its own. */
export const inheritsDefault = (ctx: RuleContext, category: string, complexity: Complexity): boolean => ctx.targets.model(category, complexity, 'builder')?.explicit === false;

const keyOf = (kind: ChangeKind, category: string | null, key: string | null = null) => changeKey({ kind, category, complexity: null, role: null, key });

/**
 * The day a target key's current value took effect, as far as is known (-1: all along). Values are
 * seen when a run reads the targets; when the value is one of our applied changes, it took effect when
 * its merge reached the base branch (where git tells), else no earlier than its proposal: usually days
 * before a run saw it.
 */
export function sinceDay(ctx: RuleContext, key: string): number {
  const seen = ctx.history.since.get(key) ?? -1;
  const ours = ctx.history.applied.filter((a) => a.key === key).at(-1);
  return ours && seen !== -1 && ours.applied_day === seen ? (ours.merged_day ?? ours.proposed_day) : seen;
}

/** Phases of one (category, complexity) builder key on `model`. */
export function modelEvidence(ctx: RuleContext, category: string, complexity: Complexity, model: string, afterDay = -1): ModelEvidence {
  return remembered(ctx, `model\u0000${category}\u0000${complexity}\u0000${model}\u0000${afterDay}`, () => computeModelEvidence(ctx, category, complexity, model, afterDay));
}

function computeModelEvidence(ctx: RuleContext, category: string, complexity: Complexity, model: string, afterDay: number): ModelEvidence {
  const id = ctx.canonical(model);
  const mine: PhaseBucket[] = [];
  const others = new Map<string, number>();
  for (const b of ctx.phases) {
    if (b.category !== category || b.complexity !== complexity || b.day <= afterDay) continue;
    if (ctx.canonical(b.model) === id) mine.push(b);
    else others.set(b.model, (others.get(b.model) ?? 0) + b.phases);
  }
  return {
    group: mine.length ? groupStats(mine, ctx.stats.blended_price) : null,
    others: [...others.entries()].map(([m, phases]) => ({ model: m, phases })).sort((a, b) => b.phases - a.phases || a.model.localeCompare(b.model)),
  };
}

/**
 * Phases of a category under the cap in force, on the models in force: the phases' own reported cap
 * where they report one, else the days since the cap last changed. Truncations under an older, lower
 * cap would otherwise keep raising a cap that no longer truncates.
 */
export function capEvidence(ctx: RuleContext, category: string, cap: number, afterDay = -1): { group: PhaseGroupStats | null; excluded: number } {
  return remembered(ctx, `cap\u0000${category}\u0000${cap}\u0000${afterDay}`, () => computeCapEvidence(ctx, category, cap, afterDay));
}

function computeCapEvidence(ctx: RuleContext, category: string, cap: number, afterDay: number): { group: PhaseGroupStats | null; excluded: number } {
  const since = Math.max(afterDay, sinceDay(ctx, keyOf('token_cap', category)));
  const onModel: PhaseBucket[] = [];
  for (const b of ctx.phases) {
    if (b.category !== category || b.day <= afterDay) continue;
    const configured = ctx.targets.model(category, b.complexity, 'builder')?.current?.value;
    if (configured === undefined || ctx.canonical(configured) === ctx.canonical(b.model)) onModel.push(b);
  }
  // Telemetry that never reports the configured cap, of a cap that has not changed while tokentune
  // watched, is a pipeline reporting another figure than it enforces: its phases are the only evidence.
  const reportsIt = onModel.some((b) => b.cap === cap);
  const strict = reportsIt || since >= 0;
  const inForce = onModel.filter((b) => (b.cap > 0 && strict ? b.cap === cap : b.day > since));
  const excluded = ctx.phases.filter((b) => b.category === category).reduce((n, b) => n + b.phases, 0) - inForce.reduce((n, b) => n + b.phases, 0);
  return { group: inForce.length ? groupStats(inForce, ctx.stats.blended_price) : null, excluded };
}

/** Days of the window since a key last changed, for evidence that telemetry cannot tie to a value (runs, CI). */
export function daysSinceChange(ctx: RuleContext, kind: ChangeKind, category: string | null, key: string | null = null): number {
  return sinceDay(ctx, keyOf(kind, category, key));
}

/** Phases of a category after a day, whatever they ran on: what a CI change is judged by. */
export function categorySince(ctx: RuleContext, category: string, afterDay: number): PhaseGroupStats | null {
  const buckets = ctx.phases.filter((b) => b.category === category && b.day > afterDay);
  return buckets.length ? groupStats(buckets, ctx.stats.blended_price) : null;
}

/** Phases a `default` model entry served after a day: those of categories without an entry of their own. */
export function defaultEvidence(ctx: RuleContext, complexity: Complexity, model: string, afterDay: number): PhaseGroupStats | null {
  const id = ctx.canonical(model);
  const buckets = ctx.phases.filter((b) => b.complexity === complexity && b.day > afterDay && ctx.canonical(b.model) === id && inheritsDefault(ctx, b.category, complexity));
  return buckets.length ? groupStats(buckets, ctx.stats.blended_price) : null;
}
