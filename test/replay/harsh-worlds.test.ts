import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTune } from '../../src/run/index.js';
import { newReplayLog, tuneAndMerge } from '../helpers/replay.js';
import { readFleetConfig, simulateWeek, writeFleetRepo, type FleetCategory, type FleetConfig, type WeekResult } from '../helpers/fleet.js';
import { tempDir } from '../helpers/cli.js';

/**
 * A harsher replay: each category is a world where an earlier version's downgrades lost success, and
 * the cheaper model is always much worse at the work, so any step onto it costs success. Weekly runs
 * at the clock each week would have, each proposal merged before the next week's telemetry.
 */
const WORLDS: FleetCategory[] = [
  // Headroom made by our own raise: sonnet fails 4% of the work, and those phases run past the cap
  // (510K); raised to 640K, P95 sits under 70% of it and looks easy, but the tail is still there, and
  // haiku fails a quarter of the work. Before the bounds and cool-downs: raised in week 0, down to
  // haiku in week 1, both back in week 2.
  {
    name: 'api',
    complexity: 'low',
    perRun: 2,
    sd: 0.18,
    failMult: 2,
    retries: [0.1, 1],
    models: { 'claude-haiku-4-5': { success: 0.74, tokens: 330_000 }, 'claude-sonnet-5-5': { success: 0.96, tokens: 300_000 }, 'claude-opus-5-5': { success: 0.97, tokens: 280_000 } },
  },
  // Compounding steps: opus to sonnet is safe, sonnet to haiku is not. Before: haiku in week 1.
  {
    name: 'lint',
    complexity: 'medium',
    perRun: 2,
    sd: 0.15,
    failMult: 1.3,
    retries: [0.05, 1],
    models: { 'claude-haiku-4-5': { success: 0.8, tokens: 75_000 }, 'claude-sonnet-5-5': { success: 0.985, tokens: 65_000 }, 'claude-opus-5-5': { success: 0.99, tokens: 60_000 } },
  },
  // Thin evidence: one phase a run, 91% on sonnet in its history (over "> 90%" on its face, not on its
  // bound); haiku at 70%. Before: haiku in week 0, back in week 1, haiku again in week 6.
  {
    name: 'ops',
    complexity: 'high',
    perRun: 1,
    sd: 0.15,
    failMult: 1.2,
    retries: [0.1, 1],
    models: { 'claude-haiku-4-5': { success: 0.7, tokens: 110_000 }, 'claude-sonnet-5-5': { success: 0.97, tokens: 100_000 }, 'claude-opus-5-5': { success: 0.95, tokens: 95_000 } },
  },
];

const MODELS = `LOW:\n  default: claude-sonnet-5-5\nMODERATE:\n  default: claude-sonnet-5-5\n  lint: claude-opus-5-5\nHIGH:\n  default: claude-sonnet-5-5\n`;
const STRATEGY = `category_defaults:\n  api:\n    incident_token_cap: 510_000\n  lint:\n    incident_token_cap: 400_000\n  ops:\n    incident_token_cap: 400_000\nrun_budget:\n  core_build_tokens: 6_000_000\n`;

const WEEK = 7 * 86_400_000;
const START = Date.UTC(2026, 6, 6);
const WEEKS = 7;

