import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/store/rollup.js';
import { eachMergedRun, mergeSealed, RUN_FIELDS, RUN_SUMS, sealRuns } from '../../src/store/sealed-runs.js';

function summary(run_id: string, n: number): RunSummary {
  return { run_id, first_ts: 1000 + n, last_ts: 2000 + n, phases: n % 7, failures: n % 2, phase_tokens: n * 10, builder_tokens: n, auditor_tokens: 2 * n, aux_tokens: 3, ci_tokens: n % 5 };
}

/** The merge written the obvious way: a map by run id. */
function mergedByMap(tables: RunSummary[][]): Map<string, RunSummary> {
  const out = new Map<string, RunSummary>();
  for (const s of tables.flat()) {
    const a = out.get(s.run_id);
    if (!a) out.set(s.run_id, { ...s });
    else {
      a.first_ts = Math.min(a.first_ts, s.first_ts);
      a.last_ts = Math.max(a.last_ts, s.last_ts);
      for (const f of RUN_SUMS) a[f] += s[f];
    }
  }
  return out;
}

describe('mergeSealed', () => {
  it('equals a merge by map, for disjoint, interleaved, overlapping and empty tables', () => {
    let seed = 5;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const shapes: RunSummary[][][] = [
      // A large history and a small table of new runs after it (the incremental case).
      [Array.from({ length: 500 }, (_, i) => summary(`run-${String(i).padStart(5, '0')}`, i)), Array.from({ length: 7 }, (_, i) => summary(`run-${String(600 + i).padStart(5, '0')}`, i))],
      // New runs before, between and after, and runs present in two tables.
      [Array.from({ length: 40 }, (_, i) => summary(`r${String(i * 3).padStart(3, '0')}`, i)), Array.from({ length: 40 }, (_, i) => summary(`r${String(i * 2).padStart(3, '0')}`, i + 1)), []],
      // Many random tables with repeated ids.
      Array.from({ length: 6 }, () => {
        const ids = new Set(Array.from({ length: Math.floor(rand() * 60) }, () => `x${Math.floor(rand() * 90)}`));
        return [...ids].map((id, i) => summary(id, i + Math.floor(rand() * 9)));
      }),
    ];
    for (const tables of shapes) {
      const sealed = tables.map((t) => sealRuns(new Map(t.map((s) => [s.run_id, s]))));
      const merged = mergeSealed(sealed);
      // Walking the tables gives the same rows in the same order, without building the merged table.
      const walked: number[][] = [];
      const walkedIds: string[] = [];
      eachMergedRun(sealed, (id, numbers, offset) => {
        walkedIds.push(id);
        walked.push(Array.from(numbers.subarray(offset, offset + RUN_FIELDS.length)));
      });
      expect(walkedIds).toEqual(merged.ids);
      expect(walked.flat()).toEqual(Array.from(merged.numbers));
      const expected = mergedByMap(tables);
      expect(merged.ids).toEqual([...expected.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      merged.ids.forEach((id, i) => {
        const row = Object.fromEntries(RUN_FIELDS.map((f, j) => [f, merged.numbers[i * RUN_FIELDS.length + j]]));
        expect({ run_id: id, ...row }).toEqual(expected.get(id));
      });
    }
  });
});
