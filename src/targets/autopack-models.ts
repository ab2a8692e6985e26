import { COMPLEXITIES } from '../sources/index.js';
import { keysAt, type ModelPlace, type ModelRole, type TargetLayout } from './api.js';

const POLICY: Record<ModelRole, string> = { builder: 'builder_primary', auditor: 'auditor_primary' };
const OVERRIDE: Record<ModelRole, string> = { builder: 'builder_model_override', auditor: 'auditor_model_override' };
const ROLES: readonly ModelRole[] = ['builder', 'auditor'];

/**
 * Autopack's `config/models.yaml`. Autopack picks a phase's model by category and role, in this order:
 * `llm_routing_policies.<category>.{builder,auditor}_primary`, then
 * `category_models.<category>.{builder,auditor}_model_override`, then the complexity's
 * `complexity_models.<low|medium|high>.{builder,auditor}`. A category's own entry holds for every
 * complexity; a category without one inherits the complexity's, and a change of its own model adds a
 * `category_models` override. `model_aliases` are resolved when reading and kept when writing.
 * Escalations, quotas, fallbacks and the rest are not tuned.
 */
export const autopackModels: TargetLayout = {
  name: 'autopack-models',
  description: "Autopack's config/models.yaml: llm_routing_policies, then category_models, then complexity_models, per role",
  syntax: 'yaml',
  model: {
    roles: ROLES,
    own: (category, _complexity, role) => [
      ['llm_routing_policies', category, POLICY[role]],
      ['category_models', category, OVERRIDE[role]],
    ],
    fallback: (complexity, role) => ['complexity_models', complexity, role],
    places: (doc) => {
      const out: ModelPlace[] = [];
      for (const role of ROLES) {
        for (const complexity of COMPLEXITIES) out.push({ path: ['complexity_models', complexity, role], category: 'default', complexity, role });
        for (const category of keysAt(doc, ['llm_routing_policies'])) out.push({ path: ['llm_routing_policies', category, POLICY[role]], category, complexity: null, role });
        for (const category of keysAt(doc, ['category_models'])) out.push({ path: ['category_models', category, OVERRIDE[role]], category, complexity: null, role });
      }
      return out;
    },
    aliases: ['model_aliases'],
  },
};
