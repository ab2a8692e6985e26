import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { quickCheck } from '../drift/quick-check.js';
import { startEarlyRead, type EarlyRead } from '../telemetry/early-read.js';
import { checkOutput } from './check-output.js';
import { finish } from './finish.js';
import { DEFAULT_CONFIG, OPTIONS } from './options.js';

/**
 * Start-up file of the `tune` launcher (bin/tune). The nightly `tune check` usually finds nothing new,
 * and then this file is all that runs: it is built into one CommonJS file (dist/cli/fast.cjs), which
 * Node loads without starting its ES module loader, and it imports only the no-op check. Whatever the
 * no-op check cannot settle — and any error, which the full path meets again and reports properly —
 * goes on to `tune check` proper (check.cjs, from its code cache); every other command goes to the
 * commands (run.js, bundled).
 */
async function start(argv: string[]): Promise<void> {
  const check = checkCandidate(argv);
  if (check) {
    const now = new Date();
    let early: EarlyRead | undefined;
    try {
      const r = await quickCheck(check.configPath, process.env, now);
      if (r.report) {
        process.stdout.write(checkOutput(r.report, check.json));
        return;
      }
      // Appended bytes: a worker parses them while the check, the config and the state load.
      if (r.early) early = await startEarlyRead(r.early, join(__dirname, 'early-worker.cjs'));
    } catch {
      // runCheckCommand below meets it again and reports it
    }
    // `tune check` itself, compiled from the code cache the build made (code-cache.ts): this path
    // runs on every cron tick that finds new bytes, and compiling its ~640 KB of code would take CPU
    // the early read's worker parses with (~60 ms, measured when it was 1.2 MB).
    const { loadCached } = await import('./code-cache.js');
    const { runCheckCommand } = loadCached(join(__dirname, '../bundle/check.cjs')).exports as typeof import('./check.js');
    finish(runCheckCommand({ ...check, rebuildState: false, now, early, quickChecked: true }).finally(() => early?.cancel()));
    return;
  }
  // The commands as built into dist/bundle (scripts/build-launcher.mjs): a path, not a module name,
  // so that esbuild leaves the import to run time.
  const commands = '../bundle/run.js';
  const { main } = (await import(commands)) as typeof import('./run.js');
  finish(main(argv));
}

/** `tune check` with no option that needs the full path (`--rebuild-state`, `--help`, …). */
function checkCandidate(argv: string[]): { configPath: string; json: boolean; exitCode: boolean } | undefined {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (positionals.length !== 1 || positionals[0] !== 'check') return undefined;
    if (values['rebuild-state'] || values.help || values.version) return undefined;
    return { configPath: values.config ?? DEFAULT_CONFIG, json: values.json ?? false, exitCode: values['exit-code'] ?? false };
  } catch {
    return undefined;
  }
}

void start(process.argv.slice(2));
