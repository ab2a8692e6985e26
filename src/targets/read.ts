import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parseDocument, type Document } from 'yaml';
import { COMPLEXITIES, type Complexity } from '../sources/index.js';
import { getIn, keysAt, RUN_BUDGET_KEYS, type KeyPath, type ModelRole, type RunBudgetKey, type TargetLayout } from './api.js';
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
  /** As written, where that differs from the value: an alias the file resolves (`sonnet`). */
  raw?: string;
}

export interface ModelCell {
  /** The model in force: the category's own entry, or the complexity's default. */
  current: Located<string> | undefined;
  /** Whether the category has its own entry (false: it inherits the default). */
  explicit: boolean;
  /** Where a change of this cell is written: the governing own entry, or where an own entry is added. */
  file: string;
  path: KeyPath;
}

/** A scheduled agent task's block in a target file (Myco), and the values it sets. */
export interface TaskTarget {
  file: string;
  /** Turn budgets the block sets, by phase; a phase not here runs under its task definition's. */
  turns: Record<string, Located<number>>;
  /** Where a phase's budget is written. */
  turnPath: (phase: string) => KeyPath;
  /** The cadence the block sets, if it does. */
  interval: Located<number> | undefined;
  /** Where the cadence is written: only into a schedule block the task has. */
  intervalPath: KeyPath | undefined;
  /** The block's schedule is not switched off. */
  scheduled: boolean;
  /** The provider type the block names (`ollama`…), if any. */
  provider: string | undefined;
}

export interface TargetState {
  files: TargetFile[];
  /** Categories the targets know by name. */
  categories: string[];
  model: (category: string, complexity: Complexity, role: ModelRole) => ModelCell | undefined;
  caps: Record<string, Located<number>>;
  ci: Record<string, Located<string>>;
  budgets: Partial<Record<RunBudgetKey, Located<number>>>;
  /** Every model id named anywhere a model is configured. */
  knownModels: string[];
  /** Every model entry the files hold, `default` entries included: what migrations and name checks read. */
  modelEntries: ModelEntry[];
  /** Categories whose models are never downgraded (Autopack's high_risk_categories). */
  protectedCategories: string[];
  /** The alias a file uses for a model id, to write a change the way the file writes models. */
  aliasOf: (file: string, model: string) => string | undefined;
  /** Scheduled agent tasks the files configure, by name. */
  tasks: Record<string, TaskTarget>;
}

export interface ModelEntry extends Located<string> {
  /** The category, or `default`. */
  category: string;
  /** Null: the entry holds for every complexity of its category. */
  complexity: Complexity | null;
  role: ModelRole;
  /** Where it is, as a user finds it: `models.yaml: LOW.default`. */
  where: string;
}

export function parseTarget(file: TargetFile): Document.Parsed {
  const doc = parseDocument(file.text, YAML_OPTIONS);
  if (doc.errors.length) throw new ConfigError(`${file.display}: not valid YAML: ${doc.errors[0]!.message}`);
  return doc;
}

/** A target document as plain data, parsed in its layout's syntax. */
export function targetData(file: TargetFile): unknown {
  if (targetLayout(file.preset).syntax === 'yaml') return parseTarget(file).toJS();
  const errors: ParseError[] = [];
  const data = parseJsonc(file.text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length) throw new ConfigError(`${file.display}: not valid JSON: ${printParseErrorCode(errors[0]!.error)} at offset ${errors[0]!.offset}`);
  return data;
}

