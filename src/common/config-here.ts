import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_NAMES } from './errors.js';

/** The config file in `dir` a command reads without --config, if there is one. */
export function configHere(dir = process.cwd()): string | undefined {
  return CONFIG_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p));
}
