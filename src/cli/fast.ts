import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { quickCheck } from '../drift/quick-check.js';
import { startEarlyRead, type EarlyRead } from '../telemetry/early-read.js';
import { checkOutput } from './check-output.js';
import { DEFAULT_CONFIG, OPTIONS } from './options.js';

/**
 * Start-up file of the `tune` launcher (bin/tune). The nightly `tune check` usually finds nothing new,
 * and then this file is all that runs: it is built into one CommonJS file (dist/cli/fast.cjs), which
 * Node loads without starting its ES module loader, and it imports only the no-op check. Whatever the
 * no-op check cannot settle — and any error, which the full path meets again and reports properly —
 * goes on to the commands (run.js, bundled).
 */
async function start(argv: string[]): Promise<void> {
  const check = checkCandidate(argv);
  const now = new Date();
  let early: EarlyRead | undefined;
  if (check) {
    try {
      const r = await quickCheck(check.configPath, process.env, now);
      if (r.report) {
        process.stdout.write(checkOutput(r.report, check.json));
        return;
      }
      // Appended bytes: a worker parses them while the commands, config and state load.
      if (r.early) early = await startEarlyRead(r.early, join(__dirname, 'early-worker.cjs'));
    } catch {
      // the full path below runs again and reports it
    }
  }
  // The commands as built into dist/bundle (scripts/build-launcher.mjs): a path, not a module name,
  // so that esbuild leaves the import to run time.
  const commands = '../bundle/run.js';
  const { finish, main } = (await import(commands)) as typeof import('./run.js');
  finish(main(argv, check ? { now, early, quickChecked: true } : {}));
}

/** `tune check` with no option that needs the full path (`--rebuild-state`, `--help`, …). */
function checkCandidate(argv: string[]): { configPath: string; json: boolean } | undefined {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (positionals.length !== 1 || positionals[0] !== 'check') return undefined;
    if (values['rebuild-state'] || values.help || values.version) return undefined;
    return { configPath: values.config ?? DEFAULT_CONFIG, json: values.json ?? false };
  } catch {
    return undefined;
  }
}

void start(process.argv.slice(2));
