/** The command line's options, for node:util parseArgs: one table for the commands and the launcher's fast path. */
export const OPTIONS = {
  config: { type: 'string', short: 'c' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  'show-prompt': { type: 'boolean' },
  force: { type: 'boolean' },
  'rebuild-state': { type: 'boolean' },
  'exit-code': { type: 'boolean' },
  'no-push': { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export const DEFAULT_CONFIG = 'tokentune.yaml';
