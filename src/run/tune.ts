import { ConfigError } from '../common/index.js';
import type { Finding, Outcome } from '../rules/index.js';
import { loadConfig } from '../config/index.js';
import type { LlmUsage, Rejection } from '../llm/index.js';
import type { PublishResult } from '../publish/index.js';
import { proposalHash, renderReport } from '../report/index.js';
import { wasteOf } from './waste.js';
import type { Stats, Window } from '../stats/index.js';
import { ledgerEntry } from '../store/index.js';
import { applyChanges, changeKey, loadTargetFiles, placeOf, readTargets, type Change, type FileResult } from '../targets/index.js';
import type { IngestSummary, Progress } from '../ingest/index.js';
import { commitGate, runGate, type GateLevel, type GateResult } from './gate.js';
import { evaluateBudgets, type BudgetStatus } from './budget.js';
import { openRunState } from './state.js';
import { modelTableNote, withLifecycle } from './models.js';

export interface TuneOptions {
  configPath: string;
  since?: string;
  until?: string;
  showPrompt?: boolean;
  /** Dry runs may read the state but never write it (only the tuner's own spend ledger). */
  dryRun?: boolean;
  /** Go on to the LLM and the proposal even when the gate finds no material drift. */
  force?: boolean;
  /** Ignore the stored state and re-read every source from the start. */
  rebuildState?: boolean;
  /** Push the proposal branch to the configured remote (and so open a PR); default true. */
  push?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: Date;
  /** Stops git and GitHub work at the next step (the daemon's SIGTERM). */
  abort?: AbortSignal;
  /** Who holds the state lock meanwhile, as a second run is told. */
  lockLabel?: string;
  /** Called as the read of new data goes on (a terminal's progress line). */
  onProgress?: (p: Progress) => void;
}

export interface GatedResult {
  /** `no-data`: the window holds no phase and no run: there is nothing to analyse. */
  status: Exclude<GateLevel, 'drift'> | 'no-data';
  moved: string[];
  /** Changes of earlier proposals this run found applied in the targets. */
  applied: GateResult['applied'];
  outcomes: Outcome[];
  window: Window | null;
  ingest: IngestSummary;
  /** What happened to each source unit (new, re-read, gone), for --verbose. */
  events: string[];
  noop_streak: number;
  /** The monthly budgets, where the config sets any. */
  budget?: BudgetStatus;
}

export interface ProposalResult {
  status: 'proposal';
  moved: string[];
  applied: GateResult['applied'];
  outcomes: Outcome[];
  window: Window;
  changes: Change[];
  rejected: Rejection[];
  considered: Rejection[];
  findings: Finding[];
  files: FileResult[];
  report: string;
  prompt: { system: string; user: string } | null;
  ingest: IngestSummary;
  events: string[];
  llm: LlmUsage;
  stats: Stats;
  noop_streak: number;
  /** Null on a dry run, and when publishing failed. */
  publish: PublishResult | null;
  /** Why publishing failed (the state is left as it was: the next run publishes again). */
  publish_error?: string;
  budget?: BudgetStatus;
}

export type RunResult = GatedResult | ProposalResult;

/**
 * One tuning run: the drift gate first; on drift (or --force) the LLM step, the edited target files
 * and the report. A real run holds the state lock throughout and commits the state at the end; a dry
 * run writes no state and publishes nothing.
 */
