import { dirname, resolve } from 'node:path';
import { ConfigError } from '../common/index.js';
import type { LoadedConfig } from '../config/index.js';
import { compareDecisions, decisionSet, fingerprintOf, sameFingerprint, type DecisionSet } from '../drift/index.js';
import { catchUp, findUnits, NOTHING_READ, type IngestSummary, type Progress } from '../ingest/index.js';
import { analyze, ruleContext, type Analysis, type KeyHistory, type RuleContext } from '../rules/index.js';
import { computeStats, resolveWindow, type Stats } from '../stats/index.js';
import { stateDir, type Fingerprint, type RunEntry, type State, type TrackedChange } from '../store/index.js';
import { locate, valuesByKey, type TargetState } from '../targets/index.js';
import { noRecordsMessage } from './no-records.js';

export type GateLevel = 'noop' | 'no-material-drift' | 'drift';

export interface GateOptions {
  /** `check` stops at a level-1 no-op; `tune` compares with the last proposal even then. */
  mode: 'check' | 'tune';
  now: Date;
  since?: string;
  until?: string;
  /** Called as a read goes on. */
  onProgress?: (p: Progress) => void;
}

export interface GateResult {
  level: GateLevel;
  /** What moved since the last proposal (empty for no-ops). */
  moved: string[];
  /** Consecutive no-op runs before this one. */
  previous_noop_streak: number;
  noop_streak: number;
  fingerprint: Fingerprint;
  ingest: IngestSummary;
  /** What happened to source units, for `check --json`. */
  events: string[];
  /** Records held in the state after this run (null on a `check` no-op: nothing was counted). */
  rollup_records: number | null;
  /** Changes of earlier proposals this run found applied in the targets, per proposal. */
  applied: { proposal: string; changes: number }[];
  /** Absent on a `check` no-op: nothing was computed. */
  computed?: { stats: Stats; ctx: RuleContext; analysis: Analysis; decisions: DecisionSet };
}

export function stateDirFor(loaded: LoadedConfig, env: NodeJS.ProcessEnv): string {
  const configured = loaded.config.state.dir;
  return stateDir(loaded.file, configured ? resolve(dirname(loaded.file), configured) : undefined, env);
}

/**
 * The drift gate's three levels, cheapest first, inside the state's open transaction: (1) the
 * fingerprints of every source unit, the config and the targets; (2) only the new data, read into the
 * state; (3) the statistics and the rules, whose decisions are compared with the last proposal's.
 */
