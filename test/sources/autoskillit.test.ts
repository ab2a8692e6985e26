import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duration, humanize } from '../../src/report/step.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

interface StepTruth {
  sessions: number;
  input: number;
  output: number;
  cache_creation: number;
  cache_read: number;
  seconds: number;
}
interface Truth {
  orders: Record<string, { orchestrator: string | null; steps: Record<string, StepTruth> }>;
  steps: Record<string, { expect: { kind: string; from: string; to: string; direction: string } | null }>;
  orchestrators: Record<string, { orders: Record<string, number>; input: number; output: number; cache_creation: number; cache_read: number }>;
}

async function generated() {
  const dir = await tempDir('tokentune-autoskillit-');
  execFileSync(process.execPath, [join(ROOT, 'scripts/generate-autoskillit.mjs'), '--out', dir, '--seed', '11'], { stdio: 'ignore' });
  const truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as Truth;
  const repo = join(dir, 'repo');
  execFileSync('git', ['init', '-q', repo]);
  const config = join(repo, 't.yaml');
  await writeFile(
    config,
    `sources:\n  - {format: autoskillit, path: ../logs}\n  - {format: claude-code, path: ../claude/projects}\ntargets:\n  - {path: recipes/remediation.yaml, preset: autoskillit}\n  - {path: config/defaults.yaml, preset: autoskillit}\npublish: {enabled: false}\n`,
  );
  return { dir, repo, config, truth, env: { XDG_STATE_HOME: join(dir, 'state') } };
}

describe("AutoSkillit's session logs", () => {
  it("sum an order's steps as its PR hook does, with the orchestrator's share beside them", async () => {
    const g = await generated();
    // A main-branch order (no orchestrator recorded) and a develop one whose orchestrator ran two orders.
    for (const order of ['700', '701']) {
      const r = await tune(['report', 'step', '--order', order, '--json', '--config', g.config], g.env, { cwd: g.repo });
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as {
        steps: { step: string; uncached: number; output: number; cache_read: number; cache_write: number; count: number; seconds: number }[];
        orchestrator: { share: number; cache_read: number } | null;
      };
      const t = g.truth.orders[order]!;
      expect(j.steps.map((s) => s.step)).toEqual(Object.keys(t.steps));
      for (const s of j.steps) {
        const x = t.steps[s.step]!;
        expect([s.uncached, s.output, s.cache_read, s.cache_write, s.count]).toEqual([x.input, x.output, x.cache_read, x.cache_creation, x.sessions]);
        expect(s.seconds).toBeCloseTo(x.seconds, 3);
      }
      if (!t.orchestrator) expect(j.orchestrator).toBeNull();
      else {
        const o = g.truth.orchestrators[t.orchestrator]!;
        const share = o.orders[order]! / Object.values(o.orders).reduce((a, b) => a + b, 0);
        expect(j.orchestrator!.share).toBeCloseTo(share, 9);
        expect(j.orchestrator!.cache_read).toBeCloseTo(o.cache_read * share, 6);
      }
    }
    // As the hook prints it: its columns, 1.2M and 3m 12s.
    const text = (await tune(['report', 'step', '--order', '701', '--config', g.config], g.env, { cwd: g.repo })).stdout;
    expect(text).toMatch(/^## Token Usage Summary\n\n\| Step \| uncached \| output \| cache_read \| cache_write \| count \| time \|\n/);
    expect(text).toMatch(/^\| \*\*Total\*\* \| /m);
    expect(text).toMatch(/^\| orchestrator \(\d+% of its session, not in the total\) \| /m);
    // Spend counts once: from the transcripts, never again from the sessions' own sums.
    const daily = JSON.parse((await tune(['report', 'daily', '--json', '--config', g.config], g.env, { cwd: g.repo })).stdout) as { totals: { cacheReadTokens: number } };
    expect(daily.totals.cacheReadTokens).toBe(Object.values(g.truth.orchestrators).reduce((a, o) => a + o.cache_read, 0));
    expect([humanize(28), humanize(5_480), humanize(870_900), humanize(22_800_000)]).toEqual(['28', '5.5k', '870.9k', '22.8M']);
    expect([duration(45), duration(192), duration(3_900)]).toEqual(['45s', '3m 12s', '1h 5m']);
  });

  it('tunes each recipe step by its sessions, and leaves a run-time expression alone', async () => {
    const g = await generated();
    const r = await tune(['--dry-run', '--json', '--config', g.config], g.env, { cwd: g.repo });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      changes: { category: string; kind: string; from: string; to: string; direction: string; pilot: boolean }[];
      findings: { category: string; message: string }[];
      diffs: Record<string, string>;
    };
    const expected = Object.entries(g.truth.steps).flatMap(([step, t]) => (t.expect ? [{ category: step, ...t.expect }] : []));
    expect(j.changes.map((c) => ({ category: c.category, kind: c.kind, from: c.from, to: c.to, direction: c.direction }))).toEqual(expect.arrayContaining(expected));
    expect(j.changes).toHaveLength(expected.length);
    expect(j.changes.find((c) => c.direction === 'up')?.pilot).toBe(true);
    // One line each, written as the recipe writes models (aliases), its comment kept.
    const diff = j.diffs['recipes/remediation.yaml']!;
    expect(diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      '-    model: opus        # deep reading of the failure',
      '+    model: sonnet        # deep reading of the failure',
      '-    model: sonnet',
      '+    model: opus',
    ]);
    expect(j.findings.find((f) => f.category === 'review')?.message).toBe('review: its model is an expression chosen at run time; its runs are not used to change it');
  });

  it('reads the transcripts its sessions name for waste, and says which step it was in', async () => {
    const g = await generated();
    await writeFile(join(g.repo, 'w.yaml'), 'sources: [{format: autoskillit, path: ../logs}]\n');
    const r = await tune(['report', 'waste', '--json', '--config', join(g.repo, 'w.yaml')], g.env, { cwd: g.repo });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { files: number; findings: { kind: string; occurrences: number; calls: number; by_step: Record<string, number>; top: { step?: string }[] }[] };
    expect(j.files).toBe(2);
    expect(j.findings.map((f) => [f.kind, f.occurrences, f.calls])).toEqual([['polling', 2, 8]]);
    expect(Object.keys(j.findings[0]!.by_step)).toEqual(['implement']);
    expect(j.findings[0]!.top.map((t) => t.step)).toEqual(['implement', 'implement']);
  });
});
