import { describe, expect, it } from 'vitest';
import { capRules } from '../../src/rules/cap-rules.js';
import { recommendCap, roundUpReadable } from '../../src/rules/helpers.js';
import { phases } from '../helpers/records.js';
import { contextOf, strategyYaml, targetsOf } from '../helpers/context.js';

const targets = targetsOf(strategyYaml({ a: 100_000 }));
const run = (tokens: number[], o: { truncated?: boolean; tuner?: string; n?: number; runs?: number } = {}) =>
  capRules(contextOf(phases('a', o.n ?? 100, { tokens, runs: o.runs, extra: { truncated: o.truncated ?? false } }), targets, o.tuner));

describe('cap rule', () => {
  it('reduces when P95 < 70% of the cap, to P95 × headroom × short-history widening, rounded up', () => {
    const { changes } = run([60_000]);
    // 10 days of history: 60 000 × 1.15 × 1.1 = 75 900 → 76 000
    expect(changes).toEqual([expect.objectContaining({ kind: 'token_cap', category: 'a', from: 100_000, to: 76_000, direction: 'down' })]);
    expect(changes[0]!.evidence).toMatchObject({ p95_tokens: 60_000, cap_utilisation_p95: 0.6, days_of_history: 10 });
  });
  it('keeps the cap at exactly 70% and reduces just below', () => {
    expect(run([70_000]).changes).toHaveLength(0);
    expect(run([69_999]).changes).toHaveLength(1);
  });
  it('increases when P95 > 95% of the cap, not at exactly 95%', () => {
    expect(run([95_000]).changes).toHaveLength(0);
    const up = run([95_001]).changes;
    expect(up).toEqual([expect.objectContaining({ direction: 'up', to: 130_000 })]);
  });
  it('increases by at least 25% when phases were truncated, even at moderate P95', () => {
    const { changes } = run([80_000], { truncated: true });
    expect(changes[0]).toMatchObject({ direction: 'up', confidence: 'high' });
    expect(changes[0]!.to).toBeGreaterThanOrEqual(125_000);
  });
  it('says "well-calibrated" when P75–P90 sit in 70–90% of the cap', () => {
    const r = run([72_000, 80_000, 85_000, 88_000]);
    expect(r.changes).toHaveLength(0);
    expect(r.findings[0]!.message).toMatch(/well-calibrated/);
  });
  it('drops changes under 10% of the current cap', () => {
    // cap 200 000, headroom 0, 25 days: 194 000 × 1.04 = 201 760 → 210 000, a 5% move
    const t200 = targetsOf(strategyYaml({ a: 200_000 }));
    const recs = phases('a', 100, { tokens: [194_000], runs: 25 });
    const r = capRules(contextOf(recs, t200, 'rules: {cap: {headroom: 0}}\n'));
    expect(r.changes).toHaveLength(0);
    expect(r.findings[0]).toMatchObject({ kind: 'below_min_change' });
    // the same data with the derived cap not moving at all is "kept", not "below min change"
    expect(run([96_000], { runs: 25, tuner: 'rules: {cap: {headroom: 0}}\n' }).findings[0]).toMatchObject({ kind: 'keep' });
  });
  it('never proposes below P95, and needs the minimum sample', () => {
    expect(recommendCap(123_456, 1000, 0)).toBeGreaterThanOrEqual(123_456);
    const few = run([10_000], { n: 9 });
    expect(few.changes).toHaveLength(0);
    expect(few.findings[0]).toMatchObject({ kind: 'needs_more_data' });
  });
  it('rounds to two significant digits', () => {
    expect(roundUpReadable(345_678)).toBe(350_000);
    expect(roundUpReadable(1_234_567)).toBe(1_300_000);
    expect(roundUpReadable(76_000)).toBe(76_000);
    expect(roundUpReadable(7)).toBe(7);
    expect(roundUpReadable(3_000_000 * 1.1)).toBe(3_300_000);
  });
});
