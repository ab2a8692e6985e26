import { ledgerEntry } from '../store/run-ledger.js';
import type { EarlyRead } from '../telemetry/early-read.js';

/**
 * One drift check, as `tune check` and the daemon run it: the no-op fast path first, with light
 * modules only; the full gate (ingest, stats, rules) loads its modules only when that path fails.
 */

export interface CheckReport {
  result: 'noop' | 'no-material-drift' | 'drift';
  moved: string[];
  noop_streak: number;
  records: number;
  bytes: number;
  skipped: number;
  /** Records the rollups hold; null on the fast path, which reads no rollup. */
  rollup_records: number | null;
  held: unknown[];
  files: unknown[];
  state_dir: string;
  skipped_details: { file: string; line: number; reason: string }[];
  held_back: { file: string; bytes: number }[];
  /** Bytes parsed by the early read that bin/tune starts for appended bytes (0 on other paths). */
  early_bytes: number;
}

export interface CheckOptions {
  rebuildState?: boolean;
  env: NodeJS.ProcessEnv;
  now?: Date;
  /** Who holds the state lock meanwhile, as a second run is told. */
  label?: string;
  /** Appended bytes already being parsed (telemetry/early-read.ts). */
  early?: EarlyRead;
  /** The no-op check already ran (in the start-up file) and found something to do. */
  quickChecked?: boolean;
}

export async function runCheck(configPath: string, o: CheckOptions): Promise<CheckReport> {
  const now = o.now ?? new Date();
  const label = o.label ?? 'tune check';
  if (!o.rebuildState && !o.quickChecked) {
    const { quickNoop } = await import('./quick-check.js');
    const quick = await quickNoop(configPath, o.env, now, label);
    if (quick) return quick;
  }
  const [{ loadConfig }, { loadTargetFiles, readTargets }, gate, { acquireLock }] = await Promise.all([
    import('../config/load.js'),
    import('../proposal/targets.js'),
    import('./gate.js'),
    import('../store/lock.js'),
  ]);
  const started = new Date();
  const loaded = await loadConfig(configPath);
  const targets = readTargets(await loadTargetFiles(loaded.targets));
  const release = acquireLock(gate.stateDirFor(loaded, o.env), label);
  try {
    const g = await gate.runGate(loaded, targets, { mode: 'check', rebuild: o.rebuildState ?? false, now, env: o.env, early: o.early });
    await gate.commitState(loaded, g, ledgerEntry('check', started, g.level, g.ingest), o.env);
    return {
      result: g.level,
      moved: g.moved,
      noop_streak: g.state.noop_streak,
      records: g.ingest.records,
      bytes: g.ingest.bytes,
      skipped: g.ingest.skipped,
      rollup_records: g.rollup_records,
      held: g.ingest.quiet_held,
      files: g.events,
      state_dir: g.dir,
      skipped_details: g.ingest.skipped_details,
      held_back: g.ingest.held_back,
      early_bytes: g.ingest.early_bytes,
    };
  } finally {
    release();
  }
}