export async function runGate(loaded: LoadedConfig, targets: TargetState, state: State, o: GateOptions): Promise<GateResult> {
  const previous = state.fingerprint;
  const streak = state.noopStreak;
  const fp = fingerprintOf(
    loaded.file,
    loaded.sources,
    targets.files.map((f) => f.path),
    previous,
    o.now.getTime(),
  );
  const unchanged = !!previous && sameFingerprint(previous, fp);
  if (unchanged && o.mode === 'check') {
    return { level: 'noop', moved: [], previous_noop_streak: streak, noop_streak: streak + 1, fingerprint: fp, ingest: NOTHING_READ, events: [], rollup_records: null, applied: [] };
  }

  let ingest = NOTHING_READ;
  let events: string[] = [];
  if (!unchanged) {
    state.checkIntegrity(Math.floor(o.now.getTime() / 86_400_000));
    const c = ingestOptions(loaded);
    ({ summary: ingest, events } = await catchUp(state, loaded.sources, { now: o.now, ...c, onProgress: o.onProgress }));
    // A file held back for a running session must not look unchanged to the next no-op check.
    const held = new Set(ingest.quiet_held.map((h) => h.file));
    for (const u of findUnits(loaded.sources)) if (held.has(u.path)) fp.units[u.identity] = 'held';
  }

  const totals = state.totals();
  if (totals.records === 0) throw new ConfigError(noRecordsMessage(loaded, ingest));
  let range;
  try {
    range = resolveWindow({ days: loaded.config.window.days, since: o.since, until: o.until, maxTs: totals.max_ts });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const { history, applied, appliedKeys } = trackProposals(state, targets, o.now);
  const view = state.view(range.since, range.until);
  const stats = computeStats(view, { range, pricing: loaded.pricing, defaultOutputShare: loaded.config.pricing.default_output_share });
  const ctx = ruleContext(loaded, stats, targets, { view, range }, { history, now: o.now });
  const analysis = analyze(ctx);
  const decisions = decisionSet(analysis.changes);
  // A decision that is gone because its change was merged is not drift: it is what was asked for.
  const cmp = compareDecisions(withoutKeys(state.lastProposal, appliedKeys), decisions, loaded.config.drift.tolerance, ctx);
  const level: GateLevel = cmp.material ? 'drift' : unchanged ? 'noop' : 'no-material-drift';
  return {
    level,
    moved: cmp.moved,
    previous_noop_streak: streak,
    noop_streak: level === 'noop' ? streak + 1 : 0,
    fingerprint: fp,
    ingest,
    events,
    rollup_records: totals.records,
    applied,
    computed: { stats, ctx, analysis, decisions },
  };
}

/**
 * When a change reached the base branch: the last commit touching its file there (git tells when the
 * targets are read from the base branch), never before its proposal nor after now.
 */
function mergedAt(t: TrackedChange, targets: TargetState, now: Date): Date | undefined {
  const file = locate(t.change, targets)?.file;
  const at = targets.files.find((f) => f.path === file)?.changedAt;
  if (!at) return undefined;
  const ms = Math.min(now.getTime(), Math.max(Date.parse(t.proposed_at), Date.parse(at)));
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/**
 * The closed loop's bookkeeping, before the rules run: proposed changes whose new value the targets
 * now hold are applied (as of now); those whose key holds a third value are dropped (a key the files
 * do not set yet, such as a turn budget a task inherits, holds none); and the day each
 * target value was first seen is kept, so that evidence can start at a key's last change.
 */
function trackProposals(state: State, targets: TargetState, now: Date): { history: KeyHistory; applied: GateResult['applied']; appliedKeys: Set<string> } {
  const values = valuesByKey(targets);
  const found = new Map<string, number>();
  for (const t of state.tracked('proposed')) {
    const v = values.get(t.key);
    if (v === String(t.change.to)) {
      state.markApplied(t.id, now, mergedAt(t, targets, now));
      found.set(t.proposal, (found.get(t.proposal) ?? 0) + 1);
    } else if (v !== undefined && v !== String(t.change.from)) state.markDropped(t.id);
  }
  const since = state.noteTargetValues(values, Math.floor(now.getTime() / 86_400_000));
  const applied = state.tracked('applied');
  // The last proposal's changes that the targets hold: their decisions are done, not gone.
  const last = state.lastProposal?.at;
  const appliedKeys = new Set(applied.filter((a) => a.proposed_at === last && values.get(a.key) === String(a.change.to)).map((a) => a.key));
  return { history: { applied, since }, applied: [...found].map(([proposal, changes]) => ({ proposal, changes })), appliedKeys };
}

function withoutKeys(p: DecisionSet | null, keys: ReadonlySet<string>): DecisionSet | null {
  if (!p || !keys.size) return p;
  const keep = (k: string) => ![...keys].some((key) => k.startsWith(`${key}:`));
  return { decisions: p.decisions.filter(keep), figures: Object.fromEntries(Object.entries(p.figures).filter(([k]) => keep(k))) };
}

/** How the config says sources are read. */
export function ingestOptions(loaded: LoadedConfig) {
  const c = loaded.config;
  return {
    quietMinutes: c.drift.quiet_minutes,
    retentionDays: c.state.retention_days,
    workers: c.ingest.workers,
    parallelMinBytes: c.ingest.parallel_min_bytes,
    maxFutureMinutes: c.ingest.max_future_minutes,
    maxTokens: c.ingest.max_tokens,
    maxCount: c.ingest.max_count,
    maxLineBytes: c.ingest.max_line_bytes,
  };
}

/** Records what the gate (and what followed it) found, and commits the run's transaction. */
export function commitGate(state: State, g: GateResult, entry: RunEntry, proposal?: { at: string } & DecisionSet): void {
  state.fingerprint = g.fingerprint;
  state.noopStreak = proposal ? 0 : g.noop_streak;
  if (proposal) state.lastProposal = proposal;
  state.addRun(entry);
  state.commit();
}
