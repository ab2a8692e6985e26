import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { percentileOfSorted } from '../../src/stats/percentiles.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

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
});
