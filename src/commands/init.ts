import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plural, termText } from '../common/index.js';
import { EXIT, reportError } from './common.js';

/** The JSON Schema the package ships, which the written config names for editors. */
const SCHEMA = fileURLToPath(new URL('../../schema/tokentune.schema.json', import.meta.url));

/** `tune init`: writes a commented tokentune.yaml for what the repository holds, and says what next. */
export async function runInitCommand(o: { dir: string }): Promise<number> {
  let r;
  try {
    const { initConfig } = await import('../run/index.js');
    r = initConfig(resolve(o.dir), process.env, SCHEMA);
  } catch (e) {
    return reportError(e);
  }
  const f = r.found;
  const active = f.sources.filter((s) => !s.guessed);
  process.stdout.write(
    [
      `wrote ${termText(r.file)}: ${plural(active.length, 'source')} and ${plural(f.targets.length, 'target')} found${f.sources.length > active.length ? `, ${f.sources.length - active.length} more as comments` : ''} (its comments say what was found and what was guessed)`,
      ...f.sources.map((s) => `  source ${s.path ?? '(default location)'} as ${s.format}${s.guessed ? ' (guessed, commented out)' : ''}`),
      ...f.targets.map((t) => `  target ${t.path} as ${t.preset}`),
      '',
      'Next:',
      '  npx tokentune --dry-run   # the report and the diffs it would propose; nothing is written',
      '  npx tokentune check       # the drift check, nightly from cron: $0 when nothing changed',
      '  npx tokentune             # the weekly proposal: a branch and PR (ANTHROPIC_API_KEY, GITHUB_TOKEN)',
      '',
    ].join('\n'),
  );
  if (!active.length || !f.targets.length) process.stderr.write(`tune: ${!active.length ? 'no telemetry' : 'no config file to tune'} found here: fill in the placeholder in ${termText(r.file)}\n`);
  return EXIT.ok;
}
