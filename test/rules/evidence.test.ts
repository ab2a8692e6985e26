import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/rules/analyze.js';
import { budgetRules } from '../../src/rules/budget-rules.js';
import { capRules } from '../../src/rules/cap-rules.js';
import { limitMove } from '../../src/rules/helpers.js';
import { modelRules } from '../../src/rules/model-rules.js';
import { migrationRules } from '../../src/rules/migration-rules.js';
import { chanceFellBy } from '../../src/stats/bounds.js';
import { guard } from '../../src/llm/guardrails.js';
import { call, phase, phases, T0 } from '../helpers/records.js';
import { appliedAt, changeOf } from '../helpers/changes.js';
import { contextOf, MODELS_YAML, strategyYaml, targetsOf } from '../helpers/context.js';
import type { TrackedChange } from '../../src/store/index.js';
import type { Change } from '../../src/targets/index.js';

const DAY = 86_400_000;
const OPUS_HIGH = `LOW:\n  default: claude-sonnet-5-5\nMODERATE:\n  default: claude-sonnet-5-5\nHIGH:\n  default: claude-sonnet-5-5\n  refactor: claude-opus-5-5\n`;
const SONNET_HIGH = OPUS_HIGH.replace('refactor: claude-opus-5-5', 'refactor: claude-sonnet-5-5');
const strategy = strategyYaml({ refactor: 1_000_000, easy: 100_000 });

/** 30 reliable high-complexity refactor phases on opus, far under their cap. */
const onOpus = () => phases('refactor', 30, { success: 30, tokens: [300_000], extra: { complexity: 'high', builder_model: 'claude-opus-5-5' } });

const applied = (change: Partial<Change> & Pick<Change, 'kind'>, appliedMs: number, status: TrackedChange['status'] = 'applied'): TrackedChange => appliedAt(changeOf(change), appliedMs, { status });

describe('evidence on the model in force', () => {
  it('downgrades opus → sonnet on opus phases, then waits for sonnet data once that is merged', () => {
    const first = modelRules(contextOf(onOpus(), targetsOf(strategy, OPUS_HIGH)));
    expect(first.changes).toEqual([expect.objectContaining({ category: 'refactor', from: 'claude-opus-5-5', to: 'claude-sonnet-5-5' })]);
    // Merged: the targets say sonnet, but no phase ever ran on it.
    const next = modelRules(contextOf(onOpus(), targetsOf(strategy, SONNET_HIGH)));
    expect(next.changes).toEqual([]);
    expect(next.findings.map((f) => f.message)).toEqual([
      'refactor (high): phases ran on claude-opus-5-5 (30 phases) while the targets configure claude-sonnet-5-5; they are costed at the model that ran and kept as history, not evidence',
      'refactor (high): waiting for data on claude-sonnet-5-5: 0 of 10 phases; model kept',
    ]);
  });

  it('costs phases at the model that ran, not the configured one', () => {
    const local = phases('refactor', 20, { tokens: [100_000], extra: { complexity: 'high', builder_model: 'local-llama-70b' } });
    const ctx = contextOf([...local, ...onOpus()], targetsOf(strategy, OPUS_HIGH));
    const cat = ctx.stats.categories.find((c) => c.category === 'refactor')!;
    // The local model has no price: its 20 phases are unpriced, not billed at opus prices.
    expect(cat.unpriced_phases).toBe(20);
    expect(modelRules(ctx).findings[0]!.message).toContain('phases ran on local-llama-70b (20 phases) while the targets configure claude-opus-5-5');
  });
});

