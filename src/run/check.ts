import { loadConfig } from '../config/index.js';
import { ledgerEntry } from '../store/index.js';
import { loadTargetFiles, readTargets } from '../targets/index.js';
import { commitGate, runGate, type GateLevel } from './gate.js';
import type { IngestSummary, Progress } from '../ingest/index.js';
import { openRunState } from './state.js';
import { dirname } from 'node:path';
import { withLifecycle } from './models.js';
import { refreshSummaries } from './log.js';
import { evaluateBudgets, type BudgetStatus } from './budget.js';

/** One drift check, as `tune check` and the daemon run it. */
export interface CheckReport {
  result: GateLevel;
  moved: string[];
  noop_streak: number;
  records: number;
  duplicates: number;
  bytes: number;
  skipped: number;
  /** Records the state holds; null on a no-op, which counts nothing. */
  rollup_records: number | null;
  held: unknown[];
  files: unknown[];
  state_dir: string;
  skipped_details: { file: string; line: number; reason: string }[];
  held_back: { file: string; bytes: number }[];
  early_bytes: number;
  /** Sessions two sources both report (IngestSummary.counted_twice). */
  counted_twice?: IngestSummary['counted_twice'];
  /** Changes of earlier proposals found applied in the targets by this check. */
  applied: { proposal: string; changes: number }[];
  /** The monthly budgets, where the config sets any. */
  budget?: BudgetStatus;
}

export interface CheckOptions {
  rebuildState?: boolean;
  env: NodeJS.ProcessEnv;
  now?: Date;
  /** Who holds the state lock meanwhile, as a second run is told. */
  label?: string;
  /** Called as the read of new data goes on (a terminal's progress line). */
  onProgress?: (p: Progress) => void;
}

export async function runCheck(configPath: string, o: CheckOptions): Promise<CheckReport> {
  const now = o.now ?? new Date();

  const started = new Date();
  let loaded = await loadConfig(configPath);
  const targets = readTargets(await loadTargetFiles(loaded.targets, loaded.file, loaded.config.publish.repo));
  const { state, dir, close } = openRunState(loaded, o.env, { dryRun: false, rebuild: o.rebuildState ?? false, label: o.label ?? 'tune check' });
  // The model table `tune models update` fetched, under the config's own prices and dates.
  loaded = withLifecycle(loaded, state);
  try {
    const g = await state.guard(() => runGate(loaded, targets, state, { mode: 'check', now, onProgress: o.onProgress }));
    const budget = await state.guard(() => evaluateBudgets(state, loaded, { now, env: o.env, dryRun: false }));
    state.guard(() => {
      // The check prints one line; the next report shows what it skipped.
      state.addSkippedLines(now, g.ingest.skipped_details);
      commitGate(state, g, ledgerEntry('check', started, g.level, g.ingest));
    });
    // The usage-tracker's day summaries follow its task logs (the folder above each source's tasks/).
    for (const s of loaded.sources) if (s.format === 'usage-tracker') refreshSummaries(dirname(s.path));
    return {
      result: g.level,
      moved: g.moved,
      noop_streak: g.noop_streak,
      records: g.ingest.records,
      duplicates: g.ingest.duplicates,
      bytes: g.ingest.bytes,
      skipped: g.ingest.skipped,
      rollup_records: g.rollup_records,
      held: g.ingest.quiet_held,
      files: g.events,
      state_dir: dir,
      skipped_details: g.ingest.skipped_details,
      held_back: g.ingest.held_back,
      early_bytes: g.ingest.early_bytes,
      ...(g.ingest.counted_twice ? { counted_twice: g.ingest.counted_twice } : {}),
      applied: g.applied,
      ...(budget ? { budget } : {}),
    };
  } finally {
    close();
  }
}
