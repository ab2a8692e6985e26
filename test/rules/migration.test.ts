import { describe, expect, it } from 'vitest';
import { migrationRules } from '../../src/rules/migration-rules.js';
import { analyze } from '../../src/rules/analyze.js';
import { applyChanges, placeOf, readTargets, valuesByKey, type Change, type TargetFile } from '../../src/targets/index.js';
import { holdBack } from '../../src/rules/hold.js';
import { contextOf } from '../helpers/context.js';
import { changeOf } from '../helpers/changes.js';
import { changedLines } from '../helpers/diff.js';
import { phase, call } from '../helpers/records.js';

// Every kind of place an Autopack routing file names a model, with a deliberate cheap choice that
// must stay, an alias map whose users follow it, and a key no layout knows.
const MODELS = `complexity_models:
  low:
    builder: claude-sonnet-4-5
    auditor: claude-sonnet-4-5
  high:
    builder: claude-sonnet-4-5
    auditor: claude-sonnet-4-5
    escalation_builder: claude-sonnet-4-5
    escalation_auditor: claude-opus-4-5

llm_routing_policies:
  security_auth_change:
    builder_primary: claude-sonnet-4-5
    auditor_primary: claude-opus-4-5
    secondary_auditor: claude-sonnet-4-5
  docs:
    # kept on the oldest Haiku on purpose: it is cheap and good enough
    builder_primary: claude-3-haiku-20240307
    auditor_primary: haiku
    escalate_to:
      builder: claude-sonnet-4-5
      auditor: sonnet
    final_escalation:
      builder: claude-opus-4-5

category_models:
  docs:
    builder_model_override: claude-sonnet-4-5   # shadowed by the routing policy
  tests:
    builder_model_override: sonnet

fallback_strategy:
  by_category:
    docs:
      fallbacks:
      - claude-sonnet-4-5
  default_fallbacks:
  - claude-haiku-4-5
  - claude-sonnet-4-5

defaults:
  high_risk_builder: gpt-4o

model_aliases:
  sonnet: claude-sonnet-4-5   # the one place the alias is set
  haiku: claude-3-haiku-20240307

escalation_chains:
  builder:
    low:
      models: [claude-3-haiku-20240307, claude-sonnet-4-5, claude-opus-4-5]

dual_audit_judge:
  model: claude-opus-4-5

experimental:
  shadow_model: claude-sonnet-4-5
`;

const files = (text = MODELS): TargetFile[] => [{ path: '/t/models.yaml', display: 'models.yaml', preset: 'autopack-models', text }];
const NOW = new Date('2026-12-05T00:00:00Z');

