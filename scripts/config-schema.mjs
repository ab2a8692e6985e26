#!/usr/bin/env node
// Writes schema/tokentune.schema.json from the built config schema (npm run build runs it): the JSON
// Schema editors use to complete and check tokentune.yaml. test/config/json-schema.test.ts keeps
// the committed file in step with the zod schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configJsonSchema } from '../dist/config/json-schema.js';

const out = join(resolve(import.meta.dirname, '..'), 'schema');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'tokentune.schema.json'), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
