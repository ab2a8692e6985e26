import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { listSourceFiles } from '../telemetry/sources.js';

/**
 * Level 1 of the drift gate: what the inputs look like from the outside. stat() of every source
 * file and a hash of the tuner config and of each target file — no telemetry is read. This module
 * and everything it imports stay light: the no-op check loads nothing else.
 */

/** [dev, ino, size, mtimeMs] */
export type FileStat = [number, number, number, number];

export interface Fingerprint {
  config_hash: string;
  sources: { path: string; format: string }[];
  targets: Record<string, string>;
  files: Record<string, FileStat>;
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function hashFile(path: string): Promise<string | null> {
  try {
    return sha256(await readFile(path));
  } catch {
    return null;
  }
}

/** stat() of every file under the source roots; undefined when a root is missing (the full path says which). */
export async function statSources(sources: readonly { path: string }[]): Promise<Record<string, FileStat> | undefined> {
  const out: Record<string, FileStat> = {};
  try {
    for (const file of await listSourceFiles(sources.map((s) => s.path))) {
      const st = await stat(file);
      out[file] = [st.dev, st.ino, st.size, st.mtimeMs];
    }
  } catch {
    return undefined;
  }
  return out;
}

export async function fingerprintOf(configHash: string, sources: Fingerprint['sources'], targets: readonly string[]): Promise<Fingerprint | undefined> {
  const files = await statSources(sources);
  if (!files) return undefined;
  const hashes: Record<string, string> = {};
  for (const t of targets) hashes[t] = (await hashFile(t)) ?? 'missing';
  return { config_hash: configHash, sources: [...sources], targets: hashes, files };
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if (a.config_hash !== b.config_hash) return false;
  if (JSON.stringify(a.sources) !== JSON.stringify(b.sources)) return false;
  const same = (x: Record<string, unknown>, y: Record<string, unknown>) => {
    const kx = Object.keys(x);
    return kx.length === Object.keys(y).length && kx.every((k) => JSON.stringify(x[k]) === JSON.stringify(y[k]));
  };
  return same(a.targets, b.targets) && same(a.files, b.files);
}