describe('harsher closed-loop replay', () => {
  it('no downgrade on self-made headroom or thin evidence, no second step by itself, every category within a point', async () => {
    const dir = await tempDir('tokentune-harsh-');
    const repo = await writeFleetRepo(dir, { models: MODELS, strategy: STRATEGY });
    const initial = await readFleetConfig(repo.targets);
    for (let w = -4; w < 0; w++) await simulateWeek(w, START + w * WEEK, initial, repo.telemetry, WORLDS);

    const tuned: (WeekResult & { byCategory: Record<string, WeekResult> })[] = [];
    const untuned: typeof tuned = [];
    const replay = newReplayLog();
    for (let w = 0; w < WEEKS; w++) {
      await tuneAndMerge({
        config: repo.config,
        now: new Date(START + w * WEEK + 3_600_000),
        xdg: join(dir, 'xdg'),
        week: w,
        keyOf: (c) => `${c.kind}:${c.category ?? c.key}:${c.complexity ?? ''}`,
        log: replay,
      });
      const config: FleetConfig = await readFleetConfig(repo.targets);
      tuned.push(await simulateWeek(w, START + w * WEEK, config, repo.telemetry, WORLDS));
      untuned.push(await simulateWeek(w, START + w * WEEK, initial, undefined, WORLDS));
    }

    const sumOf = (xs: typeof tuned, name: string) =>
      xs.reduce((a, x) => ({ phases: a.phases + x.byCategory[name]!.phases, successes: a.successes + x.byCategory[name]!.successes, usd: a.usd + x.byCategory[name]!.usd }), {
        phases: 0,
        successes: 0,
        usd: 0,
      });
    const rate = (x: WeekResult) => x.successes / x.phases;
    const perSuccess = (x: WeekResult) => x.usd / x.successes;
    const table = WORLDS.map((c) => {
      const t = sumOf(tuned, c.name);
      const u = sumOf(untuned, c.name);
      return `${c.name}: success ${(rate(t) * 100).toFixed(1)}% vs ${(rate(u) * 100).toFixed(1)}% untuned; $/success ${perSuccess(t).toFixed(3)} vs ${perSuccess(u).toFixed(3)}`;
    });
    const story = [...replay.lines, ...table].join('\n');
    if (process.env.REPLAY_STORY) console.log(story);

    // Every category within a point of the untuned fleet: headroom of our own making and thin evidence
    // never lead onto the model that does worse.
    for (const { name } of WORLDS) expect(rate(sumOf(tuned, name)), `${name}\n${story}`).toBeGreaterThanOrEqual(rate(sumOf(untuned, name)) - 0.01);
    for (const name of ['api', 'ops']) expect(story).not.toMatch(new RegExp(`model:${name}:\\w+ \\S+ → claude-haiku-4-5`));
    // Compounding steps: the safe one at once; the second, which the evidence on sonnet qualifies, is
    // left to the build-lead (rules.downgrade.max_steps), so nothing is undone.
    const week = (re: RegExp) => replay.lines.findIndex((l) => re.test(l));
    const first = week(/model:lint:medium claude-opus-5-5 → claude-sonnet-5-5/);
    const weekOf = (i: number) => Number(/^week (\d+)/.exec(replay.lines[i]!)![1]);
    expect(weekOf(first), story).toBe(0);
    expect(week(/model:lint:medium claude-sonnet-5-5 → claude-haiku-4-5/), story).toBe(-1);
    // Asked at the end, past the drift gate, the rules say why the second step is not theirs to take.
    const last = await runTune({ configPath: repo.config, dryRun: true, force: true, now: new Date(START + WEEKS * WEEK + 3_600_000), env: { XDG_STATE_HOME: join(dir, 'xdg') } });
    const held = 'findings' in last ? last.findings.map((f) => f.message).join('\n') : '';
    expect(held, story).toMatch(
      /lint \(medium\) model: claude-sonnet-5-5 → claude-haiku-4-5 held back: it stepped down to claude-sonnet-5-5 on 2026-07-\d\d, and tokentune takes one step down in a row by itself \(rules\.downgrade\.max_steps\)/,
    );
    const all = (xs: typeof tuned) => xs.reduce((a, x) => ({ phases: a.phases + x.phases, successes: a.successes + x.successes, usd: a.usd + x.usd }), { phases: 0, successes: 0, usd: 0 });
    expect(perSuccess(all(tuned)), story).toBeLessThan(perSuccess(all(untuned)));
    // No key reverses itself.
    for (const [key, dirs] of replay.moves) expect(new Set(dirs).size, `${key} reversed itself: ${dirs.join(', ')}\n${story}`).toBe(1);
  }, 300_000);
});
