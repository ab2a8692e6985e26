import { describe, expect, it } from 'vitest';
import { call, ci, phase, phases, statsOf, T0 } from '../helpers/records.js';

describe('computeStats', () => {
  it('computes per-category rates, percentiles, failure cost multiple and truncations by hand', () => {
    const stats = statsOf([
      phase({ category: 'a', tokens_used: 100, retries: 0 }),
      phase({ category: 'a', tokens_used: 200, retries: 1 }),
      phase({ category: 'a', tokens_used: 300, retries: 0 }),
      phase({ category: 'a', tokens_used: 900, retries: 3, outcome: 'failed', truncated: true }),
    ]);
    const a = stats.categories[0]!;
    expect(a.category).toBe('a');
    expect(a.phases).toBe(4);
    expect(a.success_rate).toBe(0.75);
    expect(a.retries_per_phase).toBe(1);
    expect(a.truncations).toBe(1);
    // mean success = 200, mean failed = 900 → multiple 4.5
    expect(a.mean_tokens_success).toBe(200);
    expect(a.mean_tokens_failed).toBe(900);
    expect(a.failure_cost_multiple).toBe(4.5);
    // sorted 100,200,300,900; P50 h=1.5 → 250; P95 h=2.85 → 300 + 0.85×600 = 810
    expect(a.percentiles.p50).toBe(250);
    expect(a.percentiles.p95).toBeCloseTo(810, 9);
    expect(a.telemetry_cap).toBe(100_000);
  });

  it('costs phases at the builder model’s observed token mix and flags unpriced models', () => {
    const stats = statsOf([
      phase({ category: 'a', tokens_used: 1_000_000, builder_model: 'claude-sonnet-4-5' }),
      phase({ category: 'b', tokens_used: 1_000_000, builder_model: 'mystery-model' }),
      // Sonnet calls: 1M input ($3) + 1M output ($15) → $18 for 2M tokens → $9 per 1M
      call({ model: 'claude-sonnet-4-5', input_tokens: 1_000_000, output_tokens: 1_000_000 }),
    ]);
    const a = stats.categories.find((c) => c.category === 'a')!;
    const b = stats.categories.find((c) => c.category === 'b')!;
    expect(a.cost_usd).toBeCloseTo(9, 9);
    expect(b.cost_usd).toBe(0);
    expect(b.unpriced_phases).toBe(1);
    expect(stats.totals.unpriced_models).toEqual(['mystery-model']);
    expect(stats.blended_price['mystery-model']).toBeNull();
    const m = stats.models.find((x) => x.model === 'claude-sonnet-4-5')!;
    expect(m.cost_usd).toBeCloseTo(18, 9);
  });

  it('prices a model never seen in calls at the default output share', () => {
    const stats = statsOf([phase({ category: 'a', tokens_used: 1_000_000, builder_model: 'claude-haiku-4-5' })]);
    // 80% input at $1/M + 20% output at $5/M = $0.8 + $1.0
    expect(stats.categories[0]!.cost_usd).toBeCloseTo(1.8, 9);
  });

  it('shares tier CI out to categories by phase count', () => {
    const stats = statsOf([
      ...phases('docs', 3, { runs: 1, extra: { run_id: 'r', tier_id: 'T1' } }),
      phase({ category: 'tests', run_id: 'r', tier_id: 'T1', outcome: 'failed' }),
      ci({ run_id: 'r', tier_id: 'T1', runs: 8, failures_caught: 4, false_positives: 2, tokens_equivalent: 800 }),
    ]);
    const docs = stats.categories.find((c) => c.category === 'docs')!.ci;
    const tests = stats.categories.find((c) => c.category === 'tests')!.ci;
    expect(docs.attributed_runs).toBe(6);
    expect(tests.attributed_runs).toBe(2);
    expect(tests.attributed_tokens).toBe(200);
    expect(docs.catch_rate).toBe(0.5);
    expect(docs.false_positive_rate).toBe(0.25);
    expect(docs.escape_rate).toBe(0);
    expect(tests.escape_rate).toBe(1);
    expect(stats.tiers).toEqual([expect.objectContaining({ tier_id: 'T1', days: 1, phases: 4, failed_phases: 1, ci_runs: 8, ci_profiles: ['ci_standard'] })]);
  });

  it('totals runs, splits roles and finds the trend', () => {
    const recs = [];
    for (let i = 0; i < 6; i++) {
      const run_id = `r${i}`;
      const ts = T0 + i * 86_400_000;
      recs.push(phase({ category: 'a', run_id, ts, tokens_used: 1000 - i * 100 }));
      recs.push(call({ model: 'claude-haiku-4-5', role: 'planner', run_id, ts, input_tokens: 10 }));
      recs.push(call({ model: 'claude-sonnet-4-5', role: 'builder', run_id, ts, input_tokens: 700 }));
    }
    const stats = statsOf(recs);
    expect(stats.runs.count).toBe(6);
    expect([...stats.runs.total_tokens]).toEqual([1010, 910, 810, 710, 610, 510]);
    expect(stats.runs.recent.map((r) => r.run_id)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(stats.runs.recent[0]).toMatchObject({ core_tokens: 900, aux_tokens: 10, builder_tokens: 700, total_tokens: 910 });
    // first half 1010, 910, 810 → 910; second half 710, 610, 510 → 610
    expect(stats.trend).toEqual({ direction: 'declining', first_half_mean: 910, second_half_mean: 610, change: expect.closeTo(-300 / 910, 9) });
  });

  it('orders runs by start time whatever their ids, ties in id order', () => {
    const recs = [];
    for (let i = 0; i < 6; i++) {
      // Ids sort against time: run z5 started first.
      const run_id = `z${5 - i}`;
      recs.push(phase({ category: 'a', run_id, ts: T0 + i * 86_400_000, tokens_used: 1000 - i * 100 }));
    }
    recs.push(phase({ category: 'a', run_id: 'a-tie', ts: T0 + 5 * 86_400_000, tokens_used: 1 }));
    const stats = statsOf(recs);
    expect([...stats.runs.core_tokens]).toEqual([1000, 900, 800, 700, 600, 1, 500]);
    expect(stats.runs.recent.map((r) => r.run_id)).toEqual(['z3', 'z2', 'z1', 'a-tie', 'z0']);
    expect([...stats.runs.started_ts]).toEqual([...stats.runs.started_ts].sort((a, b) => a - b));
  });

  it('keeps only the window: the last N days ending on the newest record', () => {
    const old = phase({ category: 'old', ts: T0 - 40 * 86_400_000 });
    const stats = statsOf([old, phase({ category: 'new', ts: T0 })], 28);
    expect(stats.categories.map((c) => c.category)).toEqual(['new']);
    expect(stats.window).toEqual({ since: '2026-10-05', until: '2026-11-01', days: 28 });
  });
});
