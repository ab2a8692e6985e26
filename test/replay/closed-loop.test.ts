import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReplayLog, tuneAndMerge } from '../helpers/replay.js';
import { FLEET, readFleetConfig, simulateWeek, writeFleetRepo, type FleetConfig, type WeekResult } from '../helpers/fleet.js';
import { tempDir } from '../helpers/cli.js';

/**
 * Proposals must survive being followed: six weekly proposals, each merged before the next week's
 * telemetry, on a fleet whose per-model success rates and token needs are known. The tuned fleet is
 * compared with the same fleet never tuned, on the same random draws.
 */
const WEEK = 7 * 86_400_000;
const START = Date.UTC(2026, 6, 6);

describe('closed-loop replay', () => {
  it('six weekly proposals applied in turn keep success, cut cost per success, and never reverse a key', async () => {
    const dir = await tempDir('tokentune-replay-');
    const repo = await writeFleetRepo(dir);
    const initial = await readFleetConfig(repo.targets);
    // Four weeks of history under the initial config.
    for (let w = -4; w < 0; w++) await simulateWeek(w, START + w * WEEK, initial, repo.telemetry);

    const untuned: (WeekResult & { byCategory: Record<string, WeekResult> })[] = [];
    const tuned: typeof untuned = [];
    const replay = newReplayLog();
    const { moves, lines: log } = replay;
    for (let w = 0; w < 6; w++) {
      // The build-lead merges each proposal as it stands.
      await tuneAndMerge({
        config: repo.config,
        now: new Date(START + w * WEEK + 3_600_000),
        xdg: join(dir, 'xdg'),
        week: w,
        keyOf: (c) => `${c.kind}:${c.category ?? c.key}:${c.complexity ?? ''}`,
        log: replay,
      });
      const config: FleetConfig = await readFleetConfig(repo.targets);
      tuned.push(await simulateWeek(w, START + w * WEEK, config, repo.telemetry));
      untuned.push(await simulateWeek(w, START + w * WEEK, initial));
    }

    const rate = (x: WeekResult) => x.successes / x.phases;
    const perSuccess = (xs: WeekResult[]) => xs.reduce((s, x) => s + x.usd, 0) / xs.reduce((s, x) => s + x.successes, 0);
    const table = tuned.map(
      (t, w) =>
        `week ${w}: success ${(rate(t) * 100).toFixed(1)}% vs ${(rate(untuned[w]!) * 100).toFixed(1)}% untuned; $/success ${perSuccess([t]).toFixed(3)} vs ${perSuccess([untuned[w]!]).toFixed(3)}`,
    );
    const byCategory = FLEET.map((c) => {
      const of = (xs: typeof tuned) =>
        xs.reduce((a, x) => ({ phases: a.phases + x.byCategory[c.name]!.phases, successes: a.successes + x.byCategory[c.name]!.successes, usd: a.usd + x.byCategory[c.name]!.usd }), {
          phases: 0,
          successes: 0,
          usd: 0,
        });
      const [t, u] = [of(tuned.slice(3)), of(untuned.slice(3))];
      return `${c.name} (weeks 3–5): success ${(rate(t) * 100).toFixed(1)}% vs ${(rate(u) * 100).toFixed(1)}% untuned; $/success ${perSuccess([t]).toFixed(3)} vs ${perSuccess([u]).toFixed(3)}`;
    });
    const story = [...log, ...table, ...byCategory].join('\n');
    if (process.env.REPLAY_STORY) console.log(story);

    for (let w = 0; w < 6; w++) expect(rate(tuned[w]!), story).toBeGreaterThanOrEqual(rate(untuned[w]!) - 0.01);
    // Each category over the scored weeks, not only the fleet: within a point of the untuned fleet.
    for (const c of FLEET) {
      const of = (xs: typeof tuned) =>
        xs.slice(3).reduce((a, x) => ({ phases: a.phases + x.byCategory[c.name]!.phases, successes: a.successes + x.byCategory[c.name]!.successes, usd: 0 }), { phases: 0, successes: 0, usd: 0 });
      expect(rate(of(tuned)), `${c.name}\n${story}`).toBeGreaterThanOrEqual(rate(of(untuned)) - 0.01);
    }
    expect(perSuccess(tuned.slice(3)), story).toBeLessThan(perSuccess(untuned.slice(3)));
    for (const [key, dirs] of moves) expect(new Set(dirs).size, `${key} reversed itself: ${dirs.join(', ')}\n${story}`).toBe(1);
    // The fleet's shaped decisions were all made.
    expect(log.join('\n'), story).toMatch(/model:docs:low claude-sonnet-5-5 → claude-haiku-4-5/);
    expect(log.join('\n')).toMatch(/model:integration:high claude-sonnet-5-5 → claude-opus-5-5/);
    expect(log.join('\n')).toMatch(/token_cap:schema: 800000 → 1000000/);
    expect(FLEET.length).toBe(6);
  }, 120_000);
});
