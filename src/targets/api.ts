import type { Complexity } from '../sources/index.js';

/** A key path inside a target document. */
export type KeyPath = readonly string[];

export const RUN_BUDGET_KEYS = ['core_build_tokens', 'aux_agent_tokens'] as const;
export type RunBudgetKey = (typeof RUN_BUDGET_KEYS)[number];

export type ModelRole = 'builder' | 'auditor';

/** One place a document names a model: for a category (or `default`), a complexity (null: every one) and a role. */
export interface ModelPlace {
  path: KeyPath;
  category: string;
  complexity: Complexity | null;
  role: ModelRole;
}

/**
 * The layout contract: where each kind of tuned value lives in one kind of config file. read.ts
 * reads the current values through it (from the document as plain data) and locates each one's key
 * path; apply.ts edits exactly that node through the editor of the file's syntax (edit/), keeping
 * comments, order and number style. A layout is one file beside this one and a line in registry.ts.
 */
export interface TargetLayout {
  /** The `preset:` name in the tuner config. */
  name: string;
  description: string;
  syntax: 'yaml' | 'json';
  model?: {
    /** Roles this file assigns models to. */
    roles: readonly ModelRole[];
    /**
     * The places that may hold a category's own model, in the order the tuned system looks: the first
     * that holds one governs. A category without one inherits `fallback`; a change of its own model is
     * added at the last place.
     */
    own: (category: string, complexity: Complexity, role: ModelRole) => readonly KeyPath[];
    /** The complexity's default, inherited by categories without their own model. */
    fallback: (complexity: Complexity, role: ModelRole) => KeyPath;
    /** Every place the document names a model (what migrations and name checks read). */
    places: (doc: unknown) => ModelPlace[];
    /** Where the document maps model aliases to model ids: read resolved, written back as aliases. */
    aliases?: KeyPath;
  };
  /** The mapping whose keys are the categories the file knows. */
  categories?: KeyPath;
  /** A list of categories whose models are never downgraded (Autopack's high-risk categories). */
  protected?: KeyPath;
  token_cap?: (category: string) => KeyPath;
  ci_profile?: (category: string) => KeyPath;
  run_budget?: Partial<Record<RunBudgetKey, KeyPath>>;
  /** Scheduled agent tasks (Myco): where the tasks are, and each one's phase budgets, schedule and provider. */
  tasks?: {
    at: KeyPath;
    max_turns: (task: string, phase: string) => KeyPath;
    /** The schedule block: a cadence is only written into one that exists. */
    schedule: (task: string) => KeyPath;
    interval: (task: string) => KeyPath;
    provider_type: (task: string) => KeyPath;
  };
}

/** The value at `path` in plain data; undefined where the path does not lead. */
export function getIn(doc: unknown, path: KeyPath): unknown {
  let cur = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** The keys of the mapping at `path`, if there is one. */
export function keysAt(doc: unknown, path: KeyPath): string[] {
  const m = getIn(doc, path);
  return m !== null && typeof m === 'object' && !Array.isArray(m) ? Object.keys(m) : [];
}
