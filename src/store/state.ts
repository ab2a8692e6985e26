import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { formatZodIssues } from '../config/errors.js';
import { writeFileAtomic } from './atomic.js';
import { decodeRollups, type EncodedRollups } from './rollup-codec.js';
import { readRollupsFile, writeRollupsFile } from './rollup-file.js';
import { MAX_LEDGER } from './run-ledger.js';
import type { RunIndex } from './run-index.js';
import { indexForCommit, readRunIndex, RUN_INDEX_FILE } from './run-index-store.js';
import type { Rollups } from './rollup.js';

/**
 * The run state of one tuner config: `state.json` (small: fingerprints, watermarks, the last
 * proposal's decisions, the run ledger) and one `r-<key hash>-<generation>.bin` per source file with
 * that file's daily rollups (see rollup-file.ts). A run rewrites only the rollups that changed.
 * `state.json` is the commit point: it names the rollups files it was built with, and is renamed into
 * place only after they are all on disk.
 */

export const STATE_VERSION = 2;

export class StateError extends Error {
  override name = 'StateError';
}

/** stat() of a source file: [dev, ino, size, mtimeMs]. Size -1 marks a file held back for a running session. */
export const FileStat = z.tuple([z.number(), z.number(), z.number().int().min(-1), z.number()]);
export type FileStat = z.infer<typeof FileStat>;
/** stat() of a hashed file: [dev, ino, size, mtimeMs, ctimeMs]. The ctime catches an edit whose mtime was put back (`touch -r`). */
export const InputStat = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]);
export type InputStat = z.infer<typeof InputStat>;

export const Fingerprint = z.object({
  config_hash: z.string(),
  /** Resolved source roots of the config, so a no-op check needs no config parsing. */
  sources: z.array(z.object({ path: z.string(), format: z.string() })),
  targets: z.record(z.string(), z.string()),
  files: z.record(z.string(), FileStat),
  /** stat() of the tuner config and the target files when they were hashed: the no-op check compares these instead of hashing. */
  inputs: z.record(z.string(), InputStat).optional(),
});
export type Fingerprint = z.infer<typeof Fingerprint>;

/** Where reading of one source file stands. Keyed by device and inode, so a renamed file keeps it. */
export const FileEntry = z.object({
  path: z.string(),
  format: z.string(),
  size: z.number().int().nonnegative(),
  mtime_ms: z.number(),
  /** Creation time: a deleted file re-created on a reused inode is still a new file. */
  birth_ms: z.number(),
  /** Bytes read and folded into this file's rollup: the next read starts here. */
  offset: z.number().int().nonnegative(),
  /** Number of the line at `offset`. */
  line: z.number().int().positive(),
  /** Hashes of the first and of the last 4 KiB before `offset`: a rewritten file no longer matches. */
  head_hash: z.string(),
  tail_hash: z.string(),
});
export type FileEntry = z.infer<typeof FileEntry>;

export const RunEntry = z.object({
  command: z.string(),
  started: z.string(),
  ended: z.string(),
  result: z.string(),
  records: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  llm_tokens: z.number().int().nonnegative(),
  llm_cost_usd: z.number().nonnegative(),
});
export type RunEntry = z.infer<typeof RunEntry>;

export const LastProposal = z.object({
  at: z.string(),
  decisions: z.array(z.string()),
  figures: z.record(z.string(), z.number()),
});
export type LastProposal = z.infer<typeof LastProposal>;

export const Reading = z.object({
  quiet_minutes: z.number().nonnegative(),
  parallel_min_bytes: z.number().int().nonnegative(),
  workers: z.union([z.literal('auto'), z.number().int().positive()]),
});
export type Reading = z.infer<typeof Reading>;

/** Which file holds the run index (run-index-store.ts), and which rollups files it was built from. */
export const RunIndexEntry = z.object({
  file: z.string(),
  /** The settled rollups it covers (those with runs when it was built): rollup key → rollups file name. */
  keys: z.record(z.string(), z.string()),
  /** Runs it holds. */
  runs: z.number().int().nonnegative(),
});
export type RunIndexEntry = z.infer<typeof RunIndexEntry>;