describe('one gate for every change', () => {
  it('refuses an LLM downgrade of two rungs when the rules’ downgrade test fails (P95 at 84% of the cap)', () => {
    const recs = phases('refactor', 30, { success: 30, tokens: [840_000], extra: { complexity: 'high', builder_model: 'claude-opus-5-5' } });
    const ctx = contextOf(recs, targetsOf(strategy, OPUS_HIGH));
    const g = guard(
      {
        summary: '',
        advice: [],
        caveats: [],
        changes: [{ kind: 'model', category: 'refactor', complexity: 'high', role: 'builder', to: 'claude-haiku-4-5', rationale: 'cheaper', confidence: 'high', pilot: false }],
      },
      ctx,
      { max_p95_multiple: 2, max_move: 0.5 },
    );
    expect(g.accepted).toEqual([]);
    expect(g.rejected[0]!.reason).toBe(
      "the rules' downgrade test fails on claude-opus-5-5: success 100% (at least 92%), 0.00 retries per phase (at most 0.09), P95 at 84% of the cap (at most 84%), bounds one-sided at 95% over 30 phases",
    );
  });

  it('clamps an LLM downgrade that passes the test to one rung', () => {
    const ctx = contextOf(onOpus(), targetsOf(strategy, OPUS_HIGH));
    const g = guard(
      {
        summary: '',
        advice: [],
        caveats: [],
        changes: [{ kind: 'model', category: 'refactor', complexity: 'high', role: 'builder', to: 'claude-haiku-4-5', rationale: 'cheaper', confidence: 'high', pilot: false }],
      },
      ctx,
      { max_p95_multiple: 2, max_move: 0.5 },
    );
    expect(g.accepted[0]).toMatchObject({ from: 'claude-opus-5-5', to: 'claude-sonnet-5-5' });
    expect(g.accepted[0]!.rationale).toContain('clamped to one rung: claude-haiku-4-5 → claude-sonnet-5-5');
  });

  it('moves rule-made caps and budgets at most max_move per proposal, and says how many steps remain', () => {
    expect(limitMove(800_000, 130_000, 0.5)).toEqual({ value: 400_000, steps: 3 });
    expect(limitMove(100_000, 400_000, 0.5)).toEqual({ value: 150_000, steps: 4 });
    expect(limitMove(100_000, 140_000, 0.5)).toEqual({ value: 140_000, steps: 1 });
    const targets = targetsOf(strategyYaml({ a: 1_000_000 }, {}, { core: 5_000_000, aux: 800_000 }));
    const runs = Array.from({ length: 10 }, (_, i) => [
      phase({ category: 'a', run_id: `r${i}`, ts: T0 - i * DAY, tokens_used: 4_000_000 }),
      call({ model: 'claude-haiku-4-5', role: 'planner', run_id: `r${i}`, ts: T0 - i * DAY, input_tokens: 100_000, output_tokens: 10_000 }),
    ]).flat();
    const aux = budgetRules(contextOf(runs, targets), []).changes.find((c) => c.key === 'aux_agent_tokens')!;
    expect(aux).toMatchObject({ from: 800_000, to: 400_000, evidence: expect.objectContaining({ derived_budget: 130_000, steps_to_derived: 3 }) });
    expect(aux.rationale).toContain('Step 1 of about 3 towards 130,000');
  });

  it('lists categories configured nowhere and never adds a key for them', () => {
    const recs = phases('mystery', 40, { success: 40, tokens: [10_000] });
    const a = analyze(contextOf(recs, targetsOf(strategy, MODELS_YAML)));
    expect(a.changes.filter((c) => c.category === 'mystery')).toEqual([]);
    expect(a.findings.map((f) => f.message)).toContain('mystery: seen in telemetry (40 phases), configured nowhere; no key is added for it');
  });

  it('does not propose a cap change beside a model change for the same category', () => {
    const recs = phases('easy', 40, { success: 40, tokens: [30_000] });
    const a = analyze(contextOf(recs, targetsOf(strategy, MODELS_YAML)));
    expect(a.changes.map((c) => `${c.kind}:${c.category}`)).toEqual(['model:easy']);
    expect(a.findings.map((f) => f.message)).toContain("easy: cap 100,000 → 50,000 held back: this proposal changes the category's model, and the cap follows once the new model has data");
  });
});

