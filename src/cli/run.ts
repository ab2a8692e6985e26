import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, OPTIONS } from './options.js';
import { USAGE } from './usage.js';

export { finish } from './finish.js';

/**
 * The commands. Only argument parsing happens at start-up; every stage is imported when the command
 * needs it, so cheap commands stay cheap. Entered from fast.cjs (the `tune` launcher's start-up file)
 * for every command but a `tune check` it can serve itself, or from main.js (`node dist/cli/main.js`).
 */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (e) {
    process.stderr.write(`tune: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const command = positionals[0];
  if (positionals.length > 1 || (command !== undefined && command !== 'check' && command !== 'daemon')) {
    process.stderr.write(`tune: unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
    return 2;
  }
  const configPath = values.config ?? DEFAULT_CONFIG;
  if (command === 'check') {
    const { runCheckCommand } = await import('./check.js');
    return runCheckCommand({ configPath, json: values.json ?? false, exitCode: values['exit-code'] ?? false, rebuildState: values['rebuild-state'] ?? false });
  }
  if (command === 'daemon') {
    const { runDaemonCommand } = await import('./daemon.js');
    return runDaemonCommand(configPath);
  }
  const { runTuneCommand } = await import('./tune.js');
  return runTuneCommand({
    configPath,
    json: values.json ?? false,
    showPrompt: values['show-prompt'] ?? false,
    dryRun: values['dry-run'] ?? false,
    force: values.force ?? false,
    rebuildState: values['rebuild-state'] ?? false,
    since: values.since,
    until: values.until,
    push: !(values['no-push'] ?? false),
  });
}