export const State = z.object({
  format: z.literal('tokentune-state'),
  version: z.literal(STATE_VERSION),
  config_path: z.string(),
  fingerprint: Fingerprint,
  files: z.record(z.string(), FileEntry),
  /** Rollup keys of files that are gone: their data stays until retention drops it. */
  retired: z.array(z.string()),
  /** Counter that makes every rollups file written a new name. */
  rollups_generation: z.number().int().nonnegative(),
  /** The rollups file of each source file's rollup (by rollup key). */
  rollup_files: z.record(z.string(), z.string()),
  last_proposal: LastProposal.nullable(),
  noop_streak: z.number().int().nonnegative(),
  ledger: z.array(RunEntry),
  /**
   * The config's reading settings at the last commit. The start-up file, which parses no config,
   * uses them to begin parsing appended bytes early — only while the config's stat() is the one
   * recorded with them (see telemetry/early-read.ts).
   */
  reading: Reading.optional(),
  /** The run index of the settled rollups (run-index-store.ts): a cache, rebuilt when they change. */
  run_index: RunIndexEntry.optional(),
});
export type State = z.infer<typeof State>;

export function emptyState(configPath: string): State {
  return {
    format: 'tokentune-state',
    version: STATE_VERSION,
    config_path: configPath,
    fingerprint: { config_hash: '', sources: [], targets: {}, files: {} },
    files: {},
    retired: [],
    rollups_generation: 0,
    rollup_files: {},
    last_proposal: null,
    noop_streak: 0,
    ledger: [],
  };
}

export const statePath = (dir: string): string => join(dir, 'state.json');
const rollupFileName = (key: string, generation: number): string => `r-${createHash('sha256').update(key).digest('hex').slice(0, 12)}-${generation}.bin`;
/** Format 1 kept its rollups as JSON; read only to migrate. */
const legacyRollupsPath = (dir: string, generation: number): string => join(dir, `rollups-${generation}.json`);

const fix = (path: string) =>
  `Run again with --rebuild-state to re-read every source from the start, or restore ${path} from a backup.`;

/** Reads and validates the state. Undefined when there is none yet. Never resets a bad state silently. */
export async function loadState(dir: string): Promise<{ state: State; rollups: Map<string, Rollups>; index?: RunIndex } | undefined> {
  try {
    return await loadOnce(dir);
  } catch (e) {
    // A reader without the lock (a dry run) can lose a race with a commit that replaced the rollups
    // generation it was about to read; the state it reads next names the new one.
    if ((e as { racedCommit?: boolean }).racedCommit) return loadOnce(dir);
    throw e;
  }
}

