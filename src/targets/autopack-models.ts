import { COMPLEXITIES } from '../sources/index.js';
import { keysAt, type ModelPlace, type ModelRole, type TargetLayout } from './api.js';
import { DEFAULT_ENTRY } from './change.js';

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
 * Escalations, secondary auditors, fallbacks, the judge and the doctor's models are not tuned; a
 * migration off a retiring model reaches them (`references`).
 */
export const autopackModels: TargetLayout = {
  name: 'autopack-models',
  description: "Autopack's config/models.yaml: llm_routing_policies, then category_models, then complexity_models, per role",
  syntax: 'yaml',
  model: {
    roles: ROLES,
    own: (category, complexity, role) =>
      complexity === null
        ? []
        : [
            ['llm_routing_policies', category, POLICY[role]],
            ['category_models', category, OVERRIDE[role]],
          ],
    fallback: (complexity, role) => (complexity === null ? undefined : ['complexity_models', complexity, role]),
    places: (doc) => {
      const out: ModelPlace[] = [];
      for (const role of ROLES) {
        for (const complexity of COMPLEXITIES) out.push({ path: ['complexity_models', complexity, role], category: DEFAULT_ENTRY, complexity, role });
        for (const category of keysAt(doc, ['llm_routing_policies'])) out.push({ path: ['llm_routing_policies', category, POLICY[role]], category, complexity: null, role });
        for (const category of keysAt(doc, ['category_models'])) out.push({ path: ['category_models', category, OVERRIDE[role]], category, complexity: null, role });
      }
      return out;
    },
    aliases: ['model_aliases'],
    references: [
      { path: ['complexity_models', '{complexity}', 'escalation_builder'], label: 'escalation builder', category: DEFAULT_ENTRY },
      { path: ['complexity_models', '{complexity}', 'escalation_auditor'], label: 'escalation auditor', category: DEFAULT_ENTRY },
      { path: ['llm_routing_policies', '{category}', 'secondary_auditor'], label: 'secondary auditor' },
      { path: ['llm_routing_policies', '{category}', 'escalate_to', 'builder'], label: 'escalation builder' },
      { path: ['llm_routing_policies', '{category}', 'escalate_to', 'auditor'], label: 'escalation auditor' },
      { path: ['llm_routing_policies', '{category}', 'final_escalation', 'builder'], label: 'final escalation builder' },
      { path: ['llm_routing_policies', '{category}', 'final_escalation', 'auditor'], label: 'final escalation auditor' },
      { path: ['category_models', '{category}', 'secondary_auditor'], label: 'secondary auditor' },
      { path: ['escalation_chains', '{role}', '{complexity}', 'models', '[]'], label: '{role} escalation chain, step {step}' },
      { path: ['fallback_strategy', 'by_category', '{category}', 'fallbacks', '[]'], label: 'fallback {step}' },
      { path: ['fallback_strategy', 'default_fallbacks', '[]'], label: 'default fallback {step}' },
      { path: ['cheap_first_optimization', 'cheap_model'], label: 'cheap-first model' },
      { path: ['defaults', '{name}'], label: 'default {name}' },
      { path: ['dual_audit_judge', 'model'], label: 'dual-audit judge (tie-breaker)' },
      { path: ['doctor_models', 'cheap'], label: 'doctor, cheap' },
      { path: ['doctor_models', 'strong'], label: 'doctor, strong' },
      { path: ['tool_models', '{tool}'], label: 'tool model {tool}' },
    ],
  },
};
