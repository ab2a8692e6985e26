import { checkOutput } from './check-output.js';
import { EXIT, logSkipped, reportError } from './common.js';

export interface CheckCommandOptions {
  configPath: string;
  json: boolean;
  exitCode: boolean;
  rebuildState: boolean;
}

/** `tune check`: the cheap drift gate, for cron. One line: `noop`, `no-material-drift` or `drift: …`. */
export async function runCheckCommand(o: CheckCommandOptions): Promise<number> {
  const { runCheck } = await import('../run/index.js');
  let r;
  try {
    r = await runCheck(o.configPath, { rebuildState: o.rebuildState, env: process.env });
  } catch (e) {
    return reportError(e);
  }
  logSkipped({ ingest: r });
  process.stdout.write(checkOutput(r, o.json));
  return r.result === 'drift' && o.exitCode ? EXIT.drift : EXIT.ok;
}
