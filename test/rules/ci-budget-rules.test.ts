import { describe, expect, it } from 'vitest';
import { ciRules } from '../../src/rules/ci-rules.js';
import { budgetRules } from '../../src/rules/budget-rules.js';
import { ci, phase, phases, T0 } from '../helpers/records.js';
import { contextOf, strategyYaml, targetsOf } from '../helpers/context.js';
import type { Change } from '../../src/targets/change.js';

/** 20 phases of one category alone in tier T1 of one run, with 100 CI runs on that tier. */
function ciCase(o: { caught: number; fps: number; failed?: number; complexity?: 'low' | 'medium'; profile?: string; tuner?: string; failMult?: number }) {
  const recs = [
    ...phases('cat', 20, {
      success: 20 - (o.failed ?? 0),
      runs: 1,
      tokens: [10_000],
      extra: { run_id: 'r', tier_id: 'T1', complexity: o.complexity ?? 'low' },
    }).map((p) => (p.outcome === 'failed' ? { ...p, tokens_used: 10_000 * (o.failMult ?? 3) } : p)),
    ci({ run_id: 'r', tier_id: 'T1', runs: 100, failures_caught: o.caught, false_positives: o.fps, tokens_equivalent: 1000 }),
  ];
  const targets = targetsOf(strategyYaml({ cat: 1_000_000 }, { cat: o.profile ?? 'ci_standard' }));
  return ciRules(contextOf(recs, targets, o.tuner));
}

describe('CI rule', () => {
  it('steps a low-risk category down when CI catches < 10% and false alarms are ≥ 20%', () => {
    const { changes } = ciCase({ caught: 5, fps: 30 });
    expect(changes).toEqual([expect.objectContaining({ kind: 'ci_profile', category: 'cat', from: 'ci_standard', to: 'ci_minimal', direction: 'down' })]);
    expect(changes[0]!.evidence).toMatchObject({ catch_rate: 0.05, false_positive_rate: 0.3, attribution: 'tier CI of each day shared by phase count' });
  });
  it.each([
    ['catch rate', { caught: 10, fps: 30 }, { caught: 9, fps: 30 }],
    ['false-positive rate', { caught: 5, fps: 19 }, { caught: 5, fps: 20 }],
  ])('%s boundary', (_n, at, inside) => {
    expect(ciCase(at).changes).toHaveLength(0);
    expect(ciCase(inside).changes).toHaveLength(1);
  });
  it('does not step down work that is not low-risk, unless configured as such', () => {
    expect(ciCase({ caught: 5, fps: 30, complexity: 'medium' }).changes).toHaveLength(0);
    expect(ciCase({ caught: 5, fps: 30, complexity: 'medium', tuner: 'rules: {ci: {low_risk_categories: [cat]}}\n' }).changes).toHaveLength(1);
  });
  it('steps up when > 15% of phases fail after CI ran and failures are costly; not at 15%', () => {
    expect(ciCase({ caught: 30, fps: 0, failed: 3 }).changes).toHaveLength(0); // 3/20 = 15%
    const up = ciCase({ caught: 30, fps: 0, failed: 4 }).changes; // 20%
    expect(up).toEqual([expect.objectContaining({ to: 'ci_strict', direction: 'up' })]);
    expect(ciCase({ caught: 30, fps: 0, failed: 4, failMult: 1.5 }).changes).toHaveLength(0);
  });
  it('reports the end of the ladder instead of stepping off it', () => {
    const r = ciCase({ caught: 5, fps: 30, profile: 'ci_minimal' });
    expect(r.changes).toHaveLength(0);
    expect(r.findings[0]).toMatchObject({ kind: 'no_rung' });
  });
});

describe('run budget rule', () => {
  const targets = targetsOf(strategyYaml({ a: 1_000_000 }, {}, { core: 5_000_000, aux: 800_000 }));
  const runs = (n: number, tokens: number) => Array.from({ length: n }, (_, i) => phase({ category: 'a', run_id: `r${i}`, ts: T0 - i * 86_400_000, tokens_used: tokens }));

  it('needs at least 5 runs', () => {
    const r = budgetRules(contextOf(runs(4, 1_000_000), targets), []);
    expect(r.changes).toHaveLength(0);
    expect(r.findings[0]).toMatchObject({ kind: 'needs_more_data', area: 'run_budget' });
  });
  it('sets the core budget to P95 of runs with headroom, plus projected increases', () => {
    const ctx = contextOf(runs(5, 3_000_000), targets);
    expect(budgetRules(ctx, []).changes).toEqual([expect.objectContaining({ key: 'core_build_tokens', from: 5_000_000, to: 3_300_000, direction: 'down' })]);
    const saving = { kind: 'model', effect: { tokens_per_run: -1_000_000, usd_per_run: 0 } } as Change;
    const cost = { kind: 'model', effect: { tokens_per_run: 1_000_000, usd_per_run: 0 } } as Change;
    // A projected saving is not banked before it is measured; a projected increase is provided for.
    expect(budgetRules(ctx, [saving]).changes[0]).toMatchObject({ to: 3_300_000 });
    expect(budgetRules(ctx, [cost]).changes[0]).toMatchObject({ to: 4_400_000 });
  });
  it('keeps a budget within 10% and one no run recorded tokens for', () => {
    const r = budgetRules(contextOf(runs(5, 4_300_000), targets), []);
    expect(r.changes).toHaveLength(0);
    expect(r.findings.map((f) => f.kind).sort()).toEqual(['below_min_change', 'no_telemetry']);
  });
});
