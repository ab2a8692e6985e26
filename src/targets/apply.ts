import { createTwoFilesPatch } from 'diff';
import type { Change } from './change.js';
import type { KeyPath } from './api.js';
import type { TargetState } from './read.js';
import { applyEdits, type Edit } from './edit/yaml.js';

export interface FileResult {
  path: string;
  display: string;
  before: string;
  after: string;
  diff: string;
}

/** Where in which target file a change is written; undefined when no target holds that value. */
export function locate(change: Change, targets: TargetState): { file: string; path: KeyPath } | undefined {
  switch (change.kind) {
    case 'model':
      return change.category && change.complexity && change.role
        ? targets.model(change.category, change.complexity, change.role)
        : undefined;
    case 'token_cap':
      return change.category ? targets.caps[change.category] : undefined;
    case 'ci_profile':
      return change.category ? targets.ci[change.category] : undefined;
    case 'run_budget':
      return change.key ? targets.budgets[change.key as keyof TargetState['budgets']] : undefined;
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
    edits.push({ path: at.path, value: c.to });
    byFile.set(at.file, edits);
  }
  const results: FileResult[] = [];
  for (const file of targets.files) {
    const edits = byFile.get(file.path);
    if (!edits) continue;
    const after = applyEdits(file.text, edits, file.display);
    const diff = createTwoFilesPatch(`a/${file.display}`, `b/${file.display}`, file.text, after, undefined, undefined, { context: 3 });
    results.push({ path: file.path, display: file.display, before: file.text, after, diff: stripHeaderNoise(diff) });
  }
  return results;
}

/** `diff` starts with an "Index:"/"====" banner that git-style readers do not expect. */
function stripHeaderNoise(patch: string): string {
  return patch.replace(/^(?:Index:.*\n)?=+\n/, '');
}