async function loadOnce(dir: string): Promise<{ state: State; rollups: Map<string, Rollups>; index?: RunIndex } | undefined> {
  const path = statePath(dir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const { state, from } = parseVersioned(text, path);
  let rollups = new Map<string, Rollups>();
  const read = async (rpath: string, load: () => Promise<Map<string, Rollups>>) => {
    try {
      return await load();
    } catch (e) {
      const error = new StateError(`${rpath}: cannot read the rollups this state was built with (${(e as Error).message}). ${fix(path)}`);
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') Object.assign(error, { racedCommit: true });
      throw error;
    }
  };
  if (from === 1) {
    if (state.rollups_generation > 0) {
      const rpath = legacyRollupsPath(dir, state.rollups_generation);
      rollups = await read(rpath, () => readLegacyRollups(rpath));
    }
  } else {
    for (const [key, name] of Object.entries(state.rollup_files)) {
      const rpath = join(dir, name);
      const one = await read(rpath, () => readRollupsFile(rpath));
      const r = one.get(key);
      if (!r) throw new StateError(`${rpath}: does not hold the rollup of ${key}. ${fix(path)}`);
      rollups.set(key, r);
    }
  }
  const index = readRunIndex(dir, state.run_index);
  // Unreadable: ignored, and rebuilt by the next commit that writes rollups.
  if (!index) delete state.run_index;
  return { state, rollups, ...(index ? { index } : {}) };
}

async function readLegacyRollups(path: string): Promise<Map<string, Rollups>> {
  const encoded = JSON.parse(await readFile(path, 'utf8')) as { format?: string; files?: Record<string, EncodedRollups> };
  if (encoded.format !== 'tokentune-rollups' || !encoded.files) throw new Error('not a tokentune rollups file');
  return new Map(Object.entries(encoded.files).map(([key, e]) => [key, decodeRollups(e)]));
}

export function parseState(text: string, path: string): State {
  return parseVersioned(text, path).state;
}

function parseVersioned(text: string, path: string): { state: State; from: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StateError(`${path}: the state file is not valid JSON (${(e as Error).message}). ${fix(path)}`);
  }
  const from = (raw as { version?: unknown } | null)?.version;
  const migrated = migrate(raw, path);
  const parsed = State.safeParse(migrated);
  if (!parsed.success) {
    throw new StateError(`${path}: the state file does not match format version ${STATE_VERSION}: ${formatZodIssues(parsed.error).slice(0, 3).join('; ')}. ${fix(path)}`);
  }
  return { state: parsed.data, from: typeof from === 'number' ? from : STATE_VERSION };
}

/** Brings an older state up to the current format; refuses one written by a newer tokentune. */
function migrate(raw: unknown, path: string): unknown {
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > STATE_VERSION) {
    throw new StateError(`${path}: written by a newer tokentune (state format ${version}; this one reads up to ${STATE_VERSION}). Upgrade tokentune, or use --rebuild-state.`);
  }
  // 1 → 2: the rollups moved from one JSON file to a binary file per source file. The loader reads
  // the old file; the next commit writes every rollup in the new format.
  if (version === 1) return { ...(raw as object), version: 2, rollup_files: {} };
  return raw;
}

/**
 * Writes the rollups that changed (`dirty`; all of them when not given) and then the state that
 * names them; the rename of state.json is the commit point. Rollups files no longer named, and
 * leftovers of interrupted writes, are removed after.
 */
export async function saveState(dir: string, state: State, rollups?: Map<string, Rollups>, dirty?: ReadonlySet<string>): Promise<State> {
  const next: State = { ...state, ledger: state.ledger.slice(-MAX_LEDGER) };
  if (rollups) {
    const generation = state.rollups_generation + 1;
    const files: Record<string, string> = {};
    for (const [key, r] of rollups) {
      const existing = state.rollup_files[key];
      if (existing && dirty && !dirty.has(key)) {
        files[key] = existing;
        continue;
      }
      const name = rollupFileName(key, generation);
      const tmp = join(dir, `${name}.${process.pid}.tmp`);
      await writeRollupsFile(tmp, new Map([[key, r]]));
      await rename(tmp, join(dir, name));
      files[key] = name;
    }
    next.rollups_generation = generation;
    next.rollup_files = files;
    next.run_index = indexForCommit(dir, state.run_index, files, rollups, generation);
  }
  writeFileAtomic(statePath(dir), JSON.stringify(next));
  await removeStale(dir, new Set([...Object.values(next.rollup_files), ...(next.run_index ? [next.run_index.file] : [])]));
  return next;
}

async function removeStale(dir: string, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    // We hold the lock: any temporary file here is a leftover of an interrupted write.
    const stale = ((/^r-[0-9a-f]+-\d+\.bin$/.test(name) || RUN_INDEX_FILE.test(name)) && !keep.has(name)) || /^rollups-\d+\.(json|bin)$/.test(name) || name.endsWith('.tmp');
    if (stale) await unlink(join(dir, name)).catch(() => undefined);
  }
}