export async function runTune(opts: TuneOptions): Promise<RunResult> {
  const env = opts.env ?? process.env;
  const now = opts.now ?? new Date();
  const dryRun = opts.dryRun ?? true;
  const started = new Date();
  let loaded = await loadConfig(opts.configPath);
  // Without a file to change there is nothing to propose: a report of rules over no targets would
  // read like advice it is not (a Claude Code user's "auxiliary agents 100%").
  if (!loaded.targets.length) {
    throw new ConfigError(
      `${loaded.file} names no targets. tune proposes changes to the config files your agents run under (a models.yaml, a strategy_engine_config.yaml, Autopack's config/models.yaml or project ruleset, Myco's .myco/myco.yaml): add one under targets: with its preset (tokentune init finds them). For usage and cost alone: tokentune report daily.`,
    );
  }
  const checkout = await loadTargetFiles(loaded.targets, loaded.file, loaded.config.publish.repo);
  let targets = readTargets(checkout);
  if (!dryRun && loaded.config.publish.enabled && loaded.targets.length) {
    // A published proposal changes the base branch: its "current" values are the base branch's.
    const { targetsOnBase } = await import('../publish/index.js');
    const onBase = await targetsOnBase(loaded, opts.abort);
    targets = readTargets(onBase.map((f, i) => ({ ...f, path: checkout[i]!.path, display: checkout[i]!.display })));
  }
  const { state, close } = openRunState(loaded, env, { dryRun, rebuild: opts.rebuildState ?? false, label: opts.lockLabel ?? 'tune' });
  // The model table `tune models update` fetched, under the config's own prices and dates.
  loaded = withLifecycle(loaded, state);
  try {
    const gate = await state.guard(() => runGate(loaded, targets, state, { mode: 'tune', now, since: opts.since, until: opts.until, onProgress: opts.onProgress }));
    const { stats, ctx, analysis, decisions } = gate.computed!;
    const command = dryRun ? 'tune --dry-run' : 'tune';
    const budget = await state.guard(() => evaluateBudgets(state, loaded, { now, env, dryRun }));
    const withBudget = budget ? { budget } : {};
    if (stats.phases === 0 && stats.runs.count === 0 && stats.tasks.length === 0 && stats.work.length === 0) {
      // An empty window (a --since/--until with no telemetry) proposes nothing and says so in one line.
      if (!dryRun) state.guard(() => commitGate(state, gate, ledgerEntry(command, started, 'no-data', gate.ingest)));
      return { status: 'no-data', moved: [], applied: gate.applied, outcomes: [], window: stats.window, ingest: gate.ingest, events: gate.events, noop_streak: gate.noop_streak, ...withBudget };
    }
    if (gate.level !== 'drift' && !opts.force) {
      if (!dryRun) state.guard(() => commitGate(state, gate, ledgerEntry(command, started, gate.level, gate.ingest)));
      return {
        status: gate.level,
        moved: gate.moved,
        applied: gate.applied,
        outcomes: analysis.outcomes,
        window: stats.window,
        ingest: gate.ingest,
        events: gate.events,
        noop_streak: gate.noop_streak,
        ...withBudget,
      };
    }

    // An abort (the daemon stopping) abandons the run between steps: nothing published, no state written.
    opts.abort?.throwIfAborted();
    const { runLlmStep } = await import('../llm/index.js');
    // The window's transcripts, read again for what the state does not keep: calls that did no work.
    const waste = wasteOf(loaded, Date.parse(`${stats.window.since}T00:00:00Z`));
    const step = await runLlmStep({ loaded, stats, targets, ctx, analysis, env, showPrompt: opts.showPrompt ?? false, dryRun, now, signal: opts.abort, waste });
    opts.abort?.throwIfAborted();
    const files = applyChanges(step.changes, targets);
    // Lines an earlier nightly check skipped were shown by no report yet.
    const earlier = state.takeSkippedLines();
    const report = renderReport({
      project: loaded.config.project,
      generatedAt: now.toISOString(),
      stats,
      changes: step.changes,
      rejected: step.rejected,
      considered: step.considered,
      llmText: step.text,
      findings: analysis.findings,
      files,
      caps: Object.fromEntries(Object.entries(targets.caps).map(([k, v]) => [k, v.value])),
      ciProfiles: Object.fromEntries(Object.entries(targets.ci).map(([k, v]) => [k, v.value])),
      turnBudgets: Object.fromEntries(Object.entries(targets.tasks).map(([k, t]) => [k, Object.fromEntries(Object.entries(t.turns).map(([p, v]) => [p, v.value]))])),
      llm: step.llm,
      skippedLines: gate.ingest.skipped,
      ...(gate.ingest.counted_twice ? { countedTwice: gate.ingest.counted_twice } : {}),
      earlierSkipped: earlier,
      outcomes: analysis.outcomes,
      drift: gate.moved,
      noopStreak: gate.previous_noop_streak,
      modelTable: modelTableNote(state.lifecycle),
      ...(budget ? { budget: budget.lines } : {}),
      ...(waste?.findings.length ? { waste } : {}),
      where: Object.fromEntries(
        step.changes.flatMap((c) => {
          const w = placeOf(c, targets);
          return w ? [[changeKey(c), w]] : [];
        }),
      ),
    });
    let published: PublishResult | null = null;
    let publishError: string | undefined;
    if (!dryRun) {
      const { publishProposal } = await import('../publish/index.js');
      try {
        published = await publishProposal({ loaded, changes: step.changes, stats, report, checkout, push: opts.push ?? true, env, abort: opts.abort });
      } catch (e) {
        // The state is not written: the next run reads the same data, finds the same drift and
        // publishes again, where a committed state would make it a no-op. The report still goes out.
        if ((e as Error).name !== 'PublishError') throw e;
        publishError = (e as Error).message;
      }
      if (published) {
        // The closed loop follows each change from here: applied when the targets hold it.
        state.guard(() => state.recordProposal(proposalHash(step.changes), now, step.changes));
        // The gate compares the next runs' mechanical decisions with these.
        state.guard(() => commitGate(state, gate, ledgerEntry(command, started, 'proposal', gate.ingest, step.llm), { at: now.toISOString(), ...decisions }));
      }
    }
    return {
      status: 'proposal',
      moved: gate.moved,
      applied: gate.applied,
      outcomes: analysis.outcomes,
      window: stats.window,
      changes: step.changes,
      rejected: step.rejected,
      considered: step.considered,
      findings: analysis.findings,
      files,
      report,
      // The prompt was rendered for the call; it is shown only when asked for (a cron job saves stdout).
      prompt: opts.showPrompt ? step.prompt : null,
      ingest: gate.ingest,
      events: gate.events,
      llm: step.llm,
      stats,
      noop_streak: 0,
      publish: published,
      ...(publishError !== undefined ? { publish_error: publishError } : {}),
      ...withBudget,
    };
  } finally {
    close();
  }
}
