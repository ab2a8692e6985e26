import { describe, expect, it } from 'vitest';
import { migrationRules } from '../../src/rules/migration-rules.js';
import { applyChanges } from '../../src/targets/apply.js';
import { readTargets } from '../../src/targets/read.js';
import { contextOf } from '../helpers/context.js';

const CONFIG = `model_list:
  - model_name: fast            # what the agents ask for
    litellm_params:
      model: anthropic/claude-haiku-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
  - model_name: strong
    litellm_params:
      model: anthropic/claude-sonnet-4-5-20250929   # the build lead's model
      api_key: os.environ/ANTHROPIC_API_KEY
router_settings:
  model_group_alias: { backend: strong }
  fallbacks: [{ strong: [fast] }]
`;

describe('the litellm-proxy layout', () => {
  it('migrates a retiring provider model in model_list, prefix and comment kept, and nothing else', () => {
    const t = readTargets([{ path: '/g/config.yaml', display: 'config.yaml', preset: 'litellm-proxy', text: CONFIG }]);
    const r = migrationRules(contextOf([], t, '', { now: new Date('2026-11-26T00:00:00Z') }));
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]).toMatchObject({
      key: 'model_list[1].litellm_params.model',
      from: 'anthropic/claude-sonnet-4-5-20250929',
      to: 'claude-sonnet-5-5',
      evidence: { place: 'model_list entry 2', retires: '2026-11-30' },
    });
    const [file] = applyChanges(r.changes, t);
    expect(file!.diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      "-      model: anthropic/claude-sonnet-4-5-20250929   # the build lead's model",
      "+      model: anthropic/claude-sonnet-5-5   # the build lead's model",
    ]);
  });
});
