import * as z from 'zod';
import { Complexity, Role } from '../sources/index.js';

export const ChangeKind = z.enum(['model', 'token_cap', 'ci_profile', 'run_budget', 'turn_budget', 'schedule', 'effort']);
export type ChangeKind = z.infer<typeof ChangeKind>;
export const Confidence = z.enum(['high', 'medium', 'low']);
export type Confidence = z.infer<typeof Confidence>;

/** One proposed configuration change, with the numbers it rests on. Part of the `--json` contract. */
export const Change = z.object({
  kind: ChangeKind,
  category: z.string().nullable(),
  complexity: Complexity.nullable(),
  role: Role.nullable(),
  /** For run budgets: which budget (core_build_tokens, aux_agent_tokens); for turn budgets: the phase. */
  key: z.string().nullable(),
  /** What `category` names when it is not a category: `agent`, a subagent whose file holds the value. */
  subject: z.enum(['agent']).optional(),
  from: z.union([z.string(), z.number()]).nullable(),
  to: z.union([z.string(), z.number()]),
  direction: z.enum(['down', 'up']),
  source: z.enum(['rules', 'llm']),
  /** The statistics the change rests on, computed by code. */
  evidence: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  /** Projected effect per run; negative is a saving. */
  effect: z.object({ tokens_per_run: z.number(), usd_per_run: z.number() }),
  rationale: z.string(),
  risk: z.string(),
  confidence: Confidence,
  pilot: z.boolean(),
});
export type Change = z.infer<typeof Change>;

/** A stable identity for "the same decision": two changes with one key touch the same value. */
export const changeKey = (c: Pick<Change, 'kind' | 'category' | 'complexity' | 'role' | 'key'> & { subject?: 'agent' | undefined }): string =>
  [c.kind, c.subject ? `${c.subject}/${c.category}` : (c.category ?? '*'), c.complexity ?? '*', c.role ?? '*', c.key ?? '*'].join(':');

/**
 * The category a layout's default model entry goes by (seed-models' `default:` under each level,
 * Autopack's complexity_models, Myco's provider.model): what every category without its own entry
 * inherits. A change or key of this category is of that entry; no category of the user's may take the
 * name (readTargets refuses it).
 */
export const DEFAULT_ENTRY = 'default';
export const isDefaultEntry = (category: string | null | undefined): boolean => category === DEFAULT_ENTRY;
