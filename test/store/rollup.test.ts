import { describe, expect, it } from 'vitest';
import { mergeRollups, type Rollups } from '../../src/store/rollup.js';
import { runSummaries } from '../../src/store/sealed-runs.js';
import { call, ci, phase, rollupsOf, T0 } from '../helpers/records.js';

function sample() {
  const recs = [];
  for (let i = 0; i < 60; i++) {
    const run_id = `r${i % 7}`;
    const ts = T0 - (i % 5) * 86_400_000 + i * 1000;
    recs.push(
      phase({ category: i % 3 ? 'a' : 'b', run_id, ts, tier_id: `T${i % 2}`, tokens_used: 1000 + i, outcome: i % 4 ? 'success' : 'failed', retries: i % 3, truncated: i % 9 === 0, incident_token_cap: 5000 + (i % 5) }),
      call({ model: i % 2 ? 'claude-haiku-4-5' : 'claude-sonnet-4-5', role: ['builder', 'auditor', 'planner'][i % 3]!, run_id, ts, input_tokens: i, output_tokens: 2 * i }),
    );
    if (i % 6 === 0) recs.push(ci({ run_id, ts, tier_id: `T${i % 2}`, ci_profile: i % 12 ? 'ci_standard' : 'ci_strict', runs: 3, failures_caught: 1, tokens_equivalent: 100 }));
  }
  return recs;
}

/** Rollups compared as data: token lists sorted, since their order carries no meaning. */
function normal(r: Rollups) {
  const sortMap = <V>(m: Map<string, V>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    records: r.records,
    max_ts: r.max_ts,
    phases: sortMap(r.phases).map(([k, b]) => [k, { ...b, tokens: [...b.tokens].sort((x, y) => x - y) }]),
    calls: sortMap(r.calls),
    runs: runSummaries(r).map((x) => [x.run_id, x]),
    tiers: sortMap(r.tiers).map(([k, t]) => [k, { ...t, ci_profiles: [...t.ci_profiles].sort() }]),
  };
}

describe('mergeRollups', () => {
  it('merging the rollups of any split of the records equals the rollup of all of them', () => {
    const recs = sample();
    const whole = normal(rollupsOf(recs));
    for (const cut of [0, 1, 17, 60, recs.length - 1, recs.length]) {
      const merged = mergeRollups(rollupsOf(recs.slice(cut)), rollupsOf(recs.slice(0, cut)));
      expect(normal(merged)).toEqual(whole);
    }
    // three interleaved parts, merged in another order
    const parts = [0, 1, 2].map((k) => rollupsOf(recs.filter((_, i) => i % 3 === k)));
    expect(normal(mergeRollups(mergeRollups(parts[2]!, parts[0]!), parts[1]!))).toEqual(whole);
  });
});

describe('rollup codec', () => {
  it('round-trips every field, including token values beyond 32 bits', async () => {
    const { encodeRollups, decodeRollups } = await import('../../src/store/rollup-codec.js');
    const recs = sample();
    recs.push(phase({ category: 'huge', tokens_used: 2 ** 40 + 3 }));
    const r = rollupsOf(recs);
    const back = decodeRollups(JSON.parse(JSON.stringify(encodeRollups(r))));
    expect(normal(back)).toEqual(normal(r));
  });
});

describe('binary rollups file', () => {
  it('round-trips several files’ rollups, with values beyond 32 bits and empty ones', async () => {
    const { writeRollupsFile, readRollupsFile } = await import('../../src/store/rollup-file.js');
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const recs = sample();
    const a = rollupsOf(recs.slice(0, 50));
    const b = rollupsOf([...recs.slice(50), phase({ category: 'huge', tokens_used: 2 ** 40 + 3 })]);
    const empty = rollupsOf([]);
    const path = join(await mkdtemp(join(tmpdir(), 'tokentune-rf-')), 'r.bin');
    await writeRollupsFile(path, new Map([['1:2', a], ['1:3', b], ['gone:x', empty]]));
    const back = await readRollupsFile(path);
    expect([...back.keys()]).toEqual(['1:2', '1:3', 'gone:x']);
    expect(normal(back.get('1:2')!)).toEqual(normal(a));
    expect(normal(back.get('1:3')!)).toEqual(normal(b));
    expect(normal(back.get('gone:x')!)).toEqual(normal(empty));
  });
});

describe('RollupBuilder', () => {
  it('seals runs and packs tokens mid-way without changing what the rollup stands for', async () => {
    const { emptyRollups } = await import('../../src/store/rollup.js');
    const { RollupBuilder } = await import('../../src/store/rollup-builder.js');
    const recs = sample();
    const plain = rollupsOf(recs);
    // Seal every 2 runs: many seals, a stack of tables merged as it grows, lists packed again and again.
    for (const sealAt of [1, 2, 5]) {
      const builder = new RollupBuilder(emptyRollups(), sealAt);
      recs.forEach((rec) => builder.add(rec));
      const compacted = builder.finish();
      expect(compacted.runs.size).toBe(0);
      expect(normal(compacted)).toEqual(normal(plain));
      // every list packed, and sorted, as percentiles and the rollups file expect
      for (const b of compacted.phases.values()) {
        expect(b.tokens).toBeInstanceOf(Uint32Array);
        expect([...b.tokens]).toEqual([...b.tokens].sort((x, y) => x - y));
      }
    }
  });
});

describe('pruneRollups', () => {
  it('drops what is older than the cutoff, runs by their last record, and leaves a rollup with nothing older alone', async () => {
    const { dayOf, pruneRollups } = await import('../../src/store/rollup.js');
    const { RollupBuilder } = await import('../../src/store/rollup-builder.js');
    const DAY = 86_400_000;
    // Run "long" spans days 0-4; "old" ends on day 1; "new" lives on day 4. Sealed, as rollups on disk are.
    const records = [
      phase({ category: 'a', run_id: 'long', ts: T0 }),
      phase({ category: 'a', run_id: 'long', ts: T0 + 4 * DAY }),
      phase({ category: 'a', run_id: 'old', ts: T0 + DAY }),
      ci({ run_id: 'old', ts: T0 + DAY }),
      call({ model: 'claude-haiku-4-5', run_id: 'new', ts: T0 + 4 * DAY }),
      phase({ category: 'b', run_id: 'new', ts: T0 + 4 * DAY }),
    ];
    const r = rollupsOf([]);
    const b = new RollupBuilder(r, 2);
    for (const rec of records) b.add(rec);
    b.finish();
    const day0 = dayOf(T0);

    expect(pruneRollups(r, day0)).toBe(false); // nothing older than day 0
    expect(runSummaries(r).map((s) => s.run_id)).toEqual(['long', 'new', 'old']);

    expect(pruneRollups(r, day0 + 2)).toBe(true);
    expect(runSummaries(r).map((s) => s.run_id)).toEqual(['long', 'new']);
    expect([...r.phases.values()].every((p) => p.day >= day0 + 2)).toBe(true);
    expect([...r.tiers.values()].every((t) => t.day >= day0 + 2)).toBe(true);

    // Every bucket left is on day 4: the run table is not walked, and nothing changes.
    expect(pruneRollups(r, day0 + 4)).toBe(false);
    expect(runSummaries(r).map((s) => s.run_id)).toEqual(['long', 'new']);
    expect(pruneRollups(r, day0 + 5)).toBe(true);
    expect(runSummaries(r)).toEqual([]);
  });
});
