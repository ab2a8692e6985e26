import { getIn, keysAt, type KeyPath, type ModelPlace, type TargetLayout } from './api.js';

/**
 * A LiteLLM proxy's `config.yaml`. Each `model_list` entry routes a model group (`model_name`, what
 * clients ask for) to a provider's model (`litellm_params.model`, with its provider prefix:
 * `anthropic/claude-sonnet-4-5-20250929`): migrations change those, the prefix kept.
 *
 * `router_settings.model_group_alias` maps a name clients ask for to a group (`docs: strong`, or
 * `docs: {model: strong, hidden: true}`): a key is a category, served by its group's model. A change of
 * its model names another group, one that serves the new model; where none does, nothing is written
 * (a new group needs its credentials, which only its owner adds). `fallbacks` name groups and are
 * never edited.
 */
const ALIASES = ['router_settings', 'model_group_alias'];
const PREFIX = /^(?:[a-z0-9_-]+\/)+/i;

/** Where an alias names its group: the key itself, or the `model` of a mapping. */
function aliasPath(doc: unknown, category: string): KeyPath {
  const v = getIn(doc, [...ALIASES, category]);
  return v !== null && typeof v === 'object' ? [...ALIASES, category, 'model'] : [...ALIASES, category];
}

export const litellmProxy: TargetLayout = {
  name: 'litellm-proxy',
  description: "LiteLLM proxy's config.yaml: the model group of each category alias (router_settings.model_group_alias), and each model_list entry's provider model (migrations)",
  syntax: 'yaml',
  model: {
    roles: ['builder'],
    // Whatever the complexity: a gateway serves a category one model.
    own: (category) => [
      [...ALIASES, category],
      [...ALIASES, category, 'model'],
    ],
    fallback: () => undefined,
    places: (doc): ModelPlace[] => keysAt(doc, ALIASES).map((category) => ({ path: aliasPath(doc, category), category, complexity: null, role: 'builder' })),
    groups: (doc) => {
      const out: Record<string, string> = {};
      const list = getIn(doc, ['model_list']);
      for (const e of Array.isArray(list) ? list : []) {
        const name = getIn(e, ['model_name']);
        const model = getIn(e, ['litellm_params', 'model']);
        // A group of several deployments is named for its first.
        if (typeof name === 'string' && typeof model === 'string' && !Object.hasOwn(out, name)) out[name] = model.replace(PREFIX, '');
      }
      return out;
    },
    references: [{ path: ['model_list', '[]', 'litellm_params', 'model'], label: 'model_list entry {step}' }],
  },
};
