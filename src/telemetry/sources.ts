import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';

/**
 * Expands configured source paths into the files to read: a file as is, a directory as every `*.jsonl`
 * below it, sorted so runs are repeatable. A missing path is an error naming it: silently analysing
 * less data than configured would produce a confident, wrong proposal. Synchronous: the no-op check
 * lists the sources on every run, and a few directory reads do not need the thread pool.
 */
export function listSourceFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = statSync(path);
    } catch {
      throw new ConfigError(`source not found: ${path}`);
    }
    if (info.isDirectory()) files.push(...jsonlBelow(path));
    else files.push(path);
  }
  return [...new Set(files)];
}

function jsonlBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
