import type * as z from 'zod';
import { closest } from './closest.js';

/** A problem the user must fix in a file; exit code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Renders a zod path the way a user would write it: `targets[0].path`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * One line per issue, each naming the key path: `targets[0].path: required`. `known`, when given,
 * lists the keys allowed where an unknown one was found, for a "did you mean".
 */
export function formatZodIssues(error: z.ZodError, prefix = '', known?: (path: readonly PropertyKey[]) => readonly string[]): string[] {
  return error.issues.map((issue) => {
    const base = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const where = [prefix, base].filter(Boolean).join(' ') || '(top level)';
      const allowed = known?.(issue.path) ?? [];
      const named = issue.keys.map((k) => {
        const near = closest(k, allowed)[0];
        return `"${k}"${near ? ` (did you mean "${near}"?)` : ''}`;
      });
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${named.join(', ')}`;
    }
    const message = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'required' : issue.message;
    const where = [prefix, base].filter(Boolean).join(' ');
    return where ? `${where}: ${message}` : message;
  });
}

/** The config a command reads when --config is not given: `tokentune.yaml` here, else `.tokentune.yaml`. */
export const CONFIG_NAMES = ['tokentune.yaml', '.tokentune.yaml'] as const;
