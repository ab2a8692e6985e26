import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { analyze } from '../../src/rules/analyze.js';
import type { KeyHistory } from '../../src/rules/context.js';
import { ruleContext } from '../../src/rules/rule-context.js';
import { computeStats } from '../../src/stats/compute.js';
import { percentileOfSorted } from '../../src/stats/percentiles.js';
import { resolveWindow } from '../../src/stats/window.js';
import type { TrackedChange } from '../../src/store/history.js';
import { applyChanges } from '../../src/targets/apply.js';
import { readTargets } from '../../src/targets/read.js';
import { appliedAt } from '../helpers/changes.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { stateOf } from '../helpers/records.js';

interface TypeTruth {
  invocations: number;
  success: number;
  failed: number;
  interrupted: number;
  redispatched: number;
  tool_errors: number;
  turns: number[];
  expect: { kind: string; from: string | number; to: string | number; direction: string } | null;
}

describe('subagents generated with known types and outcomes', () => {
  it('gets exactly the proposals and the evidence their truth implies', async () => {
    const out = await tempDir('tokentune-subagents-');
    const end = new Date().toISOString().slice(0, 10);
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-subagents.mjs'), '--out', out, '--end', end, '--seed', '7'], { stdio: 'ignore' });
    const truth = JSON.parse(await readFile(join(out, 'truth.json'), 'utf8')) as { types: Record<string, TypeTruth> };
    const repo = join(out, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    const files = (await readdir(join(repo, '.claude/agents'))).sort();
    await writeFile(
      join(repo, 'tokentune.yaml'),
      `sources: [{format: claude-code, path: ../claude/projects}]\ntargets:\n${files.map((f) => `  - {path: .claude/agents/${f}, preset: claude-agents}\n`).join('')}publish: {enabled: false}\n`,
    );
    const r = await tune(['--dry-run', '--json', '--config', join(repo, 'tokentune.yaml')], {}, { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      changes: { kind: string; category: string; from: unknown; to: unknown; direction: string; evidence: Record<string, unknown> }[];
      findings: { category: string; message: string }[];
      report: string;
    };

    // One change per type whose truth expects one, the one it expects; none for the others.
    const expected = Object.entries(truth.types).flatMap(([type, t]) => (t.expect ? [{ category: type, ...t.expect }] : []));
    const got = j.changes.map((c) => ({ category: c.category, kind: c.kind, from: c.from, to: c.to, direction: c.direction }));
    expect(got.sort((a, b) => a.category.localeCompare(b.category))).toEqual(expected.sort((a, b) => a.category.localeCompare(b.category)));

    // The evidence of each model and effort change counts what was planted.
    for (const c of j.changes.filter((x) => x.kind !== 'turn_budget')) {
      const t = truth.types[c.category]!;
      const withOutcome = t.success + t.failed + t.redispatched;
      expect(c.evidence).toMatchObject({ invocations: withOutcome, redispatched: t.redispatched, interrupted: t.interrupted, success_rate: Math.round((t.success / withOutcome) * 1e4) / 1e4 });
      expect(c.evidence['tool_errors_per_invocation']).toBeCloseTo(t.tool_errors / t.invocations, 3);
    }
    // The turn bound is sized by the turns of the runs that finished: their P95 as the truth has it.
    const builder = j.changes.find((c) => c.kind === 'turn_budget')!;
    const t = truth.types['builder']!;
    expect(builder.evidence).toMatchObject({ runs: t.invocations, cap_hits: 0, finished_runs: t.success });
    expect(builder.evidence['p95_turns']).toBeCloseTo(
      percentileOfSorted(
        t.turns.slice().sort((a, b) => a - b),
        95,
      ),
      0,
    );

    // The agent that inherits and ran on two models is named, not changed; the built-in one is reported only.
    expect(j.findings.find((f) => f.category === 'helper')?.message).toMatch(/several models, none in nine of ten/);
    expect(j.findings.filter((f) => f.category === 'helper')).toHaveLength(1);
    expect(j.findings.find((f) => f.category === 'Explore')?.message).toMatch(/downgrade candidate to claude-haiku-5-5.*nothing is proposed/);
    // The report's table has every type's runs, interruptions and re-dispatches.
    for (const [type, x] of Object.entries(truth.types)) {
      const rows = j.report.split('\n').filter((l) => l.startsWith(`| ${type} |`));
      const cells = rows.map((l) => l.split('|').map((s) => s.trim()));
      expect(cells.reduce((a, c) => a + Number(c[3]), 0)).toBe(x.invocations);
      expect(cells.reduce((a, c) => a + Number(c[6]), 0)).toBe(x.redispatched);
      expect(cells.reduce((a, c) => a + Number(c[7]), 0)).toBe(x.interrupted);
    }
  });

  it('follows each merged change by the runs after it, and reverts the one whose runs did worse', async () => {
    const DAY = 86_400_000;
    const out = await tempDir('tokentune-subagents-loop-');
    // Two weeks before the merge, ten days after it; the clock is the test's, so both lie in the past.
    const merged = Math.floor(Date.now() / DAY) - 20;
    const iso = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
    const gen = (...args: string[]) => execFileSync(process.execPath, [join(ROOT, 'scripts/generate-subagents.mjs'), '--out', out, ...args], { stdio: 'ignore' });
    gen('--end', iso(merged), '--seed', '7');
    gen('--end', iso(merged + 12), '--days', '10', '--seed', '8', '--after');
    const after = JSON.parse(await readFile(join(out, 'truth-after.json'), 'utf8')) as { types: Record<string, { expect: { verdict: string; revert_to?: string } | null }> };

    const state = await stateOf([{ path: join(out, 'claude/projects'), format: 'claude-code' }], new Date((merged + 12) * DAY));
    const loaded = parseConfig('sources: [{format: claude-code, path: x}]\n', '/t/tuner.yaml');
    const agentsDir = join(out, 'repo/.claude/agents');
    const files = async () =>
      Promise.all(
        (await readdir(agentsDir)).sort().map(async (f) => ({ path: join(agentsDir, f), display: `.claude/agents/${f}`, preset: 'claude-agents', text: await readFile(join(agentsDir, f), 'utf8') })),
      );
    const analyzeAt = async (day: number, history?: KeyHistory) => {
      const range = resolveWindow({ days: 28, maxTs: day * DAY });
      const view = state.view(range.since, range.until);
      const stats = computeStats(view, { range, pricing: loaded.pricing, defaultOutputShare: loaded.config.pricing.default_output_share });
      const targets = readTargets(await files());
      return { result: analyze(ruleContext(loaded, stats, targets, { view, range }, { now: new Date(day * DAY), ...(history ? { history } : {}) })), targets };
    };

    // The proposal on the day of the merge, merged as it stands.
    const first = await analyzeAt(merged);
    const proposed = first.result.changes;
    expect(proposed.map((c) => c.category).sort()).toEqual(['builder', 'explorer', 'planner', 'reviewer']);
    for (const f of applyChanges(proposed, first.targets)) await writeFile(f.path, f.after);
    // Merged the day they were proposed.
    const tracked: TrackedChange[] = proposed.map((change, i) => ({ ...appliedAt(change, merged * DAY, { id: i + 1, proposal: 'p1' }), merged_day: merged }));
    const history: KeyHistory = { applied: tracked, since: new Map(tracked.map((t) => [t.key, merged])) };

    // Ten days on: each outcome is the verdict the truth expects, and only the reviewer goes back.
    const later = await analyzeAt(merged + 12, history);
    for (const [type, t] of Object.entries(after.types)) {
      if (!t.expect) continue;
      expect(later.result.outcomes.find((o) => o.change.category === type)?.verdict, type).toBe(t.expect.verdict);
    }
    const reverts = later.result.changes.filter((c) => c.evidence['reverts'] !== undefined);
    expect(reverts.map((c) => [c.category, c.to])).toEqual([['reviewer', 'claude-sonnet-5-5']]);
    const [file] = applyChanges(reverts, later.targets);
    expect(file!.after).toContain('\nmodel: claude-sonnet-5-5\n');
  });
});
