import { describe, expect, it } from 'vitest';
import { startOrder } from '../../src/stats/start-order.js';

/** The reference: a stable comparator sort of the row numbers. */
const reference = (keys: Float64Array) => Array.from(keys, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);

describe('startOrder, the runs in start-time order', () => {
  it('equals a stable sort, ties in row order, for stretches, ties, reversed, random and fractional keys', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const cases: number[][] = [[], [5], [1, 2, 3], [3, 2, 1], [2, 2, 1, 1, 2, 2], Array.from({ length: 1000 }, () => Math.floor(random() * 50))];
    // Two ascending stretches (ids of two naming schemes), as real histories give.
    cases.push([...Array.from({ length: 300 }, (_, i) => 1000 + i), ...Array.from({ length: 500 }, (_, i) => i * 2)]);
    // Fractions of a millisecond, and times far apart.
    cases.push([1.5, 1.25, 1.5, 0.75], [1.79e12, 5, 1.79e12 + 1, 0, 86_400_000 * 400]);
    // Just under 2^32 ms apart (two radix passes), and a span that needs only one.
    cases.push([1.79e12 + 2 ** 32 - 1, 1.79e12, 1.79e12 + 65_536, 1.79e12 + 65_535, 1.79e12 + 2 ** 32 - 1], [7, 3, 65_000, 3, 0]);
    // Many short stretches.
    cases.push(Array.from({ length: 777 }, (_, i) => (i % 7) * 10 + Math.floor(i / 7)));
    for (const c of cases) {
      const keys = Float64Array.from(c);
      expect(Array.from(startOrder(keys)), JSON.stringify(c.slice(0, 12))).toEqual(reference(keys));
    }
  });
});
