import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, TUNE, tune } from '../helpers/cli.js';

/** `tune log` as the build-lead calls it: the request on stdin, in the repository. */
function log(request: string, cwd: string): Promise<{ code: number | null; answer: Record<string, unknown>; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TUNE, 'log'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) => resolve({ code, answer: JSON.parse(out) as Record<string, unknown>, stderr: err }));
    child.stdin.end(request);
  });
}

const entry = (agent: string, model: string, input: number, output: number, cost: number) => ({
  agent,
  model,
  input_tokens: input,
  output_tokens: output,
  total_tokens: input + output,
  estimated_cost: cost,
});
const request = (task: string, at: string, entries: unknown[], mode = 'log_only', summary = 'Do the thing.') =>
  JSON.stringify({ mode, task_id: task, timestamp: at, user_request_summary: summary, entries });

describe('tune log, the usage-tracker', () => {
  it('writes each task log where the spec says, keeps the day summary, and never fails its caller', async () => {
    const repo = await tempDir('tokentune-tracker-');
    const first = await log(request('Add login form', '2026-12-01T09:05:00Z', [entry('build-lead', 'opus', 20_000, 5_000, 0.9), entry('ui-impl', 'sonnet', 8_000, 2_000, 0.06)]), repo);
    expect(first).toMatchObject({ code: 0, answer: { status: 'recorded', task_id: 'Add login form', log_path: 'token-usage/tasks/usage-2026-12-01-0905-add-login-form.json' } });
    const doc = JSON.parse(await readFile(join(repo, 'token-usage/tasks/usage-2026-12-01-0905-add-login-form.json'), 'utf8')) as { totals: unknown };
    expect(doc.totals).toEqual({ total_tokens: 35_000, by_model: { opus: 25_000, sonnet: 10_000 }, by_agent: { 'build-lead': 25_000, 'ui-impl': 10_000 }, estimated_cost: 0.96 });

    // The same request again is the same file; another in the same minute is a file of its own.
    await log(request('Add login form', '2026-12-01T09:05:00Z', [entry('build-lead', 'opus', 20_000, 5_000, 0.9), entry('ui-impl', 'sonnet', 8_000, 2_000, 0.06)]), repo);
    const other = await log(request('Add login form', '2026-12-01T09:05:30Z', [entry('api-impl', 'haiku', 1_000, 100, 0.002)], 'log_and_summarize'), repo);
    expect(other.answer).toMatchObject({
      log_path: 'token-usage/tasks/usage-2026-12-01-0905-add-login-form-2.json',
      summary: 'Add login form: 1,100 tokens, $0.00 across 1 agent(s). 2026-12-01 so far: $0.96 over 2 task(s).',
    });
    expect(await readdir(join(repo, 'token-usage/tasks'))).toHaveLength(2);
    const day = await readFile(join(repo, 'token-usage/usage-2026-12-01.md'), 'utf8');
    expect(day).toContain('| build-lead | opus | 20,000 | 5,000 | 25,000 | $0.90 |');
    expect(day).toContain('1. **Add login form**: Do the thing. 35,000 tokens, $0.96.');

    // Broken input: an answer and an error log, exit 0; a partly broken one logs what it can.
    const broken = await log('{not json', repo);
    expect(broken).toMatchObject({ code: 0, answer: { status: 'error', error_log: expect.stringMatching(/^token-usage\/errors-\d{4}-\d{2}-\d{2}\.md$/) } });
    const errors = await readFile(join(repo, broken.answer['error_log'] as string), 'utf8');
    expect(errors).toContain('**Not logged**: the request is not JSON');
    expect(errors).toContain('{not json');
    const partial = await log(
      JSON.stringify({
        mode: 'log_only',
        task_id: 'T-9',
        timestamp: 'yesterday',
        entries: [{ agent: 'qa', model: 'haiku', input_tokens: null, output_tokens: 50, estimated_cost: 'unavailable' }, { model: 'opus' }],
      }),
      repo,
    );
    expect(partial.answer).toMatchObject({ status: 'recorded', task_id: 'T-9' });
    expect(partial.answer['problems']).toEqual([
      'timestamp: expected ISO 8601 with a zone, got "yesterday"; logged at the time it was received',
      'entries[1]: agent: missing; the entry is not logged (it is kept here): {"model":"opus"}',
      'entries[0] (qa): input_tokens, total_tokens, estimated_cost unavailable; logged as null',
    ]);
  });

  it('reviews a period with the spec sections and concrete recommendations', async () => {
    const repo = await tempDir('tokentune-tracker-review-');
    const now = Date.now();
    // A reviewer on opus that only ever does small work, and one task fanned out to five agents.
    for (let i = 0; i < 4; i++)
      await log(request(`fix-${i}`, new Date(now - (i + 1) * 3_600_000).toISOString(), [entry('build-lead', 'sonnet', 30_000, 6_000, 0.18), entry('reviewer', 'opus', 4_000, 800, 0.12)]), repo);
    await log(
      request('big-feature', new Date(now - 7_200_000).toISOString(), [
        entry('build-lead', 'sonnet', 200_000, 40_000, 1.2),
        entry('ui-impl', 'sonnet', 100_000, 20_000, 0.6),
        entry('api-impl', 'sonnet', 90_000, 10_000, 0.5),
        entry('docs', 'haiku', 2_000, 500, 0.004),
        entry('qa', 'haiku', 3_000, 500, 0.005),
      ]),
      repo,
    );
    const r = await log(JSON.stringify({ mode: 'review_period', days: 7 }), repo);
    const today = new Date().toISOString().slice(0, 10);
    expect(r.answer).toMatchObject({ status: 'report_generated', report_path: `token-usage/reports/usage-review-${today}.md` });
    const recs = r.answer['recommendations'] as { type: string; description: string }[];
    expect(recs.map((x) => x.type)).toEqual(['model_selection', 'delegation_reduction']);
    expect(recs[0]!.description).toBe('reviewer ran on opus 4 times with a median of 4,800 tokens an invocation: a candidate for sonnet. Check its success on sonnet before making it the default.');
    expect(recs[1]!.description).toBe('big-feature fanned out to 5 agents; docs, qa did under 5% of its tokens each.');
    const report = await readFile(join(repo, r.answer['report_path'] as string), 'utf8');
    for (const section of ['# Usage Review: ', '## Overview', '## Findings', '## Recommendations', '## Proposed Changes', '### For build-lead.md']) expect(report).toContain(section);
  });

  it('reads the task logs as a source: per agent, at the cost the tracker estimated', async () => {
    const repo = await tempDir('tokentune-tracker-source-');
    await log(request('a', '2026-11-10T10:00:00Z', [entry('build-lead', 'opus', 20_000, 5_000, 0.9), entry('ui-impl', 'sonnet', 8_000, 2_000, 0.06)]), repo);
    await log(request('b', '2026-11-11T10:00:00Z', [entry('ui-impl', 'claude-sonnet-4-5', 8_000, 2_000, 0.07)]), repo);
    await import('node:fs/promises').then((fs) => fs.writeFile(join(repo, 'tokentune.yaml'), 'sources: [{path: token-usage/tasks, format: usage-tracker}]\n'));
    const r = await tune(['report', 'agent', '--json'], { XDG_STATE_HOME: join(repo, 'state') }, { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    const agents = (JSON.parse(r.stdout) as { agents: { agent: string; totalCost: number; modelsUsed: string[] }[] }).agents;
    expect(Object.fromEntries(agents.map((a) => [a.agent, [+a.totalCost.toFixed(6), a.modelsUsed]]))).toEqual({
      'build-lead': [0.9, ['claude-opus-5-5']],
      'ui-impl': [0.13, ['claude-sonnet-4-5', 'claude-sonnet-5-5']],
    });
    // The nightly check writes the day summaries the log_only calls left out.
    expect((await tune(['check'], { XDG_STATE_HOME: join(repo, 'state') }, { cwd: repo })).code).toBe(0);
    expect(await readFile(join(repo, 'token-usage/usage-2026-11-11.md'), 'utf8')).toContain('| ui-impl | claude-sonnet-4-5 | 8,000 | 2,000 | 10,000 | $0.07 |');
    expect((await readdir(join(repo, 'token-usage'))).filter((f) => f.startsWith('usage-')).sort()).toEqual(['usage-2026-11-10.md', 'usage-2026-11-11.md']);
  });
});
