import { describe, expect, it } from 'vitest';
import { modelRules } from '../../src/rules/model-rules.js';
import { call, phases } from '../helpers/records.js';
import { contextOf, strategyYaml, targetsOf } from '../helpers/context.js';

const targets = targetsOf(strategyYaml({ easy: 100_000, hard: 100_000, top: 100_000 }));

function downgrade(o: { success?: number; retries?: number; tokens?: number; n?: number }) {
  const recs = phases('easy', o.n ?? 100, { success: o.success ?? 95, retries: o.retries ?? 10, tokens: [o.tokens ?? 50_000] });
  return modelRules(contextOf(recs, targets));
}

function upgrade(o: { success?: number; retries?: number; category?: string }) {
  const recs = phases(o.category ?? 'hard', 100, {
    success: o.success ?? 60,
    retries: o.retries ?? 200,
    tokens: [50_000],
    extra: { complexity: 'high', builder_model: o.category === 'top' ? 'claude-opus-5-5' : 'claude-sonnet-5-5' },
  });
  return modelRules(contextOf(recs, targets));
}

describe('prices of two models, compared at the mix of the work', () => {
  it('prices a model that never ran at the token mix of the model it would replace', () => {
    // Sonnet's calls are mostly cache reads: per token it costs less than haiku at an uncached mix.
    const recs = [
      ...phases('easy', 100, { success: 98, tokens: [50_000] }),
      ...Array.from({ length: 50 }, (_, i) =>
        call({ model: 'claude-sonnet-5-5', role: 'builder', ts: Date.parse('2026-11-10T00:00:00Z') + i * 60_000, input_tokens: 2_000, output_tokens: 1_000, cache_read_input_tokens: 60_000 }),
      ),
    ];
    const ctx = contextOf(recs, targets);
    expect(ctx.price('claude-haiku-4-5')!).toBeGreaterThan(ctx.price('claude-sonnet-5-5')!);
    const [c] = modelRules(ctx).changes;
    expect(c).toMatchObject({ from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5', direction: 'down', pilot: false });
    expect(c!.evidence.price_ratio).toBeCloseTo(0.5, 2);
    expect(c!.effect.usd_per_run).toBeLessThan(0);
  });
});

describe('downgrade rule: success > 90%, retries < 0.5, P95 < 70% of cap, each on its one-sided 95% bound', () => {
  it('proposes one rung down the ladder, with evidence and a saving', () => {
    const { changes } = downgrade({});
    expect(changes).toHaveLength(1);
    const c = changes[0]!;
    expect(c).toMatchObject({
      kind: 'model',
      category: 'easy',
      complexity: 'low',
      role: 'builder',
      from: 'claude-sonnet-5-5',
      to: 'claude-haiku-4-5',
      direction: 'down',
      pilot: false,
      source: 'rules',
    });
    expect(c.evidence).toMatchObject({ phases: 100, success_rate: 0.95, retries_per_phase: 0.1, cap_utilisation_p95: 0.5 });
    expect(c.effect.usd_per_run).toBeLessThan(0);
  });
  it.each([
    // Wilson's lower bound of 94/100 is 88.8%, of 95/100 90.1%.
    ['success rate', { success: 94 }, { success: 95 }],
    // The Poisson score bound of 39 retries over 100 phases is above 0.5 a phase, of 38 below.
    ['retries per phase', { retries: 39 }, { retries: 38 }],
    ['cap utilisation', { tokens: 70_000 }, { tokens: 69_999 }],
  ])('%s: at the boundary no change, just inside it a change', (_name, at, inside) => {
    expect(downgrade(at).changes).toHaveLength(0);
    expect(downgrade(inside).changes).toHaveLength(1);
  });
  it('needs the minimum sample, then a sample whose bounds pass: thin evidence waits', () => {
    const few = downgrade({ n: 9, success: 9, retries: 0 });
    expect(few.changes).toHaveLength(0);
    expect(few.findings).toEqual([expect.objectContaining({ kind: 'needs_more_data', category: 'easy' })]);
    // Ten perfect phases bound success at 78.7% only; it takes 25 to pass 90%.
    expect(downgrade({ n: 10, success: 10, retries: 0 }).changes).toHaveLength(0);
    expect(downgrade({ n: 24, success: 24, retries: 0 }).changes).toHaveLength(0);
    expect(downgrade({ n: 25, success: 25, retries: 0 }).changes).toHaveLength(1);
    // 32 of 35 (91%) passes "> 90%" on its face; its lower bound is 80%.
    expect(downgrade({ n: 35, success: 32, retries: 0 }).changes).toHaveLength(0);
    const [c] = downgrade({}).changes;
    expect(c!.evidence).toMatchObject({ success_rate_lower_95: 0.9008, cap_utilisation_p95_upper_95: 0.5 });
    expect(c!.rationale).toMatch(/succeeds 95% of the time \(at least 90\.1%\).*each bound one-sided at 95% over 100 phases/);
  });
  it('does not step below the cheapest rung', () => {
    const recs = phases('easy', 100, { success: 100, tokens: [10_000], extra: { builder_model: 'claude-haiku-5-5' } });
    const models = `LOW:\n  default: claude-haiku-5-5\n`;
    const r = modelRules(contextOf(recs, targetsOf(strategyYaml({ easy: 100_000 }), models)));
    expect(r.changes).toHaveLength(0);
    expect(r.findings[0]).toMatchObject({ kind: 'no_rung' });
  });
});

describe('upgrade rule: success < 75% and retries > 1.5, always a pilot', () => {
  it('proposes one rung up as a pilot', () => {
    const { changes } = upgrade({});
    expect(changes).toEqual([expect.objectContaining({ category: 'hard', complexity: 'high', from: 'claude-sonnet-5-5', to: 'claude-opus-5-5', direction: 'up', pilot: true })]);
  });
  it.each([
    // Wilson's upper bound of 68/100 is 75.2%, of 67/100 74.3%; the retries' lower bound passes 1.5 at 171.
    ['success rate', { success: 68 }, { success: 67 }],
    ['retries per phase', { retries: 170 }, { retries: 171 }],
  ])('%s: at the boundary no change, just inside it a change', (_name, at, inside) => {
    expect(upgrade(at).changes).toHaveLength(0);
    expect(upgrade(inside).changes).toHaveLength(1);
  });
  it('has no rung above the strongest model', () => {
    const r = upgrade({ category: 'top' });
    expect(r.changes).toHaveLength(0);
    expect(r.findings[0]).toMatchObject({ kind: 'no_rung', category: 'top' });
  });
  it('raises confidence when usage is near the cap and failures are costly', () => {
    const costly = phases('hard', 100, { success: 60, retries: 200, tokens: [30_000], extra: { complexity: 'high' } }).map((p) => (p.outcome === 'failed' ? { ...p, tokens_used: 90_000 } : p));
    expect(modelRules(contextOf(costly, targets)).changes[0]!.confidence).toBe('medium');
    expect(upgrade({}).changes[0]!.confidence).toBe('low');
  });
});
