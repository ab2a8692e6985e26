import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { listUnits, sourceFiles } from '../ingest/index.js';
import type { Fingerprint } from '../store/index.js';
import { inputStats, sameStats } from './file-stats.js';

/**
 * Level 1 of the drift gate: what the inputs look like from the outside. Each source unit's
 * fingerprint as its adapter defines it (for files: path, size and mtime), and a hash of the tuner
 * config and of each target file — no telemetry is read. The stat() of the config and targets is
 * kept too (`inputs`), so that the next no-op check can skip the hashing.
 */

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

function hashFile(path: string): string {
  try {
    return sha256(readFileSync(path));
  } catch {
    return 'missing';
  }
}

export function fingerprintOf(configFile: string, sources: readonly { path: string; format: string }[], targets: readonly string[], previous?: Fingerprint, now = Date.now()): Fingerprint {
  // Stats first: a file changed between its stat() and its read is then seen as changed next time.
  const inputs = inputStats([configFile, ...targets], now);
  const listed = sourceFiles(sources);
  const units: Record<string, string> = {};
  for (const u of listUnits(listed)) units[u.identity] = u.fingerprint;
  // A file whose stat() is the one recorded with its hash has that hash still.
  const hash = (p: string, old: string | undefined) => (old !== undefined && previous?.inputs?.[p] && inputs[p] && sameStats({ x: previous.inputs[p] }, { x: inputs[p] }) ? old : hashFile(p));
  const hashes: Record<string, string> = {};
  for (const t of targets) hashes[t] = hash(t, previous?.targets[t]);
  return { config_hash: hash(configFile, previous?.config_hash), sources: listed, targets: hashes, units, inputs };
}

/** Same content and same source units; `inputs` (stats of the hashed files) do not count. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if (a.config_hash !== b.config_hash || JSON.stringify(a.sources) !== JSON.stringify(b.sources)) return false;
  const kt = Object.keys(a.targets);
  if (kt.length !== Object.keys(b.targets).length || kt.some((k) => a.targets[k] !== b.targets[k])) return false;
  const ku = Object.keys(a.units);
  return ku.length === Object.keys(b.units).length && ku.every((k) => a.units[k] === b.units[k]);
}
