import type { Complexity } from '../sources/index.js';

/** A key path inside a target document. */
export type KeyPath = readonly string[];

export const RUN_BUDGET_KEYS = ['core_build_tokens', 'aux_agent_tokens'] as const;
export type RunBudgetKey = (typeof RUN_BUDGET_KEYS)[number];

/**
 * The layout contract: where each kind of tuned value lives in one kind of config file. read.ts
 * reads the current values through it and locates each one's key path; apply.ts edits exactly that
 * node through the shared editors (edit/), keeping comments, order and number style. A layout is one
 * file beside this one and a line in registry.ts.
 */
export interface TargetLayout {
  /** The `layout:` name in the tuner config. */
  name: string;
  description: string;
  model?: {
    /** The key of each complexity level in the file. */
    complexityKeys: Record<Complexity, string>;
    /** Roles this file assigns models to. */
    roles: readonly ('builder' | 'auditor')[];
    path: (complexityKey: string, category: string) => KeyPath;
    /** Where the model of categories without their own entry is. */
    fallback: (complexityKey: string) => KeyPath;
  };
  /** The mapping whose keys are the categories the file knows. */
  categories?: KeyPath;
  token_cap?: (category: string) => KeyPath;
  ci_profile?: (category: string) => KeyPath;
  run_budget?: Record<string, KeyPath>;
}
