import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changedLines } from '../helpers/diff.js';
import { changeOf } from '../helpers/changes.js';
import { applyChanges, placeOf, readTargets, type Change, type TargetFile } from '../../src/targets/index.js';
import { holdBack } from '../../src/rules/index.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { contextOf } from '../helpers/context.js';

const MODELS = `# routing
complexity_models:
  low:
    builder: haiku
    auditor: sonnet
  medium:
    builder: sonnet   # most categories
    auditor: sonnet
  high:
    builder: opus
    auditor: opus

llm_routing_policies:
  docs:
    strategy: cheap_first
    builder_primary: sonnet
    description: Docs
  security_auth_change:
    builder_primary: opus
    auditor_primary: opus

category_models:
  docs:
    builder_model_override: claude-opus-5-5   # shadowed by the policy
  tests:
    builder_model_override: claude-sonnet-5-5

model_aliases:
  haiku: claude-haiku-4-5
  sonnet: claude-sonnet-5-5
  opus: claude-opus-5-5
`;

const RULESET = `{
  "project_id": "X",
  "category_defaults": {
    "docs": {
      "complexity": "low",
      "ci_profile": "normal",
      "incident_token_cap": 200000
    },
    "feature_scaffolding": {
      "complexity": "medium",
      "ci_profile": "strict",
      "incident_token_cap": 500000
    }
  },
  "high_risk_categories": ["security_auth_change"],
  "run_token_cap": 5000000
}
`;

const files = (models = MODELS, ruleset = RULESET): TargetFile[] => [
  { path: '/t/models.yaml', display: 'models.yaml', preset: 'autopack-models', text: models },
  { path: '/t/ruleset.json', display: 'ruleset.json', preset: 'autopack-ruleset', text: ruleset },
];

const change = (o: Partial<Change>): Change => changeOf({ kind: 'model', role: 'builder', to: 'x', ...o });

