import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { acquireLock } from '../store/lock.js';
import { stateDir } from '../store/paths.js';
import { ledgerEntry, withEntry } from '../store/run-ledger.js';
import type { FileEntry, FileStat, Fingerprint, InputStat, Reading, RunEntry } from '../store/state.js';
import type { Range } from '../telemetry/scan-range.js';
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
  return (await quickCheck(configPath, env, now, label)).report;
}

/**
 * The no-op check, and when it fails because known source files grew, the ranges of their appended
 * bytes — for an early read (telemetry/early-read.ts) while the full path loads.
 */
export async function quickCheck(configPath: string, env: NodeJS.ProcessEnv, now: Date, label = 'tune check'): Promise<{ report?: CheckReport; early?: Range[] }> {
  const configFile = resolve(configPath);
  const dir = locateState(configFile, env);
  const state = readGuarded(dir);
  if (!state) return {};
  const seen = look(state.fingerprint, configFile);
  if (!seen.unchanged) return { early: seen.configSame ? earlyRanges(state, seen.files, now) : undefined };
  return { report: recordNoop(dir, state, now, label) };
}

function recordNoop(dir: string, state: GuardedState, now: Date, label: string): CheckReport | undefined {
  const release = acquireLock(dir, label);
  try {
    // Re-read under the lock: another run may have committed in between.
    const fresh = readGuarded(dir);
    if (!fresh || JSON.stringify(fresh.fingerprint) !== JSON.stringify(state.fingerprint)) return undefined;
    const streak = fresh.noop_streak + 1;
    const ledger = withEntry(fresh.ledger, ledgerEntry('check', now, 'noop', { records: 0, bytes: 0 }));
    writeFileAtomic(join(dir, 'state.json'), JSON.stringify({ ...fresh, noop_streak: streak, ledger }));
    return { result: 'noop', moved: [], noop_streak: streak, records: 0, bytes: 0, skipped: 0, rollup_records: null, held: [], files: [], state_dir: dir, skipped_details: [], held_back: [], early_bytes: 0 };
  } finally {
    release();
  }
}

/**
 * Whether nothing changed; whether the config at least has the stat() recorded with the state (so
 * the state's reading settings are the config's); and the source files' stat() when taken.
 */
function look(fp: Fingerprint & { inputs: Record<string, InputStat> }, configFile: string): { unchanged: boolean; configSame: boolean; files?: Record<string, FileStat> } {
  const recorded = fp.inputs[configFile];
  const config = inputStatOf(configFile);
  const configSame = !!recorded && !!config && sameStats({ config: recorded }, { config });
  const watched = Object.keys(fp.targets);
  const inputs: Record<string, InputStat> = {};
  for (const p of watched) {
    const st = inputStatOf(p);
    if (st) inputs[p] = st;
  }
  if (config) inputs[configFile] = config;
  const files = statSources(fp.sources);
  const unchanged = configSame && watched.every((p) => !!fp.inputs[p]) && sameStats(fp.inputs, inputs) && !!files && sameStats(fp.files, files);
  return { unchanged, configSame, files };
}

/** Below this many appended bytes the main thread parses them sooner than a worker starts. */
export const EARLY_MIN_BYTES = 256 * 1024;

/**
 * The bytes appended to known files (same device and inode, grown past the watermark) as ranges
 * the full path would read — from the watermark to the end, with its quiet cut-off — when they are
 * worth a worker: at least EARLY_MIN_BYTES, and under the size the full path would split over
 * several threads itself.
 */
function earlyRanges(state: GuardedState, files: Record<string, FileStat> | undefined, now: Date): Range[] | undefined {
  const reading = state.reading;
  if (!reading || !files || reading.workers === 1) return undefined;
  const quietAfter = now.getTime() - reading.quiet_minutes * 60_000;
  const ranges: Range[] = [];
  let bytes = 0;
  for (const [key, e] of Object.entries(state.files)) {
    const st = files[e.path];
    if (!st || `${st[0]}:${st[1]}` !== key || st[2] <= e.offset) continue;
    ranges.push({ file: e.path, format: e.format as Range['format'], start: e.offset, line: e.line, end: undefined, quietAfter });
    bytes += st[2] - e.offset;
  }
  return bytes >= EARLY_MIN_BYTES && bytes < reading.parallel_min_bytes ? ranges : undefined;
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
  files: Record<string, Pick<FileEntry, 'path' | 'format' | 'offset' | 'line'>>;
  reading?: Reading;
}

function validReading(r: unknown): boolean {
  const o = r as Partial<Reading> | null;
  return !!o && typeof o.quiet_minutes === 'number' && typeof o.parallel_min_bytes === 'number' && (o.workers === 'auto' || typeof o.workers === 'number');
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
      typeof fp['inputs'] === 'object' &&
      typeof s['files'] === 'object' &&
      !!s['files'] &&
      (s['reading'] === undefined || validReading(s['reading']));
    return ok ? (s as unknown as GuardedState) : undefined;
  } catch {
    return undefined;
  }
}