describe('stable under its own changes', () => {
  it('counts truncations only under the cap in force', () => {
    // 20 phases truncated at the old 100 000 cap, then 20 under the raised 200 000 cap that fit.
    const old = phases('easy', 20, { tokens: [100_000], extra: { truncated: true, incident_token_cap: 100_000, ts: T0 - 20 * DAY } });
    const now = phases('easy', 20, { tokens: [150_000], extra: { incident_token_cap: 200_000 } });
    const r = capRules(contextOf([...old, ...now], targetsOf(strategyYaml({ easy: 200_000 }), MODELS_YAML)));
    expect(r.changes).toEqual([]);
    expect(r.findings[0]!.message).toMatch(/^easy: P95 at 75% of 200,000/);
  });

  it('holds a move against the key’s last move within the cool-down', () => {
    // P95 at 98% of the cap: the rules raise it, against the cut of ten days ago.
    const recs = phases('easy', 40, { success: 30, tokens: [98_000], extra: { complexity: 'medium' } });
    const targets = targetsOf(strategyYaml({ easy: 100_000 }), MODELS_YAML);
    const history = { applied: [applied({ kind: 'token_cap', category: 'easy', from: 150_000, to: 100_000, direction: 'down' }, T0 - 10 * DAY)], since: new Map() };
    const ctx = (now: number) => contextOf(recs, targets, '', { history, now: new Date(now) });
    const a = analyze(ctx(T0));
    expect(a.changes.filter((c) => c.kind === 'token_cap')).toEqual([]);
    expect(a.findings.map((f) => f.message).join('\n')).toMatch(
      /easy cap: 100,000 → [\d,]+ held back: it moved down to 100,000 on 2026-10-22, and no move up comes before 2026-11-19 unless that change's outcome turns worse/,
    );
    // After the cool-down the raise is proposed.
    expect(analyze(ctx(T0 + 30 * DAY)).changes.filter((c) => c.kind === 'token_cap')).toHaveLength(1);
  });

  it('keeps room it gave against truncation: a raised cap is not cut again, cool-down or not', () => {
    const recs = phases('easy', 40, { success: 30, tokens: [30_000], extra: { complexity: 'medium' } });
    const targets = targetsOf(strategyYaml({ easy: 100_000 }), MODELS_YAML);
    const history = { applied: [applied({ kind: 'token_cap', category: 'easy', from: 50_000, to: 100_000, direction: 'up' }, T0 - 10 * DAY)], since: new Map() };
    for (const now of [T0, T0 + 60 * DAY]) {
      const a = analyze(contextOf(recs, targets, '', { history, now: new Date(now) }));
      expect(a.changes.filter((c) => c.kind === 'token_cap')).toEqual([]);
      expect(a.findings.map((f) => f.message)).toContain(
        'easy cap: 100,000 → 50,000 held back: it was raised to 100,000 on 2026-10-22 against work cut off at the limit, and that room is kept; lower it by hand if the work no longer needs it',
      );
    }
  });
});

