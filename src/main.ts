#!/usr/bin/env node
/**
 * The entry: `tune log` is called by the build-lead after every task, so it loads only what it
 * writes (commands/log.ts); a nightly `tune check` that finds nothing changed is answered before the
 * parser loads (commands/quick-check.ts); everything else goes through the command-line parser (cli.ts).
 */
// A reader that stops early (`tune check --json | head -c 100`) is not an error of ours: end quietly,
// on every path (0 is EXIT.ok; commands/common.ts is not loaded for it).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const [word, ...rest] = process.argv.slice(2);
if (word === 'log' && !rest.some((a) => a === '-h' || a === '--help')) {
  const { runLogCommand } = await import('./commands/log.js');
  process.exitCode = await runLogCommand(rest, process.stdin);
} else if (!(word === 'check' && (await (await import('./commands/quick-check.js')).quickCheck(rest)))) await import('./cli.js');
