import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { acquireLock } from '../store/lock.js';
import { stateDir } from '../store/paths.js';
import { ledgerEntry, withEntry } from '../store/run-ledger.js';
import type { Fingerprint, InputStat, RunEntry } from '../store/state.js';
import type { CheckReport } from './check-run.js';
import { inputStatOf, sameStats, statSources } from './file-stats.js';

/**
 * The no-op path of `tune check`: if the tuner config and the target files have the stat() the last
 * run recorded when it hashed them, and every source file has the stat() it had, record one more
 * no-op and stop — without parsing the config, hashing anything, loading zod or reading telemetry.
 * The state is read with a small guard here; anything unexpected (no recorded stats, a file touched
 * but perhaps not changed) goes to the full path, which validates the whole state with zod, hashes
 * the files and reports problems properly. Bundled into the CommonJS start-up file (cli/fast.ts):
 * keep its imports light.
 */
export async function quickNoop(configPath: string, env: NodeJS.ProcessEnv, now: Date, label = 'tune check'): Promise<CheckReport | undefined> {
  const configFile = resolve(configPath);
  const dir = locateState(configFile, env);
  const state = readGuarded(dir);
  if (!state || !unchanged(state.fingerprint, configFile)) return undefined;

  const release = acquireLock(dir, label);
  try {
    // Re-read under the lock: another run may have committed in between.
    const fresh = readGuarded(dir);
    if (!fresh || JSON.stringify(fresh.fingerprint) !== JSON.stringify(state.fingerprint)) return undefined;
    const streak = fresh.noop_streak + 1;
    const ledger = withEntry(fresh.ledger, ledgerEntry('check', now, 'noop', { records: 0, bytes: 0 }));
    writeFileAtomic(join(dir, 'state.json'), JSON.stringify({ ...fresh, noop_streak: streak, ledger }));
    return { result: 'noop', moved: [], noop_streak: streak, records: 0, bytes: 0, skipped: 0, rollup_records: null, held: [], files: [], state_dir: dir, skipped_details: [], held_back: [] };
  } finally {
    release();
  }
}

function unchanged(fp: Fingerprint & { inputs: Record<string, InputStat> }, configFile: string): boolean {
  const watched = [configFile, ...Object.keys(fp.targets)];
  if (watched.some((p) => !fp.inputs[p])) return false;
  const inputs: Record<string, InputStat> = {};
  for (const p of watched) {
    const st = inputStatOf(p);
    if (!st) return false;
    inputs[p] = st;
  }
  if (!sameStats(fp.inputs, inputs)) return false;
  const files = statSources(fp.sources);
  return !!files && sameStats(fp.files, files);
}

/**
 * The state directory without parsing the config: the default location, or the one a `pointer.json`
 * there names (written by full runs whose config sets `state.dir`).
 */
export function locateState(configFile: string, env: NodeJS.ProcessEnv): string {
  const dir = stateDir(configFile, undefined, env);
  try {
    const pointer = JSON.parse(readFileSync(join(dir, 'pointer.json'), 'utf8')) as { dir?: unknown };
    if (typeof pointer.dir === 'string') return pointer.dir;
  } catch {
    // no pointer: the default location
  }
  return dir;
}

interface GuardedState {
  noop_streak: number;
  ledger: RunEntry[];
  fingerprint: Fingerprint & { inputs: Record<string, InputStat> };
}

function readGuarded(dir: string): GuardedState | undefined {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;
    const fp = s['fingerprint'] as Record<string, unknown> | undefined;
    const ok =
      s['format'] === 'tokentune-state' &&
      s['version'] === 2 &&
      typeof s['noop_streak'] === 'number' &&
      Array.isArray(s['ledger']) &&
      !!fp &&
      typeof fp['config_hash'] === 'string' &&
      Array.isArray(fp['sources']) &&
      typeof fp['targets'] === 'object' &&
      typeof fp['files'] === 'object' &&
      typeof fp['inputs'] === 'object';
    return ok ? (s as unknown as GuardedState) : undefined;
  } catch {
    return undefined;
  }
}
