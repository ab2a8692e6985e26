import { configHere } from '../common/config-here.js';
import { checkAnswer } from './check-answer.js';

/**
 * `tune check` when nothing changed, answered before the command-line parser and its commands are
 * loaded: most nightly checks end here, and loading them costs more than the test itself. Only the
 * plain forms (`--config`, `--json`, `--exit-code`, `--quiet`, `--verbose`) are taken; anything else,
 * and any check that is not a no-op, returns false and goes through the parser as usual.
 */
export async function quickCheck(args: readonly string[]): Promise<boolean> {
  let config: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--exit-code' || a === '-q' || a === '--quiet' || a === '--verbose') continue;
    else if ((a === '-c' || a === '--config') && config === undefined && args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) config = args[++i];
    else if (a.startsWith('--config=') && config === undefined) config = a.slice('--config='.length);
    else return false;
  }
  // The parser refuses --quiet with --verbose: it says so, not this.
  if ((args.includes('-q') || args.includes('--quiet')) && args.includes('--verbose')) return false;
  const { quickNoop } = await import('../run/noop.js');
  const r = quickNoop(config ?? configHere() ?? 'tokentune.yaml', process.env);
  // A no-op found here carries no budget (a pending alert sends the check down the full path).
  if (!r) return false;
  process.stdout.write(checkAnswer(r, json));
  return true;
}
