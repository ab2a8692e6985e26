import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../common/index.js';
import { sourceAdapter } from '../sources/index.js';

/**
 * Expands a configured source path into the files to read: a file as is, a directory as every file
 * below it that its format's adapter claims, sorted so runs are repeatable. A missing path is an error
 * naming it: silently analysing less data than configured would produce a confident, wrong proposal.
 */
export function listSourceFiles(path: string, format: string): string[] {
  let info;
  try {
    info = statSync(path);
  } catch {
    throw new ConfigError(`source not found: ${path}`);
  }
  if (!info.isDirectory()) return [path];
  const adapter = sourceAdapter(format);
  return readdirSync(path, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && adapter.matches(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