export function readTargets(files: TargetFile[]): TargetState {
  const categories = new Set<string>();
  const caps: TargetState['caps'] = {};
  const ci: TargetState['ci'] = {};
  const budgets: TargetState['budgets'] = {};
  const knownModels = new Set<string>();
  const protectedCategories = new Set<string>();
  const modelFiles: { file: TargetFile; data: unknown; layout: TargetLayout; aliases: Record<string, string> }[] = [];
  const modelEntries: ModelEntry[] = [];
  const tasks: TargetState['tasks'] = {};

  for (const file of files) {
    const data = targetData(file);
    const m = targetLayout(file.preset);
    if (m.categories) {
      const node = getIn(data, m.categories);
      if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new ConfigError(`${file.display}: ${m.categories.join('.')}: expected a mapping of categories`);
      for (const category of Object.keys(node)) {
        categories.add(category);
        if (m.token_cap) {
          const path = m.token_cap(category);
          const v = getIn(data, path);
          if (v !== undefined) caps[category] = { value: expectNumber(v, file, path), file: file.path, path };
        }
        if (m.ci_profile) {
          const path = m.ci_profile(category);
          const v = getIn(data, path);
          if (v !== undefined) ci[category] = { value: String(v), file: file.path, path };
        }
      }
    }
    if (m.tasks) {
      const t = m.tasks;
      for (const task of keysAt(data, t.at)) {
        const turns: TaskTarget['turns'] = {};
        for (const phase of keysAt(data, [...t.at, task, 'phases'])) {
          const path = t.max_turns(task, phase);
          const v = getIn(data, path);
          if (v !== undefined) turns[phase] = { value: expectPositive(v, file, path), file: file.path, path };
        }
        const ip = t.interval(task);
        const iv = getIn(data, ip);
        const schedule = getIn(data, t.schedule(task));
        const hasSchedule = schedule !== null && typeof schedule === 'object' && !Array.isArray(schedule);
        const type = getIn(data, t.provider_type(task));
        tasks[task] = {
          file: file.path,
          turns,
          turnPath: (phase) => t.max_turns(task, phase),
          interval: iv === undefined ? undefined : { value: expectPositive(iv, file, ip), file: file.path, path: ip },
          intervalPath: hasSchedule ? ip : undefined,
          scheduled: hasSchedule && (schedule as Record<string, unknown>).enabled !== false,
          provider: typeof type === 'string' ? type : undefined,
        };
      }
    }
    if (m.protected) {
      const list = getIn(data, m.protected);
      if (list !== undefined && !(Array.isArray(list) && list.every((x) => typeof x === 'string'))) throw new ConfigError(`${file.display}: ${m.protected.join('.')}: expected a list of categories`);
      for (const c of (list as string[] | undefined) ?? []) protectedCategories.add(c);
    }
    if (m.run_budget) {
      for (const key of RUN_BUDGET_KEYS) {
        const path = m.run_budget[key];
        const v = path ? getIn(data, path) : undefined;
        if (path && v !== undefined) budgets[key] = { value: expectNumber(v, file, path), file: file.path, path };
      }
    }
    if (m.model) {
      const aliasMap = m.model.aliases ? getIn(data, m.model.aliases) : undefined;
      const aliases: Record<string, string> = {};
      if (aliasMap && typeof aliasMap === 'object') for (const [k, v] of Object.entries(aliasMap)) if (typeof v === 'string') aliases[k] = v;
      modelFiles.push({ file, data, layout: m, aliases });
      for (const place of m.model.places(data)) {
        const raw = getIn(data, place.path);
        if (typeof raw !== 'string') continue;
        const value = aliases[raw] ?? raw;
        if (place.category !== 'default') categories.add(place.category);
        knownModels.add(value);
        modelEntries.push({ ...place, value, ...(raw !== value ? { raw } : {}), file: file.path, where: `${file.display}: ${place.path.join('.')}` });
      }
    }
  }

  const model: TargetState['model'] = (category, complexity, role) => {
    for (const { file, data, layout, aliases } of modelFiles) {
      const mm = layout.model!;
      if (!mm.roles.includes(role)) continue;
      const located = (path: KeyPath): Located<string> | undefined => {
        const raw = getIn(data, path);
        if (typeof raw !== 'string') return undefined;
        const value = aliases[raw] ?? raw;
        return { value, file: file.path, path, ...(raw !== value ? { raw } : {}) };
      };
      // `default` is the complexity's own entry: where the other categories inherit from.
      if (category === 'default') {
        const fb = mm.fallback(complexity, role);
        return { current: located(fb), explicit: true, file: file.path, path: fb };
      }
      const places = mm.own(category, complexity, role);
      for (const path of places) {
        const own = located(path);
        if (own) return { current: own, explicit: true, file: file.path, path };
      }
      return { current: located(mm.fallback(complexity, role)), explicit: false, file: file.path, path: places[places.length - 1]! };
    }
    return undefined;
  };
  const aliasOf: TargetState['aliasOf'] = (path, id) => {
    const f = modelFiles.find((x) => x.file.path === path);
    return f ? Object.entries(f.aliases).find(([, v]) => v === id)?.[0] : undefined;
  };

  return { files, categories: [...categories].sort(), model, caps, ci, budgets, knownModels: [...knownModels].sort(), modelEntries, protectedCategories: [...protectedCategories].sort(), aliasOf, tasks };
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
  for (const [task, x] of Object.entries(t.tasks)) {
    // A task's model holds for the whole task: its key has no complexity.
    const m = t.model(task, 'medium', 'builder')?.current?.value;
    if (m !== undefined) out.set(changeKey({ kind: 'model', category: task, complexity: null, role: 'builder', key: null }), m);
    for (const [phase, v] of Object.entries(x.turns)) out.set(changeKey({ kind: 'turn_budget', category: task, complexity: null, role: null, key: phase }), String(v.value));
    if (x.interval) out.set(changeKey({ kind: 'schedule', category: task, complexity: null, role: null, key: null }), String(x.interval.value));
  }
  return out;
}

function expectPositive(v: unknown, file: TargetFile, path: KeyPath): number {
  const n = expectNumber(v, file, path);
  if (!(n > 0)) throw new ConfigError(`${file.display}: ${path.join('.')}: expected a positive number, found ${n}`);
  return n;
}

function expectNumber(v: unknown, file: TargetFile, path: KeyPath): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ConfigError(`${file.display}: ${path.join('.')}: expected a number, found ${JSON.stringify(v)}`);
  }
  return v;
}

/** Reads the configured target files; one that cannot be read is an error naming the config, its key and why. */
export async function loadTargetFiles(targets: readonly { path: string; preset: string }[], configFile?: string): Promise<TargetFile[]> {
  return Promise.all(
    targets.map(async (t, i) => {
      const display = displayPath(t.path);
      try {
        return { path: t.path, display, preset: t.preset, text: await readFile(t.path, 'utf8') };
      } catch (e) {
        const code = (e as { code?: string }).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory, not a file' : (e as Error).message;
        throw new ConfigError(`${configFile ? `${displayPath(configFile)}: ` : ''}targets[${i}].path: cannot read ${display}: ${why}`);
      }
    }),
  );
}

/** A path as users see it: relative to the working directory when inside it. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
