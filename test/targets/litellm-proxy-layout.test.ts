import { describe, expect, it } from 'vitest';
import { migrationRules } from '../../src/rules/migration-rules.js';
import { modelRules } from '../../src/rules/model-rules.js';
import { phases } from '../helpers/records.js';
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

const GATEWAY = `model_list:
  - model_name: fast
    litellm_params: { model: anthropic/claude-haiku-4-5 }
  - model_name: strong
    litellm_params: { model: anthropic/claude-sonnet-5-5 }
  - model_name: strong            # a second deployment of the group
    litellm_params: { model: bedrock/anthropic/claude-sonnet-5-5 }
router_settings:
  model_group_alias:
    docs: strong        # the docs agents ask for "docs"
    review: { model: strong, hidden: true }
    triage: fast
`;

describe('categories served through model group aliases', () => {
  const t = readTargets([{ path: '/g/config.yaml', display: 'config.yaml', preset: 'litellm-proxy', text: GATEWAY }]);
  // Reliable, few retries, far below the cap: the downgrade test passes for both categories.
  const evidence = [...phases('docs', 100, { success: 97, tokens: [40_000] }), ...phases('review', 100, { success: 97, tokens: [40_000] })];

  it('reads each alias as its category, resolved through the group to the provider model', () => {
    expect(t.categories).toEqual(['docs', 'review', 'triage']);
    expect(t.model('docs', 'low', 'builder')?.current).toMatchObject({ value: 'claude-sonnet-5-5', raw: 'strong', path: ['router_settings', 'model_group_alias', 'docs'] });
    expect(t.model('review', 'high', 'builder')?.current).toMatchObject({ value: 'claude-sonnet-5-5', raw: 'strong', path: ['router_settings', 'model_group_alias', 'review', 'model'] });
  });

  it("moves a category to the group that serves the next rung, on the rules' evidence, comments and form kept", () => {
    const r = modelRules(contextOf(evidence, t));
    expect(r.changes.map((c) => [c.category, c.from, c.to])).toEqual([
      ['docs', 'claude-sonnet-5-5', 'claude-haiku-4-5'],
      ['review', 'claude-sonnet-5-5', 'claude-haiku-4-5'],
    ]);
    const [file] = applyChanges(r.changes, t);
    expect(file!.diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      '-    docs: strong        # the docs agents ask for "docs"',
      '-    review: { model: strong, hidden: true }',
      '+    docs: fast        # the docs agents ask for "docs"',
      '+    review: { model: fast, hidden: true }',
    ]);
  });

  it('writes nothing where no group serves the next rung, and says what to add', () => {
    const noFast = readTargets([{ path: '/g/config.yaml', display: 'config.yaml', preset: 'litellm-proxy', text: GATEWAY.replace('anthropic/claude-haiku-4-5', 'openai/gpt-5-mini') }]);
    const r = modelRules(contextOf(evidence, noFast));
    expect(r.changes).toEqual([]);
    expect(r.findings.map((f) => f.message)).toContain(
      'docs (low): claude-haiku-4-5 is the next rung from claude-sonnet-5-5, but no model group of config.yaml serves it: add one to its model_list, and the move can follow',
    );
  });
});
