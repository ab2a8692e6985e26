import { createTwoFilesPatch } from 'diff';
import { isDefaultEntry, type Change } from './change.js';
import { showPath, type KeyPath } from './api.js';
import type { ModelCell, ModelRef, TargetState } from './read.js';
import { applyEdits, type Edit } from './edit/yaml.js';
import { applyJsonEdits } from './edit/json.js';
import { frontMatter, withFrontMatter } from './front-matter.js';
import { targetLayout } from './registry.js';

export interface FileResult {
  path: string;
  display: string;
  before: string;
  after: string;
  diff: string;
}

/**
 * The model cell a model change writes. No complexity: an entry that holds for every complexity of its
 * category. A change with a key (a migration) is of one place, not of a cell.
 */
function modelCell(c: Change, targets: TargetState): ModelCell | undefined {
  return c.kind === 'model' && c.key === null && c.category && c.role ? targets.model(c.category, c.complexity, c.role) : undefined;
}

/** The value a change of one place (a migration) replaces. */
export function refOf(c: Change, targets: TargetState): ModelRef | undefined {
  return c.kind === 'model' && c.key !== null ? targets.modelRefs.find((r) => r.id === c.key && r.label !== undefined && !r.viaAlias) : undefined;
}

/** Where in which target file a change is written; undefined when no target holds that value. */
export function locate(change: Change, targets: TargetState): { file: string; path: KeyPath } | undefined {
  if (change.subject === 'agent') {
    const a = change.category ? targets.agents[change.category] : undefined;
    if (change.kind === 'turn_budget') return a?.maxTurns;
    if (change.kind === 'effort') return a?.effort;
    return a && change.kind === 'model' ? { file: a.file, path: a.modelPath } : undefined;
  }
  switch (change.kind) {
    case 'model':
      return refOf(change, targets) ?? modelCell(change, targets);
    case 'token_cap':
      return change.category ? targets.caps[change.category] : undefined;
    case 'ci_profile':
      return change.category ? targets.ci[change.category] : undefined;
    case 'run_budget':
      return change.key ? targets.budgets[change.key as keyof TargetState['budgets']] : undefined;
    case 'turn_budget': {
      const t = change.category ? targets.tasks[change.category] : undefined;
      return t && change.key ? { file: t.file, path: t.turnPath(change.key) } : undefined;
    }
    case 'schedule': {
      const t = change.category ? targets.tasks[change.category] : undefined;
      return t?.intervalPath ? { file: t.file, path: t.intervalPath } : undefined;
    }
  }
}

/**
 * New contents and a unified diff for every target file the changes touch. Each file is edited in
 * memory and verified by re-parsing before it is returned; a file that does not verify throws, so a
 * half-edited file never reaches disk or stdout.
 */
export function applyChanges(changes: readonly Change[], targets: TargetState): FileResult[] {
  const byFile = new Map<string, Edit[]>();
  for (const c of changes) {
    const at = locate(c, targets);
    if (!at) throw new Error(`no target holds ${c.kind} for ${c.category ?? c.key}`);
    const edits = byFile.get(at.file) ?? [];
    const value = c.kind === 'model' ? modelAsWritten(c, targets, at) : c.to;
    // Changes of one entry (an Autopack category's model, for each complexity it ran at) are one edit.
    const same = edits.find((e) => e.path.join('\u0000') === at.path.join('\u0000'));
    if (same && same.value !== value) throw new Error(`${at.path.join('.')}: two changes set it to ${same.value} and ${value}`);
    if (!same) edits.push({ path: at.path, value });
    byFile.set(at.file, edits);
  }
  const results: FileResult[] = [];
  for (const file of targets.files) {
    const edits = byFile.get(file.path);
    if (!edits) continue;
    const syntax = targetLayout(file.preset).syntax;
    const front = syntax === 'markdown' ? frontMatter(file.text) : undefined;
    const after =
      syntax === 'json'
        ? applyJsonEdits(file.text, edits, file.display)
        : front
          ? withFrontMatter(file.text, front, applyEdits(front.yaml, edits, file.display))
          : applyEdits(file.text, edits, file.display);
    const diff = createTwoFilesPatch(`a/${file.display}`, `b/${file.display}`, file.text, after, undefined, undefined, { context: 3 });
    results.push({ path: file.path, display: file.display, before: file.text, after, diff: stripHeaderNoise(diff) });
  }
  return results;
}

/** A model as the file writes it there: by its alias where the value it replaces was an alias. */
function modelAsWritten(c: Change, targets: TargetState, at: { file: string; path: KeyPath }): string | number {
  if (c.subject === 'agent') {
    const raw = c.category ? targets.agents[c.category]?.model?.raw : undefined;
    return raw !== undefined ? (targets.aliasOf(at.file, String(c.to)) ?? c.to) : c.to;
  }
  // A model written with its provider's prefix (a gateway's `anthropic/claude-…`) keeps it.
  const ref = refOf(c, targets);
  const prefix = ref ? /^[a-z0-9_-]+\//.exec(ref.raw ?? ref.value)?.[0] : undefined;
  if (prefix && !String(c.to).startsWith(prefix)) return `${prefix}${c.to}`;
  // The value replaced, or the default a new entry stood on, names its model by alias: so does the change.
  const cell = modelCell(c, targets);
  return cell?.current?.raw !== undefined ? (targets.aliasOf(at.file, String(c.to)) ?? c.to) : c.to;
}

/** The file and key a change writes, as one string: changes that meet in one place share it. */
export function placeKey(change: Change, targets: TargetState): string | undefined {
  const at = locate(change, targets);
  return at ? `${at.file}\u0000${at.path.join('\u0000')}` : undefined;
}

/**
 * Where a change is written, in words: the file and key; for a category that inherited its model, that
 * the key is new and what it inherited; for a default, the categories that inherit it.
 */
export function placeOf(c: Change, targets: TargetState): string | undefined {
  const at = locate(c, targets);
  if (!at) return undefined;
  const file = targets.files.find((f) => f.path === at.file)?.display ?? at.file;
  const where = `${file}: ${showPath(at.path)}`;
  const ref = refOf(c, targets);
  if (ref?.isAlias) {
    const users = targets.modelRefs.filter((r) => r.file === ref.file && r.viaAlias && r.raw === ref.path.at(-1));
    return `${where} (${users.length ? `used by ${users.length} ${users.length === 1 ? 'key' : 'keys'}` : 'used by no key of this file'}, which follow it)`;
  }
  if (ref) return where;
  if (c.kind === 'turn_budget' && c.category && c.key && !targets.tasks[c.category]?.turns[c.key]) return `${where} (new: the phase ran under its task definition's budget)`;
  if (c.kind === 'schedule' && c.category && !targets.tasks[c.category]?.interval) return `${where} (new: the task ran at its task definition's interval)`;
  const cell = modelCell(c, targets);
  if (!cell) return where;
  if (isDefaultEntry(c.category)) {
    const heirs = targets.categories.filter((cat) => targets.model(cat, c.complexity, c.role!)?.explicit === false);
    return `${where}, the default of ${heirs.length ? heirs.join(', ') : 'no category the targets name'}`;
  }
  return cell && !cell.explicit && cell.current ? `${where} (new: ${c.category} inherited ${cell.current.path.join('.')})` : where;
}

/** `diff` starts with an "Index:"/"====" banner that git-style readers do not expect. */
function stripHeaderNoise(patch: string): string {
  return patch.replace(/^(?:Index:.*\n)?=+\n/, '');
}
