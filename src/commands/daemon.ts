import { reportError } from './common.js';

/** `tune daemon`: runs until SIGINT/SIGTERM; one JSON line per run on stdout, notices on stderr. */
export async function runDaemonCommand(configPath: string): Promise<number> {
  const { runDaemon } = await import('../daemon/index.js');
  try {
    return await runDaemon({
      configPath,
      env: process.env,
      log: (line) => process.stdout.write(`${line}\n`),
      notice: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (e) {
    return reportError(e);
  }
}
