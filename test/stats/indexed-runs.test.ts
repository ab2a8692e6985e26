import { describe, expect, it } from 'vitest';
import { indexedWindow } from '../../src/stats/indexed-runs.js';
import { computeRuns, tableWindow } from '../../src/stats/runs.js';
import { DAY_MS } from '../../src/store/rollup.js';
import type { RollupView } from '../../src/store/rollup-view.js';
import { buildRunIndex, decodeRunIndex, encodeRunIndex, findRun, idAt } from '../../src/store/run-index.js';
import { RUN_FIELDS, type SealedRuns } from '../../src/store/sealed-runs.js';

/** A small seeded generator, so a failure names a case that can be replayed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const F = RUN_FIELDS.length;
const DAY0 = 20_400;

/** A sealed table of `ids` (sorted, code-unit order) with random rows; starts on a coarse grid, so ties happen. */
function table(ids: string[], rand: () => number): SealedRuns {
  const sorted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const numbers = new Float64Array(sorted.length * F);
  sorted.forEach((_, i) => {
    const first = (DAY0 + Math.floor(rand() * 40)) * DAY_MS + Math.floor(rand() * 6) * 3_600_000;
    const row = [first, first + 1000, 1 + Math.floor(rand() * 9), Math.floor(rand() * 3), Math.floor(rand() * 1e6), Math.floor(rand() * 5e5), Math.floor(rand() * 5e5), Math.floor(rand() * 1e5), Math.floor(rand() * 2e4)];
    numbers.set(row, i * F);
  });
  return { ids: sorted, numbers };
}

/**
 * Id endings: ASCII, Latin, and the two whose UTF-8 byte order is not JavaScript's code-unit order
 * (a character from U+E000 sorts before a surrogate pair by code unit, after it by byte).
 */
const ID_TAILS = ['', '-a', '-é', '-\uE000', '-\uFFFD', '-\u{1F600}', '-\u{10000}x'];

const view = (runs: SealedRuns[], index?: RollupView['index']): RollupView => ({ phases: [], calls: [], runs, tiers: new Map(), max_ts: 0, records: 0, ...(index ? { index } : {}) });

describe('run statistics from the run index', () => {
  it('equal those of the tables for any window, with segment runs new, continued and started earlier', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rand = rng(seed);
      const pool = Array.from({ length: 40 + Math.floor(rand() * 300) }, (_, i) => `run-${i * 7}${ID_TAILS[Math.floor(rand() * ID_TAILS.length)]}`);
      const pick = (share: number) => pool.filter(() => rand() < share);
      const settled = [table(pick(0.7), rand), table(pick(0.5), rand)];
      // Segments: runs of the settled tables going on (some with an earlier start), and new runs.
      const extra = Array.from({ length: Math.floor(rand() * 3) }, (_, k) => table([...pick(0.1), ...Array.from({ length: Math.floor(rand() * 20) }, (_, i) => `late-${k}-${i}`)], rand));
      const index = decodeRunIndex(Buffer.concat(encodeRunIndex(buildRunIndex(settled))));
      const since = DAY0 + Math.floor(rand() * 30);
      const range = { since, until: since + Math.floor(rand() * 25) };
      const plain = computeRuns(view([...settled, ...extra]), range);
      const indexed = computeRuns(view(extra, index), range);
      expect(indexed, `seed ${seed}`).toEqual(plain);
      // Every row's id, not only the recent runs' that the statistics report.
      const a = tableWindow([...settled, ...extra], range);
      const b = indexedWindow(index, extra, range);
      expect(Array.from({ length: b.n }, (_, k) => b.idOf(k)), `seed ${seed}`).toEqual(Array.from({ length: a.n }, (_, k) => a.idOf(k)));
    }
  });

  it('finds every run by id, and no other, whatever characters ids hold', () => {
    const rand = rng(11);
    const ids = Array.from({ length: 500 }, (_, i) => `r${Math.floor(rand() * 300)}${ID_TAILS[i % ID_TAILS.length]}`);
    const index = buildRunIndex([table(ids, rand)]);
    for (let row = 0; row < index.count; row++) expect(findRun(index, idAt(index, row))).toBe(row);
    for (const tail of ID_TAILS) {
      expect(findRun(index, `r300${tail}`)).toBe(-1);
      expect(findRun(index, `r${tail}`)).toBe(-1);
    }
    expect(findRun(index, '')).toBe(-1);
  });

  it('builds an empty index and reads it back', () => {
    const index = decodeRunIndex(Buffer.concat(encodeRunIndex(buildRunIndex([]))));
    expect(index.count).toBe(0);
    expect(computeRuns(view([], index), { since: DAY0, until: DAY0 + 5 }).count).toBe(0);
  });

  it('refuses a truncated or foreign index file', () => {
    const bytes = Buffer.concat(encodeRunIndex(buildRunIndex([table(['a', 'b', 'c'], rng(3))])));
    expect(() => decodeRunIndex(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated|corrupt/);
    expect(() => decodeRunIndex(Buffer.from('TTROLL2\nxxxxxxxx'))).toThrow(/not a tokentune run index/);
  });
});
