import type * as z from 'zod';

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

/** One line per issue, each naming the key path: `targets[0].path: required`. */
export function formatZodIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const base = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const where = [prefix, base].filter(Boolean).join(' ') || '(top level)';
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const message =
      issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'required' : issue.message;
    const where = [prefix, base].filter(Boolean).join(' ');
    return where ? `${where}: ${message}` : message;
  });
}

/** The config a command reads when --config is not given: `tokentune.yaml` here, else `.tokentune.yaml`. */
export const CONFIG_NAMES = ['tokentune.yaml', '.tokentune.yaml'] as const;
