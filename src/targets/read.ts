import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { COMPLEXITIES, type Complexity } from '../sources/index.js';
import { RUN_BUDGET_KEYS, type KeyPath, type RunBudgetKey } from './api.js';
import { targetLayout } from './registry.js';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { ConfigError } from '../common/index.js';
import { changeKey } from './change.js';

/**
 * Target files as read, and the current values the rules compare against. Targets are parsed as
 * YAML 1.1, the dialect of PyYAML that the tuned systems use: `400_000` is a number there (YAML 1.2
 * would read it as a string).
 */

export const YAML_OPTIONS = { version: '1.1' as const, keepSourceTokens: false };

export interface TargetFile {
  path: string;
  /** Path as shown to users (relative to the tuned repository or config). */
  display: string;
  preset: string;
  text: string;
}

export interface Located<T> {
  value: T;
  file: string;
  path: KeyPath;
}

export interface ModelCell {
  /** The model in force: the category's own entry, or the complexity's default. */
  current: Located<string> | undefined;
  /** Whether the category has its own entry (false: it inherits the default). */
  explicit: boolean;
  file: string;
  path: KeyPath;
}

export interface TargetState {
  files: TargetFile[];
  /** Categories the targets know by name. */
  categories: string[];
  model: (category: string, complexity: Complexity, role: 'builder' | 'auditor') => ModelCell | undefined;
  caps: Record<string, Located<number>>;
  ci: Record<string, Located<string>>;
  budgets: Partial<Record<RunBudgetKey, Located<number>>>;
  /** Every model id named anywhere a model is configured. */
  knownModels: string[];
  /** Every model entry the files hold, `default` entries included: what migrations and name checks read. */
  modelEntries: ModelEntry[];
}

export interface ModelEntry extends Located<string> {
  /** The category, or `default`. */
  category: string;
  complexity: Complexity;
  role: 'builder' | 'auditor';
  /** Where it is, as a user finds it: `models.yaml: LOW.default`. */
  where: string;
}

export function parseTarget(file: TargetFile): Document.Parsed {
  const doc = parseDocument(file.text, YAML_OPTIONS);
  if (doc.errors.length) throw new ConfigError(`${file.display}: not valid YAML: ${doc.errors[0]!.message}`);
  return doc;
}

export function readTargets(files: TargetFile[]): TargetState {
  const categories = new Set<string>();
  const caps: TargetState['caps'] = {};
  const ci: TargetState['ci'] = {};
  const budgets: TargetState['budgets'] = {};
  const knownModels = new Set<string>();
  const modelFiles: { file: TargetFile; doc: Document.Parsed }[] = [];
  const modelEntries: ModelEntry[] = [];

  for (const file of files) {
    const doc = parseTarget(file);
    const m = targetLayout(file.preset);
    if (m.categories) {
      const node = doc.getIn(m.categories, true);
      if (!isMap(node)) throw new ConfigError(`${file.display}: ${m.categories.join('.')}: expected a mapping of categories`);
      for (const item of node.items) {
        const category = String(isScalar(item.key) ? item.key.value : item.key);
        categories.add(category);
        if (m.token_cap) {
          const path = m.token_cap(category);
          const v = doc.getIn(path);
          if (v !== undefined) caps[category] = { value: expectNumber(v, file, path), file: file.path, path };
        }
        if (m.ci_profile) {
          const path = m.ci_profile(category);
          const v = doc.getIn(path);
          if (v !== undefined) ci[category] = { value: String(v), file: file.path, path };
        }
      }
    }
    if (m.run_budget) {
      for (const key of RUN_BUDGET_KEYS) {
        const path = m.run_budget[key];
        const v = path ? doc.getIn(path) : undefined;
        if (path && v !== undefined) budgets[key] = { value: expectNumber(v, file, path), file: file.path, path };
      }
    }
    if (m.model) {
      modelFiles.push({ file, doc });
      for (const c of COMPLEXITIES) {
        const node = doc.getIn([m.model.complexityKeys[c]], true);
        if (!isMap(node)) continue;
        for (const item of node.items) {
          const category = String(isScalar(item.key) ? item.key.value : item.key);
          if (category !== 'default') categories.add(category);
          const v = isScalar(item.value) ? item.value.value : undefined;
          if (typeof v !== 'string') continue;
          knownModels.add(v);
          const path = [m.model.complexityKeys[c], category];
          modelEntries.push({ category, complexity: c, role: m.model.roles[0]!, value: v, file: file.path, path, where: `${file.display}: ${path.join('.')}` });
        }
      }
    }
  }

  const model: TargetState['model'] = (category, complexity, role) => {
    for (const { file, doc } of modelFiles) {
      const mm = targetLayout(file.preset).model!;
      if (!mm.roles.includes(role)) continue;
      const ck = mm.complexityKeys[complexity];
      const path = mm.path(ck, category);
      const own = doc.getIn(path);
      if (typeof own === 'string') return { current: { value: own, file: file.path, path }, explicit: true, file: file.path, path };
      const fb = mm.fallback(ck);
      const inherited = doc.getIn(fb);
      return {
        current: typeof inherited === 'string' ? { value: inherited, file: file.path, path: fb } : undefined,
        explicit: false,
        file: file.path,
        path,
      };
    }
    return undefined;
  };

  return { files, categories: [...categories].sort(), model, caps, ci, budgets, knownModels: [...knownModels].sort(), modelEntries };
}

/**
 * The value in force for every tunable key (the changeKey of a change to it): models per category,
 * complexity and role (inherited defaults included), caps, CI profiles and run budgets.
 */
export function valuesByKey(t: TargetState): Map<string, string> {
  const out = new Map<string, string>();
  for (const category of [...t.categories, 'default']) {
    for (const complexity of COMPLEXITIES) {
      for (const role of ['builder', 'auditor'] as const) {
        const v = t.model(category, complexity, role)?.current?.value;
        if (v !== undefined) out.set(changeKey({ kind: 'model', category, complexity, role, key: null }), v);
      }
    }
  }
  for (const [category, v] of Object.entries(t.caps)) out.set(changeKey({ kind: 'token_cap', category, complexity: null, role: null, key: null }), String(v.value));
  for (const [category, v] of Object.entries(t.ci)) out.set(changeKey({ kind: 'ci_profile', category, complexity: null, role: null, key: null }), v.value);
  for (const [key, v] of Object.entries(t.budgets)) out.set(changeKey({ kind: 'run_budget', category: null, complexity: null, role: null, key }), String(v.value));
  return out;
}

function expectNumber(v: unknown, file: TargetFile, path: KeyPath): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ConfigError(`${file.display}: ${path.join('.')}: expected a number, found ${JSON.stringify(v)}`);
  }
  return v;
}

/** Reads the configured target files; one that cannot be read is an error naming its config key. */
export async function loadTargetFiles(targets: readonly { path: string; preset: string }[]): Promise<TargetFile[]> {
  return Promise.all(
    targets.map(async (t, i) => {
      const display = displayPath(t.path);
      try {
        return { path: t.path, display, preset: t.preset, text: await readFile(t.path, 'utf8') };
      } catch {
        throw new ConfigError(`targets[${i}].path: cannot read ${display}`);
      }
    }),
  );
}

/** A path as users see it: relative to the working directory when inside it. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