describe('migrations off retiring models', () => {
  it('moves every value that names a retiring model, in place, and nothing else, with no telemetry at all', () => {
    const targets = readTargets(files());
    const ctx = contextOf([], targets, 'models:\n  ladders:\n    anthropic: [claude-haiku-4-5, claude-sonnet-5-5, claude-opus-5-5]\n', { now: NOW });
    const { changes, findings } = migrationRules(ctx);
    const moved = changes.map((c) => `${c.key} ${c.evidence.place}: ${c.from} → ${c.to}`);
    expect(moved).toEqual([
      'complexity_models.low.builder builder: claude-sonnet-4-5 → claude-sonnet-5-5',
      'complexity_models.low.auditor auditor: claude-sonnet-4-5 → claude-sonnet-5-5',
      'complexity_models.high.builder builder: claude-sonnet-4-5 → claude-sonnet-5-5',
      'complexity_models.high.auditor auditor: claude-sonnet-4-5 → claude-sonnet-5-5',
      'complexity_models.high.escalation_builder escalation builder: claude-sonnet-4-5 → claude-sonnet-5-5',
      'complexity_models.high.escalation_auditor escalation auditor: claude-opus-4-5 → claude-opus-5-5',
      'llm_routing_policies.security_auth_change.builder_primary builder: claude-sonnet-4-5 → claude-sonnet-5-5',
      'llm_routing_policies.security_auth_change.auditor_primary auditor: claude-opus-4-5 → claude-opus-5-5',
      'llm_routing_policies.security_auth_change.secondary_auditor secondary auditor: claude-sonnet-4-5 → claude-sonnet-5-5',
      'llm_routing_policies.docs.escalate_to.builder escalation builder: claude-sonnet-4-5 → claude-sonnet-5-5',
      'llm_routing_policies.docs.final_escalation.builder final escalation builder: claude-opus-4-5 → claude-opus-5-5',
      'category_models.docs.builder_model_override builder: claude-sonnet-4-5 → claude-sonnet-5-5',
      'fallback_strategy.by_category.docs.fallbacks[0] fallback 1: claude-sonnet-4-5 → claude-sonnet-5-5',
      'fallback_strategy.default_fallbacks[1] default fallback 2: claude-sonnet-4-5 → claude-sonnet-5-5',
      'model_aliases.sonnet alias sonnet: claude-sonnet-4-5 → claude-sonnet-5-5',
      'escalation_chains.builder.low.models[1] builder escalation chain, step 2: claude-sonnet-4-5 → claude-sonnet-5-5',
      'escalation_chains.builder.low.models[2] builder escalation chain, step 3: claude-opus-4-5 → claude-opus-5-5',
      'dual_audit_judge.model dual-audit judge (tie-breaker): claude-opus-4-5 → claude-opus-5-5',
    ]);
    // The key no layout knows is listed with its path and why it was left.
    expect(findings.map((f) => f.message)).toContain(
      'models.yaml: experimental.shadow_model names claude-sonnet-4-5, which retired on 2026-11-30; left as it is: the autopack-models layout does not know this key. Change it to claude-sonnet-5-5 by hand.',
    );
    expect(changes.every((c) => c.evidence.migration === 'retirement' && c.effect.tokens_per_run === 0)).toBe(true);
    // The alias is edited once; its users follow it.
    expect(
      placeOf(
        changes.find((c) => c.key === 'model_aliases.sonnet')!,
        targets,
      ),
    ).toBe('models.yaml: model_aliases.sonnet (used by 2 keys, which follow it)');

    const [after] = applyChanges(changes, targets);
    const lines = changedLines(MODELS, after!.after);
    expect(lines.filter((l) => l.startsWith('-'))).toHaveLength(17);
    expect(lines).toContain('+  sonnet: claude-sonnet-5-5   # the one place the alias is set');
    expect(lines).toContain('+      models: [claude-3-haiku-20240307, claude-sonnet-5-5, claude-opus-5-5]');
    // Nothing names another model than before: the deliberate Haiku 3 and the alias users are as they were.
    expect(after!.after).toContain('    builder_primary: claude-3-haiku-20240307');
    expect(after!.after).toContain('      auditor: sonnet\n');
    expect(after!.after).toContain('    builder_model_override: sonnet\n');
    expect(after!.after.match(/claude-sonnet-4-5/g)).toEqual(['claude-sonnet-4-5']);
    expect(after!.after).toContain('  shadow_model: claude-sonnet-4-5');

    // Merged, each migration is found applied at its own key.
    const values = valuesByKey(readTargets(files(after!.after)));
    for (const c of changes) expect(values.get(`model:${c.category ?? '*'}:${c.complexity ?? '*'}:${c.role ?? '*'}:${c.key}`)).toBe(c.to);
    expect(migrationRules(contextOf([], readTargets(files(after!.after)), '', { now: NOW })).changes).toEqual([]);
  });

  it('prices a migration on the work that runs under its entry, and lets no other model change take that entry', () => {
    const text = `complexity_models:\n  medium:\n    builder: claude-sonnet-4-5\n    auditor: claude-sonnet-5-5\nllm_routing_policies:\n  docs:\n    builder_primary: claude-sonnet-4-5\n`;
    const records = [];
    for (let i = 0; i < 40; i++) {
      const ts = Date.parse('2026-11-10T00:00:00Z') + i * 3_600_000;
      for (const category of ['docs', 'tests', 'tests', 'tests']) {
        records.push(phase({ ts, run_id: `r${i}`, category, complexity: 'medium', builder_model: 'claude-sonnet-4-5', tokens_used: 10_000 }));
        records.push(call({ ts, run_id: `r${i}`, role: 'builder', model: 'claude-sonnet-4-5', input_tokens: 8000, output_tokens: 2000 }));
      }
    }
    const ctx = contextOf(records, readTargets(files(text)), '', { now: NOW });
    const a = analyze(ctx);
    const migrations = a.changes.filter((c) => c.evidence.migration);
    expect(migrations.map((c) => [c.key, c.evidence.phases])).toEqual([
      ['complexity_models.medium.builder', 120],
      ['llm_routing_policies.docs.builder_primary', 40],
    ]);
    // Builder calls on claude-sonnet-4-5: 40 000 tokens a run, three quarters under the default; the
    // successor is cheaper per token, so each move saves.
    const [dflt, docs] = migrations;
    expect(dflt!.evidence.tokens_per_run).toBe(30_000);
    expect(docs!.evidence.tokens_per_run).toBe(10_000);
    expect(dflt!.effect.usd_per_run).toBeLessThan(0);
    expect(dflt!.effect.usd_per_run / docs!.effect.usd_per_run).toBeCloseTo(3, 6);
    expect(a.changes.filter((c) => c.kind === 'model' && !c.evidence.migration && c.category === 'docs')).toEqual([]);
  });
});

describe('changes that lower risk never wait', () => {
  const change = (o: Partial<Change>): Change => changeOf({ kind: 'model', category: 'docs', to: 'x', direction: 'up', ...o });
  it('proposes a raise against truncation beside a pilot of a stronger model; a cut still waits for the new model', () => {
    const targets = readTargets([
      { path: '/t/models.yaml', display: 'models.yaml', preset: 'seed-models', text: 'LOW:\n  default: claude-sonnet-5-5\n  docs: claude-sonnet-5-5\n' },
      { path: '/t/strategy.yaml', display: 'strategy.yaml', preset: 'seed-strategy', text: 'category_defaults:\n  docs:\n    incident_token_cap: 400000\n' },
    ]);
    const ctx = contextOf([], targets, '', { now: NOW });
    const pilot = change({ complexity: 'low', role: 'builder', from: 'claude-sonnet-5-5', to: 'claude-opus-5-5', pilot: true });
    const raise = change({ kind: 'token_cap', from: 400_000, to: 500_000, direction: 'up' });
    const cut = change({ kind: 'token_cap', from: 400_000, to: 300_000, direction: 'down' });
    expect(holdBack(ctx, [pilot, raise], []).changes).toEqual([pilot, raise]);
    const held = holdBack(ctx, [pilot, cut], []);
    expect(held.changes).toEqual([pilot]);
    expect(held.findings[0]!.message).toMatch(/docs: cap 400,000 → 300,000 held back: this proposal changes the category's model/);
  });
});
