import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReplayLog, tuneAndMerge } from '../helpers/replay.js';
import { tempDir } from '../helpers/cli.js';
import { readMycoConfig, simulateMycoWeek, writeMycoRepo, type MycoWeek } from '../helpers/myco-fleet.js';

/**
 * Proposals for scheduled tasks must survive being followed: six weekly proposals on a simulated Myco
 * project, each merged before the next week runs, compared with the same project never tuned.
 */
const WEEK = 7 * 86_400_000;
const START = Date.UTC(2026, 8, 7);

describe('closed-loop replay of scheduled tasks', () => {
  it("six weekly proposals applied in turn keep each task's success, cut the weekly bill and cap hits, and never reverse a key", async () => {
    const dir = await tempDir('tokentune-myco-replay-');
    const repo = await writeMycoRepo(dir);
    const initial = await readMycoConfig(repo.yaml);
    for (let w = -2; w < 0; w++) simulateMycoWeek(w, START + w * WEEK, initial, repo.db);

    const tuned: MycoWeek[] = [];
    const untuned: MycoWeek[] = [];
    const replay = newReplayLog();
    const { moves, lines: log } = replay;
    for (let w = 0; w < 6; w++) {
      await tuneAndMerge({ config: repo.config, now: new Date(START + w * WEEK + 3_600_000), xdg: join(dir, 'xdg'), week: w, keyOf: (c) => `${c.kind}:${c.category}:${c.key ?? ''}`, log: replay });
      tuned.push(simulateMycoWeek(w, START + w * WEEK, await readMycoConfig(repo.yaml), repo.db));
      untuned.push(simulateMycoWeek(w, START + w * WEEK, initial));
    }

    const rate = (x: MycoWeek) => x.successes / x.runs;
    const table = tuned.map(
      (t, w) =>
        `week ${w}: success ${(rate(t) * 100).toFixed(1)}% vs ${(rate(untuned[w]!) * 100).toFixed(1)}%; $${t.usd.toFixed(2)} vs $${untuned[w]!.usd.toFixed(2)}; no-ops ${t.noops} vs ${untuned[w]!.noops}; cap hits ${t.capHits} vs ${untuned[w]!.capHits}`,
    );
    const story = [...log, ...table].join('\n');

    // Each task's success holds within the drop an outcome tolerates (a cheaper model may cost a point or two).
    const taskRate = (xs: MycoWeek[], task: string) => xs.reduce((s, x) => s + (x.tasks[task]?.successes ?? 0), 0) / xs.reduce((s, x) => s + (x.tasks[task]?.runs ?? 0), 0);
    for (const task of Object.keys(tuned[0]!.tasks)) expect(taskRate(tuned, task), `${task}\n${story}`).toBeGreaterThanOrEqual(taskRate(untuned, task) - 0.05);
    const sum = (xs: MycoWeek[], f: (x: MycoWeek) => number) => xs.reduce((s, x) => s + f(x), 0);
    expect(
      sum(tuned.slice(3), (x) => x.usd),
      story,
    ).toBeLessThan(0.9 * sum(untuned.slice(3), (x) => x.usd));
    expect(
      sum(tuned.slice(3), (x) => x.capHits),
      story,
    ).toBeLessThan(sum(untuned.slice(3), (x) => x.capHits) / 4);
    for (const [key, dirs] of moves) expect(new Set(dirs).size, `${key} reversed itself: ${dirs.join(', ')}\n${story}`).toBe(1);
    const said = log.join('\n');
    expect(said, story).toMatch(/turn_budget:full-intelligence:extract 35 → /);
    expect(said, story).toMatch(/schedule:vault-evolve: 1800 → 3600[\s\S]*schedule:vault-evolve: 3600 → 7200/);
    expect(said, story).toMatch(/model:title-summary: claude-sonnet-5-5 → claude-haiku-4-5/);
    expect(said, story).not.toMatch(/title-summary-custom/);
    // Work that piles up gets a shorter interval, once; a task that finishes its work does not.
    expect(said, story).toMatch(/schedule:digest: 3600 → 1800/);
    expect(moves.get('schedule:digest:')).toEqual(['down']);
    expect(moves.has('schedule:skill-evolve:'), story).toBe(false);
  }, 180_000);
});
