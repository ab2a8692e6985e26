import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

interface Truth {
  kinds: Record<string, { occurrences: number; calls: number; tokens: number; usd: number }>;
  orchestrator: { sessions: number; calls: number; usd: number };
  calls: number;
  usd: number;
}

describe('the waste detectors', () => {
  it('find every planted case at its cost, and nothing in the clean sessions', async () => {
    const dir = await tempDir('tokentune-waste-');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-waste.mjs'), '--out', dir, '--clean', '40', '--seed', '5'], { stdio: 'ignore' });
    const truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as Truth;
    await writeFile(join(dir, 't.yaml'), `sources: [{format: claude-code, path: ${join(dir, 'projects')}}]\n`);
    const r = await tune(['report', 'waste', '--json', '--config', join(dir, 't.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      calls: number;
      usd: number;
      findings: { kind: string; occurrences: number; calls: number; tokens: number; usd: number; saving_usd: number }[];
      orchestrator: Truth['orchestrator'];
    };
    expect(report.calls).toBe(truth.calls);
    expect(report.usd).toBeCloseTo(truth.usd, 6);
    // Exactly the planted kinds: the clean part adds none.
    expect(report.findings.map((f) => f.kind).sort()).toEqual(Object.keys(truth.kinds).sort());
    for (const f of report.findings) {
      const t = truth.kinds[f.kind]!;
      expect([f.kind, f.occurrences, f.calls, f.tokens]).toEqual([f.kind, t.occurrences, t.calls, t.tokens]);
      expect(Math.abs(f.usd - t.usd) / t.usd, f.kind).toBeLessThan(0.01);
      expect(f.saving_usd).toBeGreaterThan(0);
      expect(f.saving_usd).toBeLessThanOrEqual(f.usd + 1e-12);
    }
    expect(report.orchestrator).toMatchObject({ sessions: truth.orchestrator.sessions, calls: truth.orchestrator.calls });
    expect(report.orchestrator.usd).toBeCloseTo(truth.orchestrator.usd, 9);

    // As Markdown: a row per kind, and the advice.
    const md = (await tune(['report', 'waste', '--config', join(dir, 't.yaml')])).stdout;
    expect(md).toMatch(/^\| Polling loops \| 1 \| 4 \| /m);
    expect(md).toContain('run the job in the background and wait on it once');
    expect(md).toMatch(/\*\*Orchestrators\*\*: 1 main conversation that dispatched subagents cost \$/);
  });

  it('shows a hostile path escaped, and names a config without transcripts', async () => {
    const dir = await tempDir('tokentune-waste-hostile-');
    await mkdir(join(dir, 'projects/p'), { recursive: true });
    const path = '/tmp/\u001b]0;owned\u0007x.py';
    const line = (i: number) =>
      JSON.stringify({
        sessionId: 's',
        type: 'assistant',
        timestamp: new Date(Date.UTC(2026, 10, 1, 10, 0, i)).toISOString(),
        message: {
          id: `m${i}`,
          model: 'claude-sonnet-4-5',
          content: [{ type: 'tool_use', id: `t${i}`, name: 'Read', input: { file_path: path } }],
          usage: { input_tokens: 10, output_tokens: 10, cache_read_input_tokens: 1000 },
        },
      });
    await writeFile(join(dir, 'projects/p/s.jsonl'), [0, 1, 2].map(line).join('\n') + '\n');
    await writeFile(join(dir, 't.yaml'), `sources: [{format: claude-code, path: ${join(dir, 'projects')}}]\n`);
    const md = (await tune(['report', 'waste', '--config', join(dir, 't.yaml')])).stdout;
    expect(md).toMatch(/^\| Files read again and again \| 1 \| 2 \| /m);
    expect(md).not.toContain('\u001b');
    expect(md).not.toContain('\u0007');

    await writeFile(join(dir, 'other.yaml'), `sources: [{format: tokentune-jsonl, path: ${join(dir, 'projects')}}]\n`);
    const none = await tune(['report', 'waste', '--config', join(dir, 'other.yaml')]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('no claude-code source: the waste detectors read Claude Code transcripts');
  });

  it('reach the weekly report, and the LLM prompt as counts and totals only', async () => {
    const dir = await tempDir('tokentune-waste-weekly-');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-waste.mjs'), '--out', dir, '--clean', '10', '--seed', '6'], { stdio: 'ignore' });
    const repo = join(dir, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    await mkdir(join(repo, '.claude/agents'), { recursive: true });
    await writeFile(join(repo, '.claude/agents/explore.md'), '---\nname: Explore\nmodel: sonnet\n---\nExplore.\n');
    await writeFile(
      join(repo, 't.yaml'),
      `sources: [{format: claude-code, path: ${join(dir, 'projects')}}]\ntargets: [{path: .claude/agents/explore.md, preset: claude-agents}]\npublish: {enabled: false}\n`,
    );
    const r = await tune(['--dry-run', '--force', '--show-prompt', '--json', '--config', join(repo, 't.yaml')], {}, { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { report: string; prompt: { user: string } };
    expect(j.report).toContain('## Waste in agent sessions');
    expect(j.report).toMatch(/^\| Polling loops \| 1 \| 4 \| /m);
    expect(j.prompt.user).toMatch(/^polling \| 1 \| 4 \| /m);
    // No path, command or session of a transcript reaches the prompt.
    expect(j.prompt.user).not.toContain('/home/dev/repo');
    expect(j.prompt.user).not.toContain('pytest');
    expect(j.prompt.user).not.toContain('rereads-6');
  });

  it("show in the README as the example's report prints them", async () => {
    const printed = (await tune(['report', 'waste', '--config', join(ROOT, 'config/waste.example.yaml')])).stdout;
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const rows = (text: string) => text.split('\n').filter((l) => /^\| [A-Z][a-z].* \| \d+ \| \d+ \| /.test(l));
    expect(rows(printed)).toHaveLength(7);
    expect(rows(readme)).toEqual(rows(printed));
  });
});
