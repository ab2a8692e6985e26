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
  // Most nightly checks end in the no-op test, which loads neither the config schema nor the stages.
  const { quickNoop } = await import('../run/noop.js');
  let r = o.rebuildState ? undefined : quickNoop(o.configPath, process.env);
  try {
    r ??= await (await import('../run/index.js')).runCheck(o.configPath, { rebuildState: o.rebuildState, env: process.env });
  } catch (e) {
    return reportError(e);
  }
  logSkipped({ ingest: r });
  process.stdout.write(checkOutput(r, o.json));
  return r.result === 'drift' && o.exitCode ? EXIT.drift : EXIT.ok;
}
