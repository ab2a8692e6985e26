import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/stats/compute.js';
import { resolveWindow } from '../../src/stats/window.js';
import { BUNDLED_PRICES } from '../../src/pricing/table.js';
import { viewOf } from '../../src/store/rollup-view.js';
import { mergeRollups, type Rollups } from '../../src/store/rollup.js';
import { appendRead, dropAll, takeWhole } from '../../src/store/segments.js';
import { call, ci, phases, rollupsOf, T0 } from '../helpers/records.js';

/** A day's worth of records: phases of two categories over a few runs, a call and a CI record. */
const day = (d: number) =>
  rollupsOf([
    ...phases('docs', 6, { success: 5, retries: 2, tokens: [9_000 + d, 30_000, 12_000], runs: 3, extra: { ts: T0 + d * 86_400_000, run_id: `run-${d}` } }),
    ...phases('tests', 4, { tokens: [50_000 + d], runs: 2, extra: { ts: T0 + d * 86_400_000 + 1000, run_id: `run-${d}` } }),
    call({ model: 'claude-sonnet-5-5', ts: T0 + d * 86_400_000, run_id: `run-${d}`, input_tokens: 1000 + d, output_tokens: 200 }),
    ci({ ts: T0 + d * 86_400_000, run_id: `run-${d}`, failures_caught: d % 2 }),
  ]);

const statsOfAll = (rollups: Iterable<Rollups>) => {
  const view = viewOf(rollups);
  return computeStats(view, { range: resolveWindow({ days: 28, maxTs: view.max_ts }), pricing: { table: BUNDLED_PRICES, aliases: {} }, defaultOutputShare: 0.2 });
};

/** Days `from` to `to` (inclusive) in one rollup. */
const days = (from: number, to: number) => {
  const r = day(from);
  for (let d = from + 1; d <= to; d++) mergeRollups(r, day(d));
  return r;
};

describe('a source file rollup as a base and segments', () => {
  it('gives the statistics of one merged rollup, through segment and base compaction', () => {
    const all = new Map<string, Rollups>();
    expect(appendRead(all, 'f', days(0, 39), 1)).toEqual(['f']); // an empty base takes the read whole
    const segments = () => [...all.keys()].filter((k) => k.startsWith('f#')).length;
    const written: string[][] = [];
    const counts: number[] = [];
    for (let d = 40; d <= 60; d++) {
      written.push(appendRead(all, 'f', day(d), d));
      counts.push(segments());
      expect(statsOfAll(all.values())).toEqual(statsOfAll([days(0, d)]));
    }
    // A segment a run: 1, 2, 3, 4; the fifth merges them into one; at a quarter of the base (ten
    // days on forty) they all fold into the base, which is then written again.
    expect(counts.slice(0, 6)).toEqual([1, 2, 3, 4, 1, 2]);
    expect(written[0]).toEqual(['f#40']);
    const folded = written.findIndex((keys) => keys[0] === 'f');
    expect(folded).toBe(9);
    expect(counts[folded]).toBe(0);
  });

  it('merges a file whole when it retires, and drops it whole when it is re-read', () => {
    const all = new Map<string, Rollups>([['g', day(0)]]);
    appendRead(all, 'f', days(0, 9), 1);
    appendRead(all, 'f', day(10), 2);
    expect([...all.keys()].sort()).toEqual(['f', 'f#2', 'g']);
    const whole = takeWhole(all, 'f')!;
    expect([...all.keys()]).toEqual(['g']);
    expect(statsOfAll([whole])).toEqual(statsOfAll([days(0, 10)]));

    appendRead(all, 'f', days(0, 9), 3);
    appendRead(all, 'f', day(10), 4);
    expect(dropAll(all, 'f')).toBe(true);
    expect([...all.keys()]).toEqual(['g']);
    expect(dropAll(all, 'f')).toBe(false);
  });
});
