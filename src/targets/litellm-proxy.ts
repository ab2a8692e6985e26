import type { TargetLayout } from './api.js';

/**
 * A LiteLLM proxy's `config.yaml`: each `model_list` entry routes a model group (`model_name`, what
 * clients ask for) to a provider's model (`litellm_params.model`, with its provider prefix:
 * `anthropic/claude-sonnet-4-5-20250929`). The entries are what migrations change when a model
 * retires, the prefix kept; `router_settings.model_group_alias` and `fallbacks` name groups, not
 * models, and are never edited.
 */
export const litellmProxy: TargetLayout = {
  name: 'litellm-proxy',
  description: "LiteLLM proxy's config.yaml: the provider model of each model_list entry (migrations)",
  syntax: 'yaml',
  model: {
    roles: ['builder'],
    own: () => [],
    fallback: () => undefined,
    places: () => [],
    references: [{ path: ['model_list', '[]', 'litellm_params', 'model'], label: 'model_list entry {step}' }],
  },
};
