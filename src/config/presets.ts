import type { Complexity } from '../telemetry/schema.js';
import type { TargetPreset } from './schema.js';

/** A key path inside a target document. */
export type KeyPath = readonly string[];

/**
 * Where each kind of change lives in a target file. A preset is data, not code: adding a layout is
 * adding an entry here.
 */
export interface TargetMapping {
  model?: {
    /** The key of each complexity level in the file. */
    complexityKeys: Record<Complexity, string>;
    /** Roles this file assigns models to. The seed layout has one model per cell: the builder. */
    roles: readonly ('builder' | 'auditor')[];
    path: (complexityKey: string, category: string) => KeyPath;
    /** Where the model used by categories without their own entry is. */
    fallback: (complexityKey: string) => KeyPath;
  };
  categories?: KeyPath;
  token_cap?: (category: string) => KeyPath;
  ci_profile?: (category: string) => KeyPath;
  run_budget?: Record<string, KeyPath>;
}

export const RUN_BUDGET_KEYS = ['core_build_tokens', 'aux_agent_tokens'] as const;
export type RunBudgetKey = (typeof RUN_BUDGET_KEYS)[number];

export const PRESETS: Record<TargetPreset, TargetMapping> = {
  /** models.yaml of the seed layout: LOW / MODERATE / HIGH → category → model, with `default`. */
  'seed-models': {
    model: {
      complexityKeys: { low: 'LOW', medium: 'MODERATE', high: 'HIGH' },
      roles: ['builder'],
      path: (c, category) => [c, category],
      fallback: (c) => [c, 'default'],
    },
  },
  /** strategy_engine_config.yaml of the seed layout. */
  'seed-strategy': {
    categories: ['category_defaults'],
    token_cap: (category) => ['category_defaults', category, 'incident_token_cap'],
    ci_profile: (category) => ['category_defaults', category, 'ci_profile'],
    run_budget: {
      core_build_tokens: ['run_budget', 'core_build_tokens'],
      aux_agent_tokens: ['run_budget', 'aux_agent_tokens'],
    },
  },
};
