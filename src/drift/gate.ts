import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { analyze, type Analysis } from '../analysis/analyze.js';
import type { RuleContext } from '../analysis/context.js';
import { ConfigError } from '../config/errors.js';
import type { LoadedConfig } from '../config/load.js';
import { ruleContext } from '../analysis/rule-context.js';
import type { TargetState } from '../proposal/targets.js';
import { computeStats } from '../stats/compute.js';
import type { Stats } from '../stats/types.js';
import { resolveWindow } from '../stats/window.js';
import type { Rollups } from '../store/rollup.js';
import { viewOf } from '../store/rollup-view.js';
import { coveredBy } from '../store/run-index-store.js';
import { stateDir } from '../store/paths.js';
import { withEntry } from '../store/run-ledger.js';
import { emptyState, loadState, saveState, type Reading, type RunEntry, type State } from '../store/state.js';
import type { EarlyRead } from '../telemetry/early-read.js';
import type { IngestSummary } from '../telemetry/ingest.js';
import { listSourceFiles } from '../telemetry/sources.js';
import { catchUp } from './catch-up.js';
import { compareDecisions, decisionSet, type DecisionSet } from './decisions.js';
import { fingerprintOf, sameFingerprint } from './fingerprint.js';

export type GateLevel = 'noop' | 'no-material-drift' | 'drift';

export interface GateOptions {
  /** `check` stops at a level-1 no-op; `tune` compares with the last proposal even then. */
  mode: 'check' | 'tune';
  rebuild: boolean;
  now: Date;
  env: NodeJS.ProcessEnv;
  since?: string;
  until?: string;
  /** Appended bytes a worker began parsing at start-up (`tune check` through bin/tune). */
  early?: EarlyRead;
}

export interface GateResult {
  level: GateLevel;
  /** What moved since the last proposal (empty for no-ops). */
  moved: string[];
  /** Consecutive no-op runs before this one. */
  previous_noop_streak: number;
  dir: string;
  state: State;
  perFile: Map<string, Rollups>;
  rollupsChanged: boolean;
  /** Rollup keys whose rollup changed (to write); absent: all. */
  dirty?: Set<string>;
  ingest: IngestSummary;
  events: string[];
  /** Records held in the rollups after this run (null on a `check` no-op: nothing was loaded). */
  rollup_records: number | null;
  /** Absent on a `check` no-op: nothing was computed. */
  computed?: { stats: Stats; ctx: RuleContext; analysis: Analysis; decisions: DecisionSet };
}

export function stateDirFor(loaded: LoadedConfig, env: NodeJS.ProcessEnv): string {
  const configured = loaded.config.state.dir;
  return stateDir(loaded.file, configured ? resolve(dirname(loaded.file), configured) : undefined, env);
}

const readingOf = (loaded: LoadedConfig): Reading => ({
  quiet_minutes: loaded.config.drift.quiet_minutes,
  parallel_min_bytes: loaded.config.ingest.parallel_min_bytes,
  workers: loaded.config.ingest.workers,
});

const NOTHING_READ: IngestSummary = { files: 0, records: 0, bytes: 0, skipped: 0, skipped_details: [], held_back: [], quiet_held: [], threads: 0, early_bytes: 0 };

/** The three levels, cheapest first. Writes nothing: the caller commits the state it returns. */
export async function runGate(loaded: LoadedConfig, targets: TargetState, o: GateOptions): Promise<GateResult> {
  const dir = stateDirFor(loaded, o.env);
  const previous = o.rebuild ? undefined : await loadState(dir);
  let state = previous?.state ?? emptyState(loaded.file);
  let perFile = previous?.rollups ?? new Map<string, Rollups>();

  // Level 1: fingerprints.
  const fp = await fingerprintOf(loaded.file, loaded.sources, targets.files.map((f) => f.path));
  if (!fp) {
    listSourceFiles(loaded.sources.map((s) => s.path)); // throws, naming the missing source
    throw new ConfigError('a source could not be read');
  }
  const unchanged = !!previous && sameFingerprint(state.fingerprint, fp);
  if (unchanged && o.mode === 'check') {
    // The fresh fingerprint: its stats of the config and targets let the next check skip the hashing.
    return { level: 'noop', moved: [], previous_noop_streak: state.noop_streak, dir, state: { ...state, fingerprint: fp, noop_streak: state.noop_streak + 1, reading: readingOf(loaded) }, perFile, rollupsChanged: false, ingest: NOTHING_READ, events: [], rollup_records: null };
  }

  // Level 2: the new bytes only.
  let ingest = NOTHING_READ;
  let events: string[] = [];
  let dirty: Set<string> | undefined;
  if (!unchanged) {
    const c = await catchUp(loaded, state, perFile, o.now, o.early);
    ({ state, perFile, events, dirty } = c);
    ingest = c.summary;
    // A file held back for a running session must not look unchanged to the next no-op check.
    for (const h of ingest.quiet_held) if (fp.files[h.file]) fp.files[h.file]![2] = -1;
  }

  // Level 3: would a decision change? Runs of the settled rollups come from the run index while it
  // still covers them all (this run only appended segments).
  const covers = coveredBy(previous?.state.run_index, previous?.state.rollup_files ?? {}, perFile, dirty);
  const total = viewOf(perFile.values(), previous?.index && covers ? { index: previous.index, covers } : undefined);
  if (total.records === 0) throw new ConfigError(`no telemetry records in ${loaded.sources.map((s) => s.path).join(', ')}`);
  let range;
  try {
    range = resolveWindow({ days: loaded.config.window.days, since: o.since, until: o.until, maxTs: total.max_ts });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const stats = computeStats(total, { range, pricing: loaded.pricing, defaultOutputShare: loaded.config.pricing.default_output_share });
  const ctx = ruleContext(loaded, stats, targets);
  const analysis = analyze(ctx);
  const decisions = decisionSet(analysis.changes);
  const cmp = compareDecisions(state.last_proposal, decisions, loaded.config.drift.tolerance);
  const level: GateLevel = cmp.material ? 'drift' : unchanged ? 'noop' : 'no-material-drift';
  return {
    level,
    moved: cmp.moved,
    previous_noop_streak: state.noop_streak,
    dir,
    state: { ...state, fingerprint: fp, noop_streak: level === 'noop' ? state.noop_streak + 1 : 0, reading: readingOf(loaded) },
    perFile,
    rollupsChanged: !unchanged,
    dirty,
    ingest,
    events,
    rollup_records: total.records,
    computed: { stats, ctx, analysis, decisions },
  };
}

/** Commits the state a gate (and what followed it) produced: new rollups first, then state.json. */
export async function commitState(loaded: LoadedConfig, g: GateResult, entry: RunEntry, env: NodeJS.ProcessEnv, extra: Partial<State> = {}): Promise<void> {
  await mkdir(g.dir, { recursive: true });
  const state: State = { ...g.state, ...extra, ledger: withEntry(g.state.ledger, entry) };
  await saveState(g.dir, state, g.rollupsChanged ? g.perFile : undefined, g.dirty);
  if (loaded.config.state.dir) {
    // Lets the no-op check find a configured state directory without parsing the config.
    const home = stateDir(loaded.file, undefined, env);
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'pointer.json'), JSON.stringify({ dir: g.dir }));
  }
}
