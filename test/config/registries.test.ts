import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../src/sources/index.js';
import { LAYOUT_NAMES } from '../../src/targets/index.js';
import { ROOT } from '../helpers/cli.js';

const read = (file: string) => readFile(join(ROOT, file), 'utf8');

/** A format or layout added to its registry and forgotten anywhere a user looks for it fails here. */
describe('the registries reach the schema, the docs and init', () => {
  it('names every source format in the JSON Schema, the README, CONFIG.md and its own TELEMETRY.md section', async () => {
    const schema = JSON.parse(await read('schema/tokentune.schema.json')) as unknown;
    const text = JSON.stringify(schema);
    const [readme, config, telemetry] = await Promise.all([read('README.md'), read('docs/CONFIG.md'), read('docs/TELEMETRY.md')]);
    for (const { format } of SOURCES) {
      expect(text, format).toContain(`"${format}"`);
      expect(readme.includes(`\`${format}\``) || readme.includes(`\`format: ${format}\``), format).toBe(true);
      expect(config, format).toContain(format);
      expect(telemetry, format).toContain(`(\`format: ${format}\`)`);
    }
  });

  it('names every target layout in the JSON Schema, the README and CONFIG.md', async () => {
    const text = await read('schema/tokentune.schema.json');
    const [readme, config] = await Promise.all([read('README.md'), read('docs/CONFIG.md')]);
    // autopack-models and autopack-ruleset are written as one preset, autopack, chosen by the file's name.
    for (const name of LAYOUT_NAMES.map((n) => (n.startsWith('autopack-') ? 'autopack' : n))) {
      expect(text, name).toContain(`"${name}"`);
      expect(readme, name).toContain(`\`${name}\``);
      expect(config, name).toContain(name);
    }
  });

  it('lets tune init recognise every database format by the tables it declares', async () => {
    const { discover } = await import('../../src/run/init.js');
    const found = discover(join(ROOT, 'fixtures'), {}).sources.map((s) => s.format);
    expect(found).toEqual(expect.arrayContaining(['autopack-db', 'myco-db', 'tokentune-jsonl']));
    for (const a of SOURCES) if (a.shape === 'cursor') expect(a.tables.length, a.format).toBeGreaterThan(0);
  });
});
