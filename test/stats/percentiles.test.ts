import { describe, expect, it } from 'vitest';
import { percentileOfSorted, percentiles, sortedCopy } from '../../src/stats/percentiles.js';

describe('percentiles (linear interpolation between closest ranks, R-7)', () => {
  it('matches hand-computed values on 1..10', () => {
    const x = sortedCopy([7, 1, 10, 3, 5, 2, 9, 4, 8, 6]);
    // h = (n-1)p = 9p: P10 → h=0.9 → 1 + 0.9×1 = 1.9; P25 → h=2.25 → 3.25; P50 → h=4.5 → 5.5;
    // P75 → h=6.75 → 7.75; P90 → h=8.1 → 9.1; P95 → h=8.55 → 9.55; P99 → h=8.91 → 9.91
    expect(percentiles(x)).toEqual({ p10: 1.9, p25: 3.25, p50: 5.5, p75: 7.75, p90: expect.closeTo(9.1, 10), p95: expect.closeTo(9.55, 10), p99: expect.closeTo(9.91, 10) });
  });

  it('interpolates between unequal neighbours', () => {
    const x = sortedCopy([100_000, 200_000, 400_000, 800_000]);
    // P95: h = 3×0.95 = 2.85 → 400 000 + 0.85 × 400 000 = 740 000
    expect(percentileOfSorted(x, 95)).toBeCloseTo(740_000, 6);
    // P50: h = 1.5 → 300 000
    expect(percentileOfSorted(x, 50)).toBe(300_000);
  });

  it('handles one value, the ends, and empty input', () => {
    expect(percentileOfSorted(sortedCopy([42]), 95)).toBe(42);
    const x = sortedCopy([3, 1, 2]);
    expect(percentileOfSorted(x, 0)).toBe(1);
    expect(percentileOfSorted(x, 100)).toBe(3);
    expect(percentileOfSorted(new Float64Array(0), 50)).toBeNaN();
  });

  it('sorts numerically, not as strings', () => {
    expect([...sortedCopy([10, 9, 100, 1])]).toEqual([1, 9, 10, 100]);
  });
});

describe('percentilesOf (selection) equals percentiles of the sorted values', () => {
  it('on random data of many shapes, split in several parts', async () => {
    const { percentilesOf } = await import('../../src/stats/percentiles.js');
    let seed = 11;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const n of [1, 2, 3, 10, 101, 1000, 20_000]) {
      for (const kind of ['uniform', 'dupes', 'sorted', 'reversed']) {
        let v = Array.from({ length: n }, () => Math.floor(rand() * (kind === 'dupes' ? 5 : 1_000_000)));
        if (kind === 'sorted') v = v.sort((a, b) => a - b);
        if (kind === 'reversed') v = v.sort((a, b) => b - a);
        const cut = Math.floor(n / 3);
        expect(percentilesOf([v.slice(0, cut), Uint32Array.from(v.slice(cut))])).toEqual(percentiles(sortedCopy(v)));
      }
    }
  });

  it('with sorted runs (as rollups keep them), unsorted parts, empty parts and non-integers', async () => {
    const { percentilesOf } = await import('../../src/stats/percentiles.js');
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const parts of [3, 28, 90]) {
      const runs = Array.from({ length: parts }, (_, i) => Array.from({ length: Math.floor(rand() * 400) * (i % 5 === 4 ? 0 : 1) }, () => Math.floor(rand() * 2_000_000)));
      const all = runs.flat();
      const asStored = runs.map((r, i) => (i % 3 === 0 ? r : Uint32Array.from(r).sort()));
      expect(percentilesOf(asStored)).toEqual(percentiles(sortedCopy(all)));
    }
    // Non-integer values take the quickselect path: the same shapes as the integer test above.
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      for (const dupes of [false, true]) {
        const v = Array.from({ length: n }, () => (dupes ? Math.floor(rand() * 4) + 0.5 : rand() * 1000));
        expect(percentilesOf([v.slice(0, n >> 1), Float64Array.from(v.slice(n >> 1))])).toEqual(percentiles(sortedCopy(v)));
      }
    }
    const fractions = [
      [0.5, 2.25],
      [1.75, 0.1, 9],
    ];
    expect(percentilesOf(fractions)).toEqual(percentiles(sortedCopy(fractions.flat())));
    const huge = [Float64Array.from([2 ** 40, 2 ** 41]), [3, 2 ** 52]];
    expect(percentilesOf(huge)).toEqual(percentiles(sortedCopy(huge.flatMap((p) => [...p]))));
  });
});
