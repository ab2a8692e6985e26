import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../common/errors.js';
import type { CursorOptions } from '../sources/index.js';

/**
 * What it takes to find a source's units on disk: plain data, so that the no-op check can list
 * them without loading any adapter (run/noop.ts).
 */
export interface SourceFiles {
  path: string;
  format: string;
  shape: 'append-lines' | 'whole-file' | 'cursor';
  extensions: string[];
  companions?: string[];
  /** For a database server: how to reach it (the variable holding its password, never the password). */
  server?: CursorOptions;
}

/** A unit found on disk now. */
export interface FileUnit {
  identity: string;
  format: string;
  path: string;
  size: number;
  mtime_ms: number;
  birth_ms: number;
  /** What the no-op check compares: any change of it sends the unit to level 2. */
  fingerprint: string;
  server?: CursorOptions;
}

/** A database server's URL (postgres://…): a unit with no file to stat. */
export const isServerUrl = (path: string): boolean => /^postgres(?:ql)?:\/\//.test(path);

/**
 * Expands a configured source path into the files to read: a file as is, a directory as every file
 * below it whose name ends in one of the format's extensions, sorted so runs are repeatable. A
 * missing path is an error naming it: silently analysing less data than configured would produce a
 * confident, wrong proposal.
 */
export function listSourceFiles(path: string, extensions: readonly string[]): string[] {
  let info;
  try {
    info = statSync(path);
  } catch {
    throw new ConfigError(`source not found: ${path}`);
  }
  if (!info.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && extensions.some((x) => e.name.endsWith(x)))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The units of the sources as they are on disk now. An append-only file is itself wherever it
 * moves (device and inode); a document rewritten in place is its path.
 */
export function listUnits(sources: readonly SourceFiles[]): FileUnit[] {
  const out = new Map<string, FileUnit>();
  for (const s of sources) {
    if (isServerUrl(s.path)) {
      // Nothing to stat: every check asks the server (one small query) whether there is more.
      out.set(`url:${s.path}`, {
        identity: `url:${s.path}`,
        format: s.format,
        path: s.path,
        size: 0,
        mtime_ms: 0,
        birth_ms: 0,
        fingerprint: `${s.path}\u0000${Date.now()}`,
        ...(s.server ? { server: s.server } : {}),
      });
      continue;
    }
    for (const path of listSourceFiles(s.path, s.extensions)) {
      const st = statSync(path);
      const identity = s.shape === 'append-lines' ? `file:${st.dev}:${st.ino}` : `path:${path}`;
      if (out.has(identity)) continue; // the same file reached through two roots
      let fingerprint = `${path}\u0000${st.size}\u0000${st.mtimeMs}`;
      for (const suffix of s.companions ?? []) {
        const c = statOrNull(path + suffix);
        fingerprint += c ? `\u0000${c.size}\u0000${c.mtimeMs}` : '\u0000-';
      }
      out.set(identity, { identity, format: s.format, path, size: st.size, mtime_ms: st.mtimeMs, birth_ms: st.birthtimeMs, fingerprint });
    }
  }
  return [...out.values()];
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
