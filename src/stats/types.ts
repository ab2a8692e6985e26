import type { Complexity } from '../sources/index.js';
import type { Percentiles } from './percentiles.js';
import type { CallBucket } from '../store/index.js';
import type { TaskStats } from './tasks.js';
import type { AgentWorkStats } from './work.js';

export interface Window {
  /** Inclusive UTC days, ISO dates. */
  since: string;
  until: string;
  days: number;
}

/** Outcome and token statistics of a set of phases (a category, or a category at one complexity). */
export interface PhaseGroupStats {
  phases: number;
  success_rate: number;
  retries_per_phase: number;
  outcomes: { success: number; failed: number; timeout: number; stuck: number };
  tokens_total: number;
  tokens_mean: number;
  percentiles: Percentiles;
  /** The one-sided 95% upper confidence bound of P95 (percentiles.ts): what headroom is judged on. */
  p95_upper: number;
  truncations: number;
  mean_tokens_success: number | null;
  mean_tokens_failed: number | null;
  /** Mean tokens of a failed phase (retries included) over mean tokens of a successful one. */
  failure_cost_multiple: number | null;
  /** The cap in force on the latest phase, as the telemetry reported it. */
  telemetry_cap: number;
  cost_usd: number;
  unpriced_phases: number;
  /** Phases per builder model, most used first. */
  models: { model: string; phases: number }[];
  days_with_data: number;
}

export interface CategoryCiStats {
  /** CI is recorded per tier: each tier's CI is shared out by the category's share of its phases. */
  attributed_runs: number;
  attributed_failures_caught: number;
  attributed_false_positives: number;
  attributed_tokens: number;
  catch_rate: number | null;
  false_positive_rate: number | null;
  /** Failed phases in tiers whose CI ran, over this category's phases in those tiers. */
  escape_rate: number | null;
  phases_in_ci_tiers: number;
  profiles: string[];
}

export interface CategoryStats extends PhaseGroupStats {
  category: string;
  dominant_complexity: Complexity;
  by_complexity: Partial<Record<Complexity, PhaseGroupStats>>;
  ci: CategoryCiStats;
}

/** One model in one role over the window: its call buckets summed, with their total and cost. */
export interface ModelRoleStats extends Omit<CallBucket, 'day' | 'agent' | 'cache_creation_1h' | 'has_cost' | 'reported_cost_usd'> {
  tokens: number;
  /** null when the model has no price: shown as unpriced, never as $0. */
  cost_usd: number | null;
}

export interface TierStats {
  tier_id: string;
  /** Days on which the tier had phases or CI. */
  days: number;
  phases: number;
  failed_phases: number;
  ci_profiles: string[];
  ci_runs: number;
  ci_failures_caught: number;
  ci_false_positives: number;
  ci_tokens: number;
}

export interface RunStats {
  run_id: string;
  /** Epoch ms of the run's first record. */
  started_ts: number;
  phases: number;
  failures: number;
  /** Builder + auditor work: the sum of the run's phase token counts. */
  core_tokens: number;
  builder_tokens: number;
  auditor_tokens: number;
  /** Calls by any other role (planner, doctor, …). */
  aux_tokens: number;
  ci_tokens: number;
  total_tokens: number;
}

/** Per-run totals of the window's runs as columns, ordered by start (a history holds many runs). */
export interface RunColumns {
  count: number;
  started_ts: Float64Array;
  core_tokens: Float64Array;
  aux_tokens: Float64Array;
  builder_tokens: Float64Array;
  auditor_tokens: Float64Array;
  ci_tokens: Float64Array;
  total_tokens: Float64Array;
  failures: Float64Array;
  /** The newest runs with their ids, newest last, for the report. */
  recent: RunStats[];
}

export interface Trend {
  direction: 'declining' | 'flat' | 'rising' | 'unknown';
  /** Mean total tokens per run over the first and second half of the window's runs. */
  first_half_mean: number | null;
  second_half_mean: number | null;
  change: number | null;
}

export interface Stats {
  window: Window;
  phases: number;
  categories: CategoryStats[];
  models: ModelRoleStats[];
  tiers: TierStats[];
  runs: RunColumns;
  totals: {
    tokens: number;
    phase_cost_usd: number;
    call_cost_usd: number;
    unpriced_models: string[];
    ci_tokens: number;
  };
  per_run: {
    mean_core_tokens: number;
    mean_aux_tokens: number;
    mean_total_tokens: number;
    mean_cost_usd: number;
  };
  trend: Trend;
  /** Blended USD per token of each model as used: the price the rules compare models at. */
  blended_price: Record<string, number | null>;
  /** Scheduled agent tasks (Myco), per task, costliest first. */
  tasks: TaskStats[];
  /** Units of work sources report whole (agent invocations), per agent and model, most first. */
  work: AgentWorkStats[];
}
