import type { RulesConfig } from '../config/index.js';
import type { Pricing } from '../pricing/index.js';
import type { TargetState } from '../targets/index.js';
import type { Stats } from '../stats/index.js';
import type { PhaseBucket, TrackedChange } from '../store/index.js';
import type { TaskRunRecord, WorkRecord } from '../sources/index.js';

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
  /** The window's units of work (agent invocations), oldest first. */
  work: readonly WorkRecord[];
  history: KeyHistory;
  now: Date;
  pricing: Pricing;
  /** A configured model retiring within this many days is migrated. */
  horizonDays: number;
  /** The tuner config, as fixes name it. */
  configFile: string;
}
