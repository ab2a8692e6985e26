import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { parseDocument, type Document } from 'yaml';
import { COMPLEXITIES, MODEL_OF_FAMILY, type Complexity } from '../sources/index.js';
import { frontMatter } from './front-matter.js';
import { EFFORT_LEVELS, pluginOf } from './claude-agents.js';
import { isModelExpression } from './autoskillit.js';
import { getIn, keysAt, RUN_BUDGET_KEYS, showPath, type KeyPath, type ModelRefPattern, type ModelRole, type RunBudgetKey, type TargetLayout } from './api.js';
import { targetLayout } from './registry.js';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from '../common/index.js';
import { changeKey, DEFAULT_ENTRY, isDefaultEntry } from './change.js';

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
  /** When the base branch last changed the file (its last commit's time), where git tells. */
  changedAt?: string;
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
  /** The model of a category at a complexity; null: of a scheduled task, which has one whatever the complexity. */
  model: (category: string, complexity: Complexity | null, role: ModelRole) => ModelCell | undefined;
  caps: Record<string, Located<number>>;
  ci: Record<string, Located<string>>;
  budgets: Partial<Record<RunBudgetKey, Located<number>>>;
  /** Every model id named anywhere a model is configured. */
  knownModels: string[];
  /** Every model entry the files hold, `default` entries included: what name checks read. */
  modelEntries: ModelEntry[];
  /** Every string value of the files that hold models, each with what its layout knows of it: what migrations read. */
  modelRefs: ModelRef[];
  /** Categories whose models are never downgraded (Autopack's high_risk_categories). */
  protectedCategories: string[];
  /** The alias a file uses for a model id, to write a change the way the file writes models. */
  aliasOf: (file: string, model: string) => string | undefined;
  /** Whether a file can name the model where it names models (a gateway: one of its model groups serves it). */
  canName: (file: string, model: string) => boolean;
  /** Scheduled agent tasks the files configure, by name. */
  tasks: Record<string, TaskTarget>;
  /** Subagents the files define (claude-agents), by name. */
  agents: Record<string, AgentTarget>;
  /** Target files left alone, and why (a subagent file without front matter). */
  notes: string[];
}

