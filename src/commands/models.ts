import { termText } from '../common/index.js';
import { EXIT, reportError } from './common.js';

/** `tune models update`: refreshes prices and retirement dates from LiteLLM's table into the state. */
export async function runModelsUpdateCommand(o: { config: string; url?: string }): Promise<number> {
  let r;
  try {
    const { runModelsUpdate } = await import('../run/models.js');
    r = await runModelsUpdate({ configPath: o.config, url: o.url, env: process.env });
  } catch (e) {
    // A table that cannot be fetched or read leaves the kept one as it was: a failure, not a bug.
    if ((e as Error | undefined)?.name === 'ModelsUpdateError') {
      process.stderr.write(`tune: ${termText((e as Error).message)}\n`);
      return EXIT.failed;
    }
    return reportError(e);
  }
  process.stdout.write(`model table: ${r.models} models, ${r.retirements} retirements from ${termText(r.source)}, fetched ${r.fetched_at}\n`);
  if (r.unmatched.length) process.stdout.write(`no successor found for ${r.unmatched.map(termText).join(', ')}: name one under models.retirements\n`);
  return EXIT.ok;
}
