import type { TargetLayout } from './api.js';

/** `strategy_engine_config.yaml` of the seed layout: per-category caps and CI profiles, and run budgets. */
export const seedStrategy: TargetLayout = {
  name: 'seed-strategy',
  description: 'strategy_engine_config.yaml: category_defaults.<category>.{incident_token_cap, ci_profile}, run_budget',
  syntax: 'yaml',
  categories: ['category_defaults'],
  token_cap: (category) => ['category_defaults', category, 'incident_token_cap'],
  ci_profile: (category) => ['category_defaults', category, 'ci_profile'],
  run_budget: {
    core_build_tokens: ['run_budget', 'core_build_tokens'],
    aux_agent_tokens: ['run_budget', 'aux_agent_tokens'],
  },
};
