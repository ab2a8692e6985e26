import type { Complexity } from '../sources/index.js';

/** A key path inside a target document. */
export type KeyPath = readonly string[];

export const RUN_BUDGET_KEYS = ['core_build_tokens', 'aux_agent_tokens'] as const;
export type RunBudgetKey = (typeof RUN_BUDGET_KEYS)[number];

export type ModelRole = 'builder' | 'auditor';

/**
 * A kind of key that names a model without being tuned (a secondary auditor, an escalation chain, a
 * fallback list, an alias map): migrations off a retiring model reach it. Segments are literal keys,
 * `{name}` for any key of a mapping (captured as `name`: `{category}` and `{complexity}` say whose it
 * is), and `[]` for any item of a list.
 */
export interface ModelRefPattern {
  path: readonly string[];
  /** What the value is, in words: `secondary auditor`, `fallback`. `{name}` is filled in from the path. */
  label: string;
  /** A map of aliases: each value is a model, and other keys may name the alias instead. */
  aliases?: true;
  /** For the keys of one category or default only, where the path does not say it: `default`. */
  category?: string;
}

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
  /** `markdown`: a Markdown file whose YAML front matter holds the values (front-matter.ts). */
  syntax: 'yaml' | 'json' | 'markdown';
  model?: {
    /** Roles this file assigns models to. */
    roles: readonly ModelRole[];
    /**
     * The places that may hold a category's own model, in the order the tuned system looks: the first
     * that holds one governs. A category without one inherits `fallback`; a change of its own model is
     * added at the last place. A null complexity asks for a model that holds whatever the complexity
     * (a scheduled task's): a layout whose models vary by complexity has none (no place).
     */
    own: (category: string, complexity: Complexity | null, role: ModelRole) => readonly KeyPath[];
    /** The complexity's default, inherited by categories without their own model; none for a null complexity where models vary by it. */
    fallback: (complexity: Complexity | null, role: ModelRole) => KeyPath | undefined;
    /** Every place the document names a model (what migrations and name checks read). */
    places: (doc: unknown) => ModelPlace[];
    /** Where the document maps model aliases to model ids: read resolved, written back as aliases. */
    aliases?: KeyPath;
    /**
     * The names the document serves models under (a gateway's model groups), each to its model id: its
     * places name models by these names only, so a model none of them serves cannot be written there.
     */
    groups?: (doc: unknown) => Record<string, string>;
    /** The other keys that name models, which only migrations change; `places` and `aliases` are known already. */
    references?: readonly ModelRefPattern[];
  };
  /** The mapping whose keys are the categories the file knows. */
  categories?: KeyPath;
  /** A list of categories whose models are never downgraded (Autopack's high-risk categories). */
  protected?: KeyPath;
  token_cap?: (category: string) => KeyPath;
  ci_profile?: (category: string) => KeyPath;
  run_budget?: Partial<Record<RunBudgetKey, KeyPath>>;
  /** One agent per file (a Claude Code subagent): where its name, model, turn bound and reasoning effort are. */
  agent?: { name: KeyPath; model: KeyPath; max_turns: KeyPath; effort: KeyPath };
  /**
   * A pipeline's steps, each an agent with its model (AutoSkillit's recipe `steps.<step>.model`); a
   * step without one runs on the pipeline's default (`default_model`, in another file of the layout).
   */
  steps?: { at: KeyPath; model: (step: string) => KeyPath; default_model: KeyPath };
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

/** The value at `path` in plain data (a list item by its index, `'0'`); undefined where the path does not lead. */
export function getIn(doc: unknown, path: KeyPath): unknown {
  let cur = doc;
  for (const k of path) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(k) || Number(k) >= cur.length) return undefined;
      cur = cur[Number(k)];
      continue;
    }
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** A key path as users write it: `escalation_chains.builder.low.models[1]`. */
export function showPath(path: KeyPath): string {
  return path.reduce((s, k, i) => (/^(0|[1-9]\d*)$/.test(k) && i > 0 ? `${s}[${k}]` : i === 0 ? k : `${s}.${k}`), '');
}

/** The keys of the mapping at `path`, if there is one. */
export function keysAt(doc: unknown, path: KeyPath): string[] {
  const m = getIn(doc, path);
  return m !== null && typeof m === 'object' && !Array.isArray(m) ? Object.keys(m) : [];
}