/** A subagent's file: its model (resolved from an alias; none when it inherits the session's) and turn bound. */
export interface AgentTarget {
  file: string;
  model: Located<string> | undefined;
  /** `model: inherit`, or no model line: it runs on the session's model. */
  inherits: boolean;
  modelPath: KeyPath;
  maxTurns: Located<number> | undefined;
  /** Its reasoning effort (`low` … `max`), where the file sets one. */
  effort: Located<string> | undefined;
  /** Why its model is not tuned, where it is not (an expression chosen at run time). */
  held?: string;
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

/** A string value in a file that holds models, and what its layout says of the key. */
export interface ModelRef extends Located<string> {
  /** Its key path as shown (`llm_routing_policies.docs.builder_primary`): the key of a change to it. */
  id: string;
  /** Where it is, as a user finds it: `models.yaml: fallback_strategy.default_fallbacks[0]`. */
  where: string;
  /** What the value is (`builder`, `secondary auditor`, `alias sonnet`); undefined: a key the layout does not know. */
  label: string | undefined;
  category: string | null;
  complexity: Complexity | null;
  /** Set for the tuned builder and auditor entries only. */
  role: ModelRole | null;
  /** The value names an alias of the file's alias map (`raw`): the alias entry is what a migration edits. */
  viaAlias: boolean;
  /** The value is an entry of the alias map. */
  isAlias: boolean;
}

export function parseTarget(file: TargetFile): Document.Parsed {
  const doc = parseDocument(file.text, YAML_OPTIONS);
  if (doc.errors.length) throw new ConfigError(`${file.display}: not valid YAML: ${doc.errors[0]!.message}`);
  return doc;
}

/** A target document as plain data, parsed in its layout's syntax. */
export function targetData(file: TargetFile): unknown {
  const syntax = targetLayout(file.preset).syntax;
  if (syntax === 'yaml') return parseTarget(file).toJS();
  if (syntax === 'markdown') {
    const f = frontMatter(file.text);
    return f ? parseTarget({ ...file, text: f.yaml }).toJS() : undefined;
  }
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
  const modelFiles: { file: TargetFile; data: unknown; layout: TargetLayout; aliases: Record<string, string>; namesOnly: boolean }[] = [];
  const modelEntries: ModelEntry[] = [];
  const modelRefs: ModelRef[] = [];
  const tasks: TargetState['tasks'] = {};
  const agents: TargetState['agents'] = {};
  const notes: string[] = [];
  const agentAliases = new Set<string>();

  for (const file of files) {
    const data = targetData(file);
    const m = targetLayout(file.preset);
    if (m.categories) {
      const node = getIn(data, m.categories);
      if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new ConfigError(`${file.display}: ${m.categories.join('.')}: expected a mapping of categories`);
      for (const category of Object.keys(node)) {
        if (isDefaultEntry(category))
          throw new ConfigError(
            `${file.display}: ${[...m.categories, category].join('.')}: a category may not be named ${category}: that name is the default model entry's, which every category without its own inherits`,
          );
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
    if (m.agent) {
      if (data === undefined || data === null || typeof data !== 'object') {
        notes.push(`${file.display}: no YAML front matter (--- at its first line): left alone`);
        continue;
      }
      const a = m.agent;
      const named = getIn(data, a.name);
      const own = typeof named === 'string' && named ? named : basename(file.path).replace(/\.md$/i, '');
      // A plugin's agent runs under the plugin's name as well.
      const plugin = own.includes(':') ? undefined : pluginOf(file.path);
      const name = plugin ? `${plugin}:${own}` : own;
      const raw = getIn(data, a.model);
      const value = typeof raw === 'string' ? (MODEL_OF_FAMILY[raw] ?? raw) : undefined;
      const turns = getIn(data, a.max_turns);
      const effort = getIn(data, a.effort);
      if (effort !== undefined && !(EFFORT_LEVELS as readonly unknown[]).includes(effort))
        throw new ConfigError(`${file.display}: ${a.effort.join('.')}: expected one of ${EFFORT_LEVELS.join(', ')}, got ${JSON.stringify(effort)}`);
      agentAliases.add(file.path);
      if (value) knownModels.add(value);
      agents[name] = {
        file: file.path,
        model: value && raw !== 'inherit' ? { value, file: file.path, path: a.model, ...(raw !== value ? { raw: raw as string } : {}) } : undefined,
        inherits: value === undefined || raw === 'inherit',
        modelPath: a.model,
        maxTurns: turns === undefined ? undefined : { value: expectPositive(turns, file, a.max_turns), file: file.path, path: a.max_turns },
        effort: effort === undefined ? undefined : { value: effort as string, file: file.path, path: a.effort },
      };
      continue;
    }
    if (m.steps) {
      const st = m.steps;
      const fallback = getIn(data, st.default_model);
      if (typeof fallback === 'string') knownModels.add(modelOfAlias(fallback));
      for (const step of keysAt(data, st.at)) {
        const path = st.model(step);
        const raw = getIn(data, path);
        if (typeof raw === 'string' && isModelExpression(raw)) {
          notes.push(`${file.display}: ${path.join('.')}: ${JSON.stringify(raw)} is chosen at run time: left alone`);
          agents[step] = { file: file.path, model: undefined, inherits: false, modelPath: path, maxTurns: undefined, effort: undefined, held: 'its model is an expression chosen at run time' };
          continue;
        }
        const value = typeof raw === 'string' ? modelOfAlias(raw) : undefined;
        if (value) knownModels.add(value);
        agentAliases.add(file.path);
        agents[step] = {
          file: file.path,
          model: value ? { value, file: file.path, path, ...(raw !== value ? { raw: raw as string } : {}) } : undefined,
          inherits: value === undefined,
          modelPath: path,
          maxTurns: undefined,
          effort: undefined,
        };
      }
      continue;
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
      Object.assign(aliases, m.model.groups?.(data));
      modelFiles.push({ file, data, layout: m, aliases, namesOnly: !!m.model.groups });
      for (const place of m.model.places(data)) {
        const raw = getIn(data, place.path);
        if (typeof raw !== 'string') continue;
        const value = aliases[raw] ?? raw;
        if (!isDefaultEntry(place.category)) categories.add(place.category);
        knownModels.add(value);
        modelEntries.push({ ...place, value, ...(raw !== value ? { raw } : {}), file: file.path, where: `${file.display}: ${place.path.join('.')}` });
      }
      modelRefs.push(...referencesIn(file, data, m, aliases));
    }
  }

  const model: TargetState['model'] = (category, complexity, role) => {
    for (const { file, data, layout, aliases } of modelFiles) {
      const mm = layout.model!;
      if (!mm.roles.includes(role)) continue;
      const located = (path: KeyPath | undefined): Located<string> | undefined => {
        if (!path) return undefined;
        const raw = getIn(data, path);
        if (typeof raw !== 'string') return undefined;
        const value = aliases[raw] ?? raw;
        return { value, file: file.path, path, ...(raw !== value ? { raw } : {}) };
      };
      // `default` is the complexity's own entry: where the other categories inherit from.
      if (isDefaultEntry(category)) {
        const fb = mm.fallback(complexity, role);
        if (!fb) continue;
        return { current: located(fb), explicit: true, file: file.path, path: fb };
      }
      const places = mm.own(category, complexity, role);
      if (!places.length) continue;
      for (const path of places) {
        const own = located(path);
        if (own) return { current: own, explicit: true, file: file.path, path };
      }
      return { current: located(mm.fallback(complexity, role)), explicit: false, file: file.path, path: places[places.length - 1]! };
    }
    return undefined;
  };
  const aliasOf: TargetState['aliasOf'] = (path, id) => {
    if (agentAliases.has(path)) return Object.entries(MODEL_OF_FAMILY).find(([, v]) => v === id)?.[0];
    const f = modelFiles.find((x) => x.file.path === path);
    return f ? Object.entries(f.aliases).find(([, v]) => v === id)?.[0] : undefined;
  };
  const canName: TargetState['canName'] = (path, id) => !modelFiles.find((x) => x.file.path === path)?.namesOnly || aliasOf(path, id) !== undefined;

  return {
    files,
    categories: [...categories].sort(),
    model,
    caps,
    ci,
    budgets,
    knownModels: [...knownModels].sort(),
    modelEntries,
    modelRefs,
    protectedCategories: [...protectedCategories].sort(),
    aliasOf,
    canName,
    tasks,
    agents,
    notes,
  };
}

/**
 * Every string value of a model file, each matched against what the layout knows: its tuned places,
 * its alias map and its other references. A value that names an alias of the map resolves through it.
 */
function referencesIn(file: TargetFile, data: unknown, layout: TargetLayout, aliases: Record<string, string>): ModelRef[] {
  const mm = layout.model!;
  const places = new Map(mm.places(data).map((p) => [p.path.join('\u0000'), p]));
  const patterns: ModelRefPattern[] = [...(mm.aliases ? [{ path: [...mm.aliases, '{alias}'], label: 'alias {alias}', aliases: true as const }] : []), ...(mm.references ?? [])];
  const out: ModelRef[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, String(i)]));
    else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    else if (typeof node === 'string') {
      const place = places.get(path.join('\u0000'));
      const match = place ? undefined : patterns.map((p) => ({ p, caps: matchPath(p.path, path) })).find((x) => x.caps);
      const caps = match?.caps ?? {};
      const isAlias = match?.p.aliases === true;
      const viaAlias = !isAlias && Object.hasOwn(aliases, node);
      const value = viaAlias ? aliases[node]! : node;
      const complexity = place?.complexity ?? (COMPLEXITIES.includes(caps.complexity as Complexity) ? (caps.complexity as Complexity) : null);
      out.push({
        id: showPath(path),
        where: `${file.display}: ${showPath(path)}`,
        value,
        ...(value !== node ? { raw: node } : {}),
        file: file.path,
        path,
        label: place ? place.role : match ? fill(match.p.label, caps) : undefined,
        category: place?.category ?? caps.category ?? match?.p.category ?? null,
        complexity,
        role: place?.role ?? null,
        viaAlias,
        isAlias,
      });
    }
  };
  walk(data, []);
  return out;
}

