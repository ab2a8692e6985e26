import { retirementOf } from '../pricing/index.js';
import type { Confidence } from '../targets/index.js';
import type { RuleContext } from './context.js';

/** What the rules share: rates, rounding, the size of one move, and where a model sits on the ladders. */

/**
 * Events a rule acts on (truncations, cap hits, runs over a budget): more than `maxRate` of `of`, and
 * at least two of them (one in a few dozen is not a rate).
 */
export const beyondRate = (count: number, of: number, maxRate: number): boolean => count >= 2 && of > 0 && count / of > maxRate;

/** Runs in the window, never zero, for per-run averages. */
export const runCount = (ctx: RuleContext): number => Math.max(1, ctx.stats.runs.count);

/** More data than the minimum gives more confidence; three times the minimum is plenty. */
export function sampleConfidence(phases: number, min: number): Confidence {
  return phases >= 3 * min ? 'high' : 'medium';
}

/** Rounds up to a step a human reads easily: two significant digits (345 678 → 350 000). */
export function roundUpReadable(n: number): number {
  if (n <= 0) return 0;
  const digits = Math.floor(Math.log10(n)) + 1;
  const step = 10 ** Math.max(0, digits - 2);
  // Products like 3 000 000 × 1.1 land a hair above the exact value; that must not add a whole step.
  return Math.ceil(n / step - 1e-9) * step;
}

/** Rounds down to two significant digits, the readable step of roundUpReadable (345 678 → 340 000). */
export function roundDownReadable(n: number): number {
  if (n <= 0) return 0;
  const digits = Math.floor(Math.log10(n)) + 1;
  const step = 10 ** Math.max(0, digits - 2);
  return Math.floor(n / step + 1e-9) * step;
}

export { plural } from '../common/index.js';

/** Percentages in rationales read like the report's. */
export { fmtPct as pct } from '../common/index.js';

export const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * The first step from `from` towards `to` when one proposal may move a value by at most `maxMove` of
 * it, rounded to a readable value inside that limit, and about how many steps the whole way takes.
 */
export function limitMove(from: number, to: number, maxMove: number): { value: number; steps: number } {
  if (!(from > 0 && to > 0)) throw new Error(`limitMove: ${from} → ${to}: both ends must be positive`);
  const up = to > from;
  const limit = up ? from * (1 + maxMove) : from * (1 - maxMove);
  if (up ? to <= limit : to >= limit) return { value: to, steps: 1 };
  const steps = Math.ceil(Math.log(up ? to / from : from / to) / Math.log(up ? 1 + maxMove : 1 / (1 - maxMove)) - 1e-9);
  return { value: up ? roundDownReadable(limit) : roundUpReadable(limit), steps: Math.max(2, steps) };
}

/** P95 × (1 + headroom) × (1 + 1/days): the VPA's confidence widening for short histories. */
export function recommendCap(p95: number, daysOfHistory: number, headroom: number): number {
  const widen = 1 + 1 / Math.max(1, daysOfHistory);
  return Math.max(Math.ceil(p95), roundUpReadable(p95 * (1 + headroom) * widen));
}

/**
 * Where a model sits on the ladders: its own rung, or, for a model retired or succeeded, the rung of
 * the model that replaces it or that it replaces.
 */
export function ladderPosition(ctx: RuleContext, model: string): { family: string; ladder: string[]; index: number } | undefined {
  const find = (m: string) => {
    const id = ctx.canonical(m);
    for (const [family, ladder] of Object.entries(ctx.ladders)) {
      const index = ladder.findIndex((x) => ctx.canonical(x) === id);
      if (index !== -1) return { family, ladder, index };
    }
    return undefined;
  };
  const own = find(model);
  if (own) return own;
  const successor = retirementOf(ctx.pricing, model)?.successor;
  if (successor) {
    const s = find(successor);
    if (s) return s;
  }
  const id = ctx.canonical(model);
  for (const [old, r] of Object.entries(ctx.pricing.retirements)) {
    if (ctx.canonical(r.successor) === id) {
      const p = find(old);
      if (p) return p;
    }
  }
  return undefined;
}
