import type { TargetLayout } from './api.js';

/**
 * Autopack's project ruleset, `config/project_ruleset_<project>.json`: per category its
 * `incident_token_cap` and `ci_profile` (`normal` or `strict`), the run's `run_token_cap` (what a run
 * may spend on its phases: the core build budget), and the `high_risk_categories`, whose models are
 * never downgraded. JSON, edited in place: a one-value change is a one-line diff.
 */
export const autopackRuleset: TargetLayout = {
  name: 'autopack-ruleset',
  description: "Autopack's config/project_ruleset_<project>.json: category_defaults.<category>.{incident_token_cap, ci_profile}, run_token_cap",
  syntax: 'json',
  categories: ['category_defaults'],
  token_cap: (category) => ['category_defaults', category, 'incident_token_cap'],
  ci_profile: (category) => ['category_defaults', category, 'ci_profile'],
  run_budget: { core_build_tokens: ['run_token_cap'] },
  protected: ['high_risk_categories'],
};