/** The captures of a pattern that matches `path`, or undefined. */
function matchPath(pattern: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const caps: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const k = path[i]!;
    if (p === '[]') {
      if (!/^\d+$/.test(k)) return undefined;
      caps.step = String(Number(k) + 1);
    } else if (p.startsWith('{') && p.endsWith('}')) caps[p.slice(1, -1)] = k;
    else if (p !== k) return undefined;
  }
  return caps;
}

const fill = (label: string, caps: Record<string, string>): string => label.replace(/\{(\w+)\}/g, (_, n: string) => caps[n] ?? n);

/**
 * The value in force for every tunable key (the changeKey of a change to it): models per category,
 * complexity and role (inherited defaults included), caps, CI profiles and run budgets.
 */
export function valuesByKey(t: TargetState): Map<string, string> {
  const out = new Map<string, string>();
  for (const category of [...t.categories, DEFAULT_ENTRY]) {
    for (const complexity of COMPLEXITIES) {
      for (const role of ['builder', 'auditor'] as const) {
        const v = t.model(category, complexity, role)?.current?.value;
        if (v !== undefined) out.set(changeKey({ kind: 'model', category, complexity, role, key: null }), v);
      }
    }
  }
  for (const r of t.modelRefs) if (r.label !== undefined && !r.viaAlias) out.set(refKey(r), r.value);
  for (const [category, v] of Object.entries(t.caps)) out.set(changeKey({ kind: 'token_cap', category, complexity: null, role: null, key: null }), String(v.value));
  for (const [category, v] of Object.entries(t.ci)) out.set(changeKey({ kind: 'ci_profile', category, complexity: null, role: null, key: null }), v.value);
  for (const [key, v] of Object.entries(t.budgets)) out.set(changeKey({ kind: 'run_budget', category: null, complexity: null, role: null, key }), String(v.value));
  for (const [agent, a] of Object.entries(t.agents)) {
    if (a.model) out.set(changeKey({ kind: 'model', category: agent, subject: 'agent', complexity: null, role: 'builder', key: null }), a.model.value);
    if (a.maxTurns) out.set(changeKey({ kind: 'turn_budget', category: agent, subject: 'agent', complexity: null, role: null, key: null }), String(a.maxTurns.value));
    if (a.effort) out.set(changeKey({ kind: 'effort', category: agent, subject: 'agent', complexity: null, role: null, key: null }), a.effort.value);
  }
  for (const [task, x] of Object.entries(t.tasks)) {
    // A task's model holds for the whole task: its key has no complexity.
    const m = t.model(task, null, 'builder')?.current?.value;
    if (m !== undefined) out.set(changeKey({ kind: 'model', category: task, complexity: null, role: 'builder', key: null }), m);
    for (const [phase, v] of Object.entries(x.turns)) out.set(changeKey({ kind: 'turn_budget', category: task, complexity: null, role: null, key: phase }), String(v.value));
    if (x.interval) out.set(changeKey({ kind: 'schedule', category: task, complexity: null, role: null, key: null }), String(x.interval.value));
  }
  return out;
}

