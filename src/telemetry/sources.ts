import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';

/**
 * Expands configured source paths into the files to read: a file as is, a directory as every `*.jsonl`
 * below it, sorted so runs are repeatable. A missing path is an error naming it: silently analysing
 * less data than configured would produce a confident, wrong proposal.
 */
export async function listSourceFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new ConfigError(`source not found: ${path}`);
    }
    if (info.isDirectory()) files.push(...(await jsonlBelow(path)));
    else files.push(path);
  }
  return [...new Set(files)];
}

async function jsonlBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
