#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { USAGE } from './usage.js';

/**
 * Entry point. Only argument parsing happens at start-up; every stage is imported when the command
 * needs it, so cheap commands stay cheap.
 */
async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        'show-prompt': { type: 'boolean' },
        since: { type: 'string' },
        until: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
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
  if (positionals.length) {
    process.stderr.write(`tune: unknown command "${positionals[0]}"\n\n${USAGE}`);
    return 2;
  }
  if (!values['dry-run']) {
    process.stderr.write('tune: publishing proposals as a branch is not available in this version; run with --dry-run\n');
    return 2;
  }
  const { runTuneCommand } = await import('./tune.js');
  return runTuneCommand({
    configPath: values.config ?? 'tokentune.yaml',
    json: values.json ?? false,
    showPrompt: values['show-prompt'] ?? false,
    since: values.since,
    until: values.until,
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tune: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
