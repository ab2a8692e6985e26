import type { RulesConfig } from '../config/index.js';
import type { Pricing } from '../pricing/index.js';
import type { TargetState } from '../targets/index.js';
import type { Stats } from '../stats/index.js';
import type { Confidence } from '../targets/index.js';
import type { PhaseBucket, TrackedChange } from '../store/index.js';
import type { TaskRunRecord } from '../sources/index.js';

/** What is known of the targets' past: our applied changes, and since when each value holds. */
export interface KeyHistory {
  /** Changes tokentune proposed that the targets now hold (or held), oldest first. */
  applied: TrackedChange[];
  /** Per target key (changeKey), the UTC day its current value was first seen; -1: ever since tokentune first looked. */
  since: ReadonlyMap<string, number>;
}

export const NO_HISTORY: KeyHistory = { applied: [], since: new Map() };

/** Everything a rule may look at. Rules are pure functions of this. */
export interface RuleContext {
  stats: Stats;
  targets: TargetState;
  rules: RulesConfig;
  ladders: Record<string, string[]>;
  /** USD per token of a model at its observed mix; null when unpriced. */
  price: (model: string) => number | null;
  /**
   * USD per token of `model` at the mix of token kinds `like` was used at, in `role` where it is given
   * and was seen there, else in every role (the default mix when `like` was never seen): two models
   * compared for one piece of work are priced at that work's mix.
   */
  priceAs: (model: string, like: string, role?: string) => number | null;
  /** The id a model name resolves to in the price table (aliases, dated snapshots). */
  canonical: (model: string) => string;
  /** The window's phase buckets (per day, category, complexity and model): evidence narrower than the stats' groups. */
  phases: readonly PhaseBucket[];
  /** The window's runs of scheduled tasks, oldest first. */
  tasks: readonly TaskRunRecord[];
  /** The same, with as many days before the window: what cost spikes compare with. */
  tasksWithHistory: readonly TaskRunRecord[];
  history: KeyHistory;
  now: Date;
  pricing: Pricing;
  /** A configured model retiring within this many days is migrated. */
  horizonDays: number;
  /** The tuner config, as fixes name it. */
  configFile: string;
}

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