describe('closed loop', () => {
  const downgraded = (success: number, n: number) => {
    const before = applied(
      {
        kind: 'model',
        category: 'easy',
        complexity: 'low',
        role: 'builder',
        from: 'claude-sonnet-5-5',
        to: 'claude-haiku-4-5',
        direction: 'down',
        evidence: { phases: 60, success_rate: 0.95, retries_per_phase: 0.1, mean_tokens: 30_000 },
        effect: { tokens_per_run: 0, usd_per_run: -0.5 },
      },
      T0 - 15 * DAY,
    );
    const recs = phases('easy', n, { success: Math.round(success * n), tokens: [30_000], extra: { builder_model: 'claude-haiku-4-5' } });
    const models = `LOW:\n  default: claude-sonnet-5-5\n  easy: claude-haiku-4-5\nMODERATE:\n  default: claude-sonnet-5-5\nHIGH:\n  default: claude-sonnet-5-5\n`;
    return analyze(contextOf(recs, targetsOf(strategyYaml({ easy: 100_000 }), models), '', { history: { applied: [before], since: new Map() }, now: new Date(T0 + DAY) }));
  };

  it('confirms a change that kept its success, and observes one with too few phases', () => {
    expect(downgraded(0.95, 40).outcomes[0]).toMatchObject({ verdict: 'confirmed', phases_since: 40, realised: expect.objectContaining({ success_rate: 0.95 }) });
    expect(downgraded(0.95, 5).outcomes[0]).toMatchObject({ verdict: 'observing', phases_since: 5 });
  });

  it('proposes the revert of a downgrade whose success fell, whatever the retries', () => {
    const a = downgraded(0.78, 40);
    expect(a.outcomes[0]).toMatchObject({ verdict: 'worse', realised: expect.objectContaining({ success_rate: 0.775 }) });
    const revert = a.changes.find((c) => c.kind === 'model' && c.category === 'easy')!;
    expect(revert).toMatchObject({
      from: 'claude-haiku-4-5',
      to: 'claude-sonnet-5-5',
      direction: 'up',
      evidence: expect.objectContaining({ reverts: 'abc123', success_rate_before: 0.95, success_rate_since: 0.775 }),
    });
    expect(revert.rationale).toContain('success fell from 95% to 78% over 40 phases');
  });

  it('reverts a budget cut that stops more runs than its percentile allows', () => {
    const cut = applied({ kind: 'run_budget', key: 'core_build_tokens', from: 5_000_000, to: 3_000_000, direction: 'down', evidence: { runs: 20, utilisation: 0.55 } }, T0 - 12 * DAY);
    const runs = Array.from({ length: 10 }, (_, i) => phase({ category: 'a', run_id: `r${i}`, ts: T0 - i * DAY, tokens_used: i < 3 ? 3_500_000 : 2_000_000 }));
    const targets = targetsOf(strategyYaml({ a: 5_000_000 }, {}, { core: 3_000_000, aux: 800_000 }), MODELS_YAML);
    const a = analyze(contextOf(runs, targets, '', { history: { applied: [cut], since: new Map() }, now: new Date(T0 + DAY) }));
    expect(a.outcomes.find((o) => o.change.key === 'core_build_tokens')).toMatchObject({ verdict: 'worse', phases_since: 10, realised: { runs_over_budget: 3 } });
    expect(a.changes.find((c) => c.key === 'core_build_tokens')).toMatchObject({ from: 3_000_000, to: 5_000_000, direction: 'up', evidence: expect.objectContaining({ reverts: 'abc123' }) });
  });

  it('judges a fall against chance: a few failures more on a small sample are not worse', () => {
    // The chance that success fell by more than five points, given both samples.
    expect(chanceFellBy(24, 24, 19, 24, 0.05)).toBeGreaterThan(0.9);
    expect(chanceFellBy(82, 84, 47, 52, 0.05)).toBeLessThan(0.9);
    // 91% of 35 before, 69% of about 15 a week since: seen after one week.
    expect(chanceFellBy(32, 35, 10, 15, 0.05)).toBeGreaterThan(0.9);
    // A fall of three points on a few dozen phases is noise.
    expect(chanceFellBy(33, 35, 29, 32, 0.05)).toBeLessThan(0.5);
  });
});

describe('model names and retirements', () => {
  const targets = (models: string) => targetsOf(strategy, models);
  it('names a misspelled model with the closest known names, and a model on no ladder with the fix', () => {
    const ctx = contextOf([], targets(`LOW:\n  default: claude-sonet-5-5\nHIGH:\n  default: gpt-4.1\n`));
    const messages = migrationRules(ctx).findings.map((f) => f.message);
    expect(messages[0]).toMatch(/^"claude-sonet-5-5" \(models\.yaml: LOW\.default\) is not a known model; did you mean "claude-sonnet-5-5"/);
    expect(messages[1]).toBe(
      'gpt-4.1 (models.yaml: HIGH.default) is on no ladder: add it to models.ladders.openai in /t/tuner.yaml, cheapest first; until then no downgrade or upgrade is proposed for it',
    );
  });

  it('migrates a model that retires within the horizon to its successor, with the date as evidence', () => {
    const models = `LOW:\n  default: claude-sonnet-4-5\nHIGH:\n  default: claude-opus-5-5\n`;
    const soon = migrationRules(contextOf([], targets(models), '', { now: new Date('2026-11-26T00:00:00Z') }));
    expect(soon.changes).toEqual([
      expect.objectContaining({
        kind: 'model',
        category: 'default',
        complexity: 'low',
        from: 'claude-sonnet-4-5',
        to: 'claude-sonnet-5-5',
        evidence: expect.objectContaining({ migration: 'retirement', retires: '2026-11-30', days_left: 4 }),
      }),
    ]);
    expect(soon.changes[0]!.rationale).toContain('claude-sonnet-4-5 retires on 2026-11-30, 4 days from now');
    // 126 days ahead, beyond the 60-day horizon: nothing yet.
    expect(migrationRules(contextOf([], targets(models), '', { now: new Date('2026-07-27T00:00:00Z') })).changes).toEqual([]);
  });
});
