import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { acquireLock } from '../store/lock.js';
import { stateDir } from '../store/paths.js';
import { fingerprintOf, sameFingerprint, sha256, type Fingerprint } from './fingerprint.js';

/**
 * The no-op path of `tune check`: if the tuner config, the target files and the stat() of every
 * source file are exactly as the last run left them, record one more no-op and stop — without
 * parsing the config, loading zod or reading any telemetry. The state is read with a small guard
 * here; anything unexpected goes to the full path, which validates the whole state with zod and
 * reports problems properly.
 */
export async function quickNoop(configPath: string, env: NodeJS.ProcessEnv, now: Date, label = 'tune check'): Promise<{ noop_streak: number; state_dir: string } | undefined> {
  const configFile = resolve(configPath);
  let configText: Buffer;
  try {
    configText = await readFile(configFile);
  } catch {
    return undefined;
  }
  const dir = await locateState(configFile, env);
  const state = await readGuarded(dir);
  if (!state) return undefined;
  const fp = state['fingerprint'] as Fingerprint;
  const current = await fingerprintOf(sha256(configText), fp.sources, Object.keys(fp.targets));
  if (!current || !sameFingerprint(fp, current)) return undefined;

  const release = await acquireLock(dir, label);
  try {
    // Re-read under the lock: another run may have committed in between.
    const fresh = await readGuarded(dir);
    if (!fresh || !sameFingerprint(fresh['fingerprint'] as Fingerprint, current)) return undefined;
    const streak = (fresh['noop_streak'] as number) + 1;
    const at = now.toISOString();
    const ledger = [...(fresh['ledger'] as unknown[]), { command: 'check', started: at, ended: new Date().toISOString(), result: 'noop', records: 0, bytes: 0, llm_tokens: 0, llm_cost_usd: 0 }].slice(-200);
    await writeFileAtomic(join(dir, 'state.json'), JSON.stringify({ ...fresh, noop_streak: streak, ledger }));
    return { noop_streak: streak, state_dir: dir };
  } finally {
    await release();
  }
}

/**
 * The state directory without parsing the config: the default location, or the one a `pointer.json`
 * there names (written by full runs whose config sets `state.dir`).
 */
export async function locateState(configFile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = stateDir(configFile, undefined, env);
  try {
    const pointer = JSON.parse(await readFile(join(dir, 'pointer.json'), 'utf8')) as { dir?: unknown };
    if (typeof pointer.dir === 'string') return pointer.dir;
  } catch {
    // no pointer: the default location
  }
  return dir;
}

async function readGuarded(dir: string): Promise<Record<string, unknown> | undefined> {
  try {
    const s = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;
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
      typeof fp['files'] === 'object';
    return ok ? s : undefined;
  } catch {
    return undefined;
  }
}