describe('the Autopack layout', () => {
  it('finds each model where Autopack looks: routing policy, then category override, then complexity', () => {
    const t = readTargets(files());
    expect(t.model('docs', 'low', 'builder')).toMatchObject({ explicit: true, path: ['llm_routing_policies', 'docs', 'builder_primary'], current: { value: 'claude-sonnet-5-5', raw: 'sonnet' } });
    // A policy without an auditor: the override is next, and docs has none for its auditor: the complexity's.
    expect(t.model('docs', 'low', 'auditor')).toMatchObject({
      explicit: false,
      path: ['category_models', 'docs', 'auditor_model_override'],
      current: { value: 'claude-sonnet-5-5', path: ['complexity_models', 'low', 'auditor'] },
    });
    expect(t.model('tests', 'high', 'builder')).toMatchObject({ explicit: true, path: ['category_models', 'tests', 'builder_model_override'], current: { value: 'claude-sonnet-5-5' } });
    expect(t.model('feature_scaffolding', 'medium', 'builder')).toMatchObject({ explicit: false, current: { value: 'claude-sonnet-5-5', path: ['complexity_models', 'medium', 'builder'] } });
    expect(t.categories).toEqual(['docs', 'feature_scaffolding', 'security_auth_change', 'tests']);
    expect(t.protectedCategories).toEqual(['security_auth_change']);
    expect(t.caps['docs']).toMatchObject({ value: 200000, path: ['category_defaults', 'docs', 'incident_token_cap'] });
    expect(t.ci['feature_scaffolding']?.value).toBe('strict');
    expect(t.budgets.core_build_tokens?.value).toBe(5000000);
    expect(t.knownModels).toEqual(['claude-haiku-4-5', 'claude-opus-5-5', 'claude-sonnet-5-5']);
  });

  it('writes each change where its value governs, aliases kept, JSON as one-line diffs, and reads back', () => {
    const t = readTargets(files());
    const changes = [
      change({ category: 'docs', complexity: 'low', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5' }),
      change({ category: 'feature_scaffolding', complexity: 'medium', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5' }),
      change({ kind: 'token_cap', category: 'docs', role: null, from: 200000, to: 120000 }),
      change({ kind: 'ci_profile', category: 'feature_scaffolding', role: null, from: 'strict', to: 'normal' }),
      change({ kind: 'run_budget', key: 'core_build_tokens', role: null, from: 5000000, to: 3500000 }),
    ];
    const [models, ruleset] = applyChanges(changes, t);
    expect(changedLines(MODELS, models!.after)).toEqual(['-    builder_primary: sonnet', '+    builder_primary: haiku', '+  feature_scaffolding:', '+    builder_model_override: haiku']);
    // The new override goes right below the last category's entries, before the blank line.
    expect(models!.after).toContain('    builder_model_override: claude-sonnet-5-5\n  feature_scaffolding:\n    builder_model_override: haiku\n\nmodel_aliases:');
    expect(changedLines(RULESET, ruleset!.after)).toEqual([
      '-      "incident_token_cap": 200000',
      '+      "incident_token_cap": 120000',
      '-      "ci_profile": "strict",',
      '+      "ci_profile": "normal",',
      '-  "run_token_cap": 5000000',
      '+  "run_token_cap": 3500000',
    ]);
    const again = readTargets(files(models!.after, ruleset!.after));
    expect(again.model('docs', 'low', 'builder')?.current?.value).toBe('claude-haiku-4-5');
    expect(again.model('feature_scaffolding', 'high', 'builder')).toMatchObject({ explicit: true, current: { value: 'claude-haiku-4-5' } });
    expect([again.caps['docs']?.value, again.ci['feature_scaffolding']?.value, again.budgets.core_build_tokens?.value]).toEqual([120000, 'normal', 3500000]);
  });

  it('says where a change goes: a new override names what it inherited; a default names its heirs', () => {
    const t = readTargets(files());
    expect(placeOf(change({ category: 'feature_scaffolding', complexity: 'medium', to: 'y' }), t)).toBe(
      'models.yaml: category_models.feature_scaffolding.builder_model_override (new: feature_scaffolding inherited complexity_models.medium.builder)',
    );
    expect(placeOf(change({ category: 'default', complexity: 'medium', to: 'y' }), t)).toBe('models.yaml: complexity_models.medium.builder, the default of feature_scaffolding');
  });

  it('never downgrades a high-risk category, and holds changes of one entry that disagree', () => {
    const ctx = contextOf([], readTargets(files()));
    const down = change({ category: 'security_auth_change', complexity: 'high', from: 'claude-opus-5-5', to: 'claude-sonnet-5-5' });
    const up = change({ category: 'security_auth_change', complexity: 'high', direction: 'up', from: 'claude-sonnet-5-5', to: 'claude-opus-5-5' });
    const low = change({ category: 'tests', complexity: 'low', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5' });
    const high = change({ category: 'tests', complexity: 'high', direction: 'up', from: 'claude-sonnet-5-5', to: 'claude-opus-5-5' });
    const same = [change({ category: 'docs', complexity: 'low', to: 'claude-haiku-4-5' }), change({ category: 'docs', complexity: 'medium', to: 'claude-haiku-4-5' })];
    const r = holdBack(ctx, [down, up, low, high, ...same], []);
    expect(r.changes).toEqual([up, ...same]);
    expect(r.findings.map((f) => f.message)).toEqual([
      'security_auth_change (high) model: claude-opus-5-5 → claude-sonnet-5-5 held back: security_auth_change is a high-risk category in the targets, and its model is never downgraded',
      'tests builder: one entry sets its model at every complexity, and its complexities disagree (low: claude-haiku-4-5, high: claude-opus-5-5); kept',
    ]);
    // Changes that agree are one edit.
    expect(changedLines(MODELS, applyChanges(same, readTargets(files()))[0]!.after)).toEqual(['-    builder_primary: sonnet', '+    builder_primary: haiku']);
  });

  it('runs the bundled Autopack example end to end, touching only the governing lines', async () => {
    const dir = await tempDir('tokentune-ap-example-');
    const r = await tune(['--dry-run', '--json', '--config', join(ROOT, 'config/autopack.example.yaml')], { XDG_STATE_HOME: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { changes: Change[]; diffs: Record<string, string>; findings: { message: string }[] };
    expect(out.changes.length).toBeGreaterThan(2);
    const lines = Object.values(out.diffs).flatMap((d) => d.split('\n').filter((l) => /^[+-][^+-]/.test(l)));
    // Every removed line is a governing value, every added one its replacement or a new override.
    for (const l of lines.filter((x) => x.startsWith('-'))) expect(l).toMatch(/builder_primary|auditor_primary|_model_override|incident_token_cap|ci_profile|run_token_cap|builder:|auditor:/);
    // The high-risk category keeps its model.
    expect(out.changes.some((c) => c.kind === 'model' && c.category === 'security_auth_change' && c.direction === 'down')).toBe(false);
    expect(out.findings.map((f) => f.message).join('\n')).toContain('security_auth_change is a high-risk category in the targets');
    // The files as edited read back.
    const texts = await Promise.all(['models.yaml', 'project_ruleset_Example.json'].map((f) => readFile(join(ROOT, 'config/autopack-target/config', f), 'utf8')));
    expect(() => readTargets(files(texts[0], texts[1]))).not.toThrow();
  });
});
