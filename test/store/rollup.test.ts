import { describe, expect, it } from 'vitest';
import { call, ci, memoryState, phase, rollupsOf, T0 } from '../helpers/records.js';

function sample() {
  const recs = [];
  for (let i = 0; i < 60; i++) {
    const run_id = `r${i % 7}`;
    const ts = T0 - (i % 5) * 86_400_000 + i * 1000;
    recs.push(
      phase({
        category: i % 3 ? 'a' : 'b',
        run_id,
        ts,
        tier_id: `T${i % 2}`,
        tokens_used: 1000 + i,
        outcome: i % 4 ? 'success' : 'failed',
        retries: i % 3,
        truncated: i % 9 === 0,
        incident_token_cap: 5000 + (i % 5),
      }),
      call({ model: i % 2 ? 'claude-haiku-4-5' : 'claude-sonnet-4-5', role: ['builder', 'auditor', 'planner'][i % 3]!, run_id, ts, input_tokens: i, output_tokens: 2 * i }),
    );
    if (i % 6 === 0) recs.push(ci({ run_id, ts, tier_id: `T${i % 2}`, ci_profile: i % 12 ? 'ci_standard' : 'ci_strict', runs: 3, failures_caught: 1, tokens_equivalent: 100 }));
  }
  return recs;
}

/** A view compared as data: buckets merged by key, token lists sorted. */
function normalView(v: ReturnType<ReturnType<typeof memoryState>['view']>) {
  const phases = new Map<string, { phases: number; tokens: number[]; cap: number; cap_ts: number }>();
  for (const b of v.phases) {
    const k = `${b.day}/${b.category}/${b.complexity}/${b.model}`;
    const a = phases.get(k) ?? { phases: 0, tokens: [], cap: 0, cap_ts: -1 };
    a.phases += b.phases;
    a.tokens.push(...b.tokens);
    if (b.cap_ts > a.cap_ts) [a.cap, a.cap_ts] = [b.cap, b.cap_ts];
    phases.set(k, a);
  }
  for (const a of phases.values()) a.tokens.sort((x, y) => x - y);
  const calls = new Map<string, number>();
  for (const c of v.calls) calls.set(`${c.day}/${c.model}/${c.role}`, (calls.get(`${c.day}/${c.model}/${c.role}`) ?? 0) + c.input + c.output);
  const tiers = [...v.tiers].map(([k, t]) => [k, { ...t, ci_profiles: [...t.ci_profiles].sort() }]).sort();
  return { phases: [...phases].sort(), calls: [...calls].sort(), tiers, runs: v.runs };
}

describe('rollups in the state database', () => {
  it('adding parts, to one unit or to several, reads back as the whole; token values beyond 32 bits survive', () => {
    const recs = [...sample(), phase({ category: 'huge', tokens_used: 2 ** 40 + 3 })];
    const day = Math.floor(T0 / 86_400_000);
    const whole = memoryState();
    whole.addRollups(whole.addUnit('w', 'tokentune-jsonl', 'w', null), rollupsOf(recs));
    const expected = normalView(whole.view(day - 10, day + 1));
    expect(expected.phases.some(([, b]) => b.tokens.includes(2 ** 40 + 3))).toBe(true);

    const parts = memoryState();
    const one = parts.addUnit('a', 'tokentune-jsonl', 'a', null);
    const two = parts.addUnit('b', 'tokentune-jsonl', 'b', null);
    parts.addRollups(one, rollupsOf(recs.slice(0, 20)));
    parts.addRollups(two, rollupsOf(recs.slice(20, 70)));
    parts.addRollups(one, rollupsOf(recs.slice(70)));
    expect(normalView(parts.view(day - 10, day + 1))).toEqual(expected);
    // the window's runs come merged across units, in start order
    const runs = parts.view(day - 10, day + 1).runs;
    expect([...runs.first_ts]).toEqual([...runs.first_ts].sort((a, b) => a - b));
    expect(runs.count).toBe(new Set(recs.map((r) => r.run_id)).size);
  });

  it('prunes only per-record detail: rollups and runs of any age stay', () => {
    const DAY = 86_400_000;
    const state = memoryState();
    const unit = state.addUnit('u', 'tokentune-jsonl', 'u', null);
    state.addRollups(
      unit,
      rollupsOf([
        phase({ category: 'a', run_id: 'long', ts: T0 }),
        phase({ category: 'a', run_id: 'long', ts: T0 + 4 * DAY }),
        phase({ category: 'a', run_id: 'old', ts: T0 + DAY }),
        ci({ run_id: 'old', ts: T0 + DAY }),
        phase({ category: 'b', run_id: 'new', ts: T0 + 4 * DAY }),
      ]),
    );
    const day0 = Math.floor(T0 / DAY);
    const ids = () =>
      state
        .view(0, day0 + 10)
        .runs.recent.map((r) => r.run_id)
        .sort();
    expect(state.prune(day0 + 5)).toBe(false);
    expect(ids()).toEqual(['long', 'new', 'old']);
    expect(state.view(0, day0 + 10).phases.reduce((a, p) => a + p.phases, 0)).toBe(4);
  });
});

describe('a damaged state database', () => {
  it('fails its integrity check with the file and the fix, once a day at most', async () => {
    const { mkdtemp, readFile, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { openStateDb, State } = await import('../../src/store/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'tokentune-integrity-'));
    const fill = new State(openStateDb(dir), join(dir, 'state.db'));
    fill.begin();
    const unit = fill.addUnit('u', 'tokentune-jsonl', 'u', null);
    fill.addRollups(unit, rollupsOf(sample()));
    fill.admitAll(
      unit,
      Array.from({ length: 5000 }, (_, i) => `key-${i}`),
      Array.from({ length: 5000 }, () => 1),
    );
    fill.checkIntegrity(10);
    fill.commit();
    fill.close();
    // Spoil a page near the end of the file: the seen table's keys, written last, fill it; the schema
    // and the tables' roots are at its start.
    const file = join(dir, 'state.db');
    const bytes = await readFile(file);
    const page = 4096;
    const at = bytes.length - 3 * page;
    bytes.fill(0x5a, at + 8, at + page);
    await writeFile(file, bytes);
    const state = new State(openStateDb(dir), file);
    state.begin();
    expect(() => state.checkIntegrity(10)).not.toThrow(); // checked today already
    expect(() => state.guard(() => state.checkIntegrity(11))).toThrow(/fails its integrity check|is damaged/);
    expect(() => state.guard(() => state.checkIntegrity(11))).toThrow(/--rebuild-state/);
    state.close();
  });
});
