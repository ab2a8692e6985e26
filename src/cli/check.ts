import { EXIT, logSkipped, reportError } from './common.js';

export interface CheckCommandOptions {
  configPath: string;
  json: boolean;
  exitCode: boolean;
  rebuildState: boolean;
}

/** `tune check`: the cheap drift gate, for cron. One line: `noop`, `no-material-drift` or `drift: …`. */
export async function runCheckCommand(o: CheckCommandOptions): Promise<number> {
  const { runCheck } = await import('../drift/check-run.js');
  let r;
  try {
    r = await runCheck(o.configPath, { rebuildState: o.rebuildState, env: process.env });
  } catch (e) {
    return reportError(e);
  }
  logSkipped({ ingest: r });
  const { skipped_details: _details, held_back: _held, ...json } = r;
  if (o.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(r.result === 'drift' ? `drift: ${r.moved.slice(0, 5).join('; ')}${r.moved.length > 5 ? `; and ${r.moved.length - 5} more` : ''}\n` : `${r.result}\n`);
  return r.result === 'drift' && o.exitCode ? EXIT.drift : EXIT.ok;
}
