import { EXIT, logSkipped, reportError } from './common.js';

export interface CheckCommandOptions {
  configPath: string;
  json: boolean;
  exitCode: boolean;
  rebuildState: boolean;
}

/**
 * `tune check`: the cheap drift gate, for cron. One line: `noop`, `no-material-drift` or
 * `drift: …`. The no-op path is tried first with light modules only; everything else loads here.
 */
export async function runCheckCommand(o: CheckCommandOptions): Promise<number> {
  const now = new Date();
  if (!o.rebuildState) {
    const { quickNoop } = await import('../drift/quick-check.js');
    try {
      const quick = await quickNoop(o.configPath, process.env, now);
      if (quick) {
        const json = { result: 'noop', moved: [], noop_streak: quick.noop_streak, records: 0, bytes: 0, skipped: 0, rollup_records: null, held: [], files: [], state_dir: quick.state_dir };
        process.stdout.write(o.json ? `${JSON.stringify(json, null, 2)}\n` : 'noop\n');
        return EXIT.ok;
      }
    } catch (e) {
      return reportError(e);
    }
  }
  try {
    return await fullCheck(o, now);
  } catch (e) {
    return reportError(e);
  }
}

async function fullCheck(o: CheckCommandOptions, now: Date): Promise<number> {
  const [{ loadConfig }, { loadTargetFiles, readTargets }, gate, { acquireLock }] = await Promise.all([
    import('../config/load.js'),
    import('../proposal/targets.js'),
    import('../drift/gate.js'),
    import('../store/lock.js'),
  ]);
  const started = new Date();
  const loaded = await loadConfig(o.configPath);
  const targets = readTargets(await loadTargetFiles(loaded.targets));
  const release = await acquireLock(gate.stateDirFor(loaded, process.env), 'tune check');
  try {
    const g = await gate.runGate(loaded, targets, { mode: 'check', rebuild: o.rebuildState, now, env: process.env });
    await gate.commitState(loaded, g, gate.ledgerEntry('check', started, g.level, g.ingest), process.env);
    logSkipped(g);
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({ result: g.level, moved: g.moved, noop_streak: g.state.noop_streak, records: g.ingest.records, bytes: g.ingest.bytes, skipped: g.ingest.skipped, rollup_records: g.rollup_records, held: g.ingest.quiet_held, files: g.events, state_dir: g.dir }, null, 2)}\n`,
      );
    } else {
      process.stdout.write(g.level === 'drift' ? `drift: ${g.moved.slice(0, 5).join('; ')}${g.moved.length > 5 ? `; and ${g.moved.length - 5} more` : ''}\n` : `${g.level}\n`);
    }
    return g.level === 'drift' && o.exitCode ? EXIT.drift : EXIT.ok;
  } finally {
    await release();
  }
}
