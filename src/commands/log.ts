import { resolve } from 'node:path';
import { runLog } from '../run/log.js';

/**
 * `tune log [--dir token-usage]`: one telemetry request of the usage-tracker spec on stdin, its answer
 * as JSON on stdout, exit 0 whatever happened (the answer's status says it): the build-lead's task
 * never waits on or fails because of its accounting.
 */
export async function runLogCommand(args: readonly string[], stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<number> {
  const at = args.indexOf('--dir');
  const dir = resolve(at !== -1 && args[at + 1] ? args[at + 1]! : 'token-usage');
  let input = '';
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    input = Buffer.concat(chunks).toString('utf8');
  }
  const answer = runLog(input, { dir, now: new Date() });
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  return 0;
}
