import * as z from 'zod';
import { TunerConfig } from './schema.js';

/**
 * The JSON Schema of the tuner config, from the zod schema the config is checked with: what editors
 * read (yaml-language-server) to complete and check keys. As written by a user: defaults are
 * optional. Written to schema/tokentune.schema.json at build time.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TunerConfig, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
  return {
    ...schema,
    $id: 'https://tokentune.dev/schema/tokentune.schema.json',
    title: 'tokentune config (tokentune.yaml)',
    description: 'Where tokentune reads usage telemetry, which config files it tunes, and the boundaries of its rules. Every key and its default: docs/CONFIG.md.',
  };
}
