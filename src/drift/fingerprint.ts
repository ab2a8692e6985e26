import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Fingerprint } from '../store/state.js';
import { inputStats, sameStats, statSources } from './file-stats.js';

/**
 * Level 1 of the drift gate: what the inputs look like from the outside. stat() of every source
 * file and a hash of the tuner config and of each target file — no telemetry is read. The stat() of
 * the config and targets is kept too (`inputs`), so that the no-op check can skip the hashing.
 */

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function hashFile(path: string): Promise<string | null> {
  try {
    return sha256(await readFile(path));
  } catch {
    return null;
  }
}

export async function fingerprintOf(configFile: string, sources: Fingerprint['sources'], targets: readonly string[], now = Date.now()): Promise<Fingerprint | undefined> {
  // Stats first: a file changed between its stat() and its read is then seen as changed next time.
  const inputs = inputStats([configFile, ...targets], now);
  const files = statSources(sources);
  if (!files) return undefined;
  const hashes: Record<string, string> = {};
  for (const t of targets) hashes[t] = (await hashFile(t)) ?? 'missing';
  return { config_hash: (await hashFile(configFile)) ?? 'missing', sources: [...sources], targets: hashes, files, inputs };
}

/** Same content and same source files; `inputs` (stats of the hashed files) do not count. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if (a.config_hash !== b.config_hash) return false;
  if (JSON.stringify(a.sources) !== JSON.stringify(b.sources)) return false;
  const kt = Object.keys(a.targets);
  if (kt.length !== Object.keys(b.targets).length || kt.some((k) => a.targets[k] !== b.targets[k])) return false;
  return sameStats(a.files, b.files);
}
