import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { ROOT } from '../helpers/cli.js';

const SCHEMA = join(ROOT, 'schema/tokentune.schema.json');
const MARK = /^# yaml-language-server: \$schema=(\S+)$/m;

describe('the JSON Schema of the config', () => {
  it('is the one the zod schema gives (npm run build writes it)', async () => {
    expect(JSON.parse(await readFile(SCHEMA, 'utf8'))).toEqual(configJsonSchema());
  });

  it('is what the examples name for editors, accepts them, and refuses a misspelt key', async () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(await readFile(SCHEMA, 'utf8')));
    const examples = (await readdir(join(ROOT, 'config'))).filter((f) => f.endsWith('.example.yaml'));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const f of examples) {
      const text = await readFile(join(ROOT, 'config', f), 'utf8');
      const named = MARK.exec(text)?.[1];
      expect(named, f).toBeDefined();
      expect(resolve(dirname(join(ROOT, 'config', f)), named!), f).toBe(SCHEMA);
      expect(validate(parse(text)), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ sources: [{ path: 'x' }], rules: { min_phase: 10 } })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/rules', keyword: 'additionalProperties', params: { additionalProperty: 'min_phase' } });
    expect(validate({ sources: [{ path: 'x', format: 'csv' }] })).toBe(false);
  });
});