/** The key of a change made in one place (a migration), whatever the category's other entries hold. */
export const refKey = (r: Pick<ModelRef, 'category' | 'complexity' | 'role' | 'id'>): string => changeKey({ kind: 'model', category: r.category, complexity: r.complexity, role: r.role, key: r.id });

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

/**
 * Reads the configured target files; one that cannot be read is an error naming the config, its key and why.
 * A target must resolve, symlinks followed, inside the repository that holds the targets: a path or a
 * link that leaves it is refused before a byte of it is read, so a config or a committed symlink
 * cannot make a run print another file.
 */
export async function loadTargetFiles(targets: readonly { path: string; preset: string }[], configFile?: string, repo?: string): Promise<TargetFile[]> {
  const where = (i: number) => `${configFile ? `${displayPath(configFile)}: ` : ''}targets[${i}].path`;
  const root = targets.length ? await targetRoot(targets[0]!.path, configFile, repo) : undefined;
  return Promise.all(
    targets.map(async (t, i) => {
      const display = displayPath(t.path);
      try {
        const real = await realpath(t.path);
        if (root && !inside(root.dir, real)) {
          const via = real === resolve(t.path) ? '' : ` (it resolves to ${real})`;
          throw new ConfigError(
            `${where(i)}: ${display}${via} is outside ${root.what} ${root.dir}: a target must be a file of that repository${repo ? '' : '; set publish.repo if the targets live in another one'}`,
          );
        }
        return { path: t.path, display, preset: t.preset, text: await readFile(real, 'utf8') };
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        const code = (e as { code?: string }).code;
        const why =
          code === 'ENOENT'
            ? 'no such file'
            : code === 'EACCES'
              ? 'permission denied'
              : code === 'EISDIR'
                ? 'it is a directory, not a file'
                : code === 'ELOOP'
                  ? 'a loop of symbolic links'
                  : (e as Error).message;
        throw new ConfigError(`${where(i)}: cannot read ${display}: ${why}`);
      }
    }),
  );
}

/**
 * The repository the targets must stay in: `publish.repo` when set, else the repository holding the
 * config, else the one holding the first target; with no repository at all, the config's folder.
 */
async function targetRoot(firstTarget: string, configFile: string | undefined, repo: string | undefined): Promise<{ dir: string; what: string }> {
  const configDir = configFile ? dirname(configFile) : process.cwd();
  if (repo) return { dir: (await gitRoot(resolve(configDir, repo))) ?? (await realpathOr(resolve(configDir, repo))), what: 'the repository (publish.repo)' };
  const own = (await gitRoot(configDir)) ?? (await gitRoot(dirname(firstTarget)));
  return own ? { dir: own, what: 'the repository' } : { dir: await realpathOr(configDir), what: "the config's folder" };
}

/** The nearest folder at or above `dir` (symlinks resolved) that holds `.git`: a repository or a worktree. */
async function gitRoot(dir: string): Promise<string | undefined> {
  let at = await realpathOr(dir);
  for (;;) {
    if (await exists(join(at, '.git'))) return at;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );
const realpathOr = (p: string): Promise<string> => realpath(p).catch(() => resolve(p));
const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** A path as users see it: relative to the working directory when inside it. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** A model as a step or subagent file names it: a family alias (with a context suffix such as `[1m]` dropped) as the family's model. */
function modelOfAlias(raw: string): string {
  const bare = raw.replace(/\[\w+\]$/, '');
  return MODEL_OF_FAMILY[bare] ?? bare;
}
