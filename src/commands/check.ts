import { checkOutput } from './check-output.js';
import { EXIT, logEvents, logSkipped, notice, reportError, type Voice } from './common.js';
import { progressLine } from './progress.js';

export interface CheckCommandOptions {
  configPath: string;
  json: boolean;
  exitCode: boolean;
  rebuildState: boolean;
  voice: Voice;
}

/** `tune check`: the cheap drift gate, for cron. One line: `noop`, `no-material-drift` or `drift: …`. */
export async function runCheckCommand(o: CheckCommandOptions): Promise<number> {
  // Most nightly checks end in the no-op test, which loads neither the config schema nor the stages.
  const { quickNoop } = await import('../run/noop.js');
  let r = o.rebuildState ? undefined : quickNoop(o.configPath, process.env);
  const progress = progressLine(process.stderr, !o.voice.quiet);
  try {
    r ??= await (await import('../run/index.js')).runCheck(o.configPath, { rebuildState: o.rebuildState, env: process.env, onProgress: progress.onProgress });
  } catch (e) {
    return reportError(e);
  } finally {
    progress.done();
  }
  logEvents(o.voice, r.files);
  logSkipped({ ingest: r }, o.voice);
  for (const p of r.budget?.problems ?? []) notice(o.voice, p);
  process.stdout.write(checkOutput(r, o.json));
  return r.result === 'drift' && o.exitCode ? EXIT.drift : EXIT.ok;
}
