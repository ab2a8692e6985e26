import { execFileSync } from 'node:child_process';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

interface Truth {
  turns: number;
  days: Record<string, Record<string, { turns: number; input: number; cached: number; output: number }>>;
  sessions: Record<string, number>;
  cost: Record<string, number>;
}
interface Daily {
  daily: { date: string; modelBreakdowns: { modelName: string; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number }[] }[];
  totals: { totalCost: number; totalTokens: number };
}

let codexHome: string;
let truth: Truth;
beforeAll(async () => {
  codexHome = await tempDir('tokentune-codex-');
  execFileSync(process.execPath, [join(ROOT, 'scripts/generate-codex.mjs'), '--out', codexHome, '--sessions', '24', '--seed', '7'], { stdio: 'ignore' });
  truth = JSON.parse(await readFile(join(codexHome, 'truth.json'), 'utf8')) as Truth;
}, 60_000);

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('Codex CLI sessions as a source', () => {
  it('counts every turn once, by day and model, at list prices, with no config at all', async () => {
    const dir = await tempDir('tokentune-codex-run-');
    const env = { CODEX_HOME: codexHome, CLAUDE_CONFIG_DIR: join(dir, 'no-claude'), XDG_STATE_HOME: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config') };
    const r = await tune(['report', 'daily', '--json', '--timezone', 'UTC', '--mode', 'calculate'], env);
    expect(r.code, r.stderr).toBe(0);
    const daily = JSON.parse(r.stdout) as Daily;
    const got: Truth['days'] = {};
    for (const d of daily.daily) for (const m of d.modelBreakdowns) (got[d.date] ??= {})[m.modelName] = { turns: 0, input: m.inputTokens, cached: m.cacheReadTokens, output: m.outputTokens };
    const want: Truth['days'] = {};
    for (const [day, models] of Object.entries(truth.days)) for (const [model, t] of Object.entries(models)) (want[day] ??= {})[model] = { ...t, turns: 0 };
    expect(got).toEqual(want);
    expect(daily.totals.totalCost).toBeCloseTo(sum(Object.values(truth.cost)), 9);

    // By session: the resumed copy of a session counts once, under the session's id.
    const sessions = JSON.parse((await tune(['report', 'session', '--json', '--mode', 'calculate'], env)).stdout) as { sessions: { sessionId: string; totalCost: number }[] };
    expect(Object.fromEntries(sessions.sessions.map((s) => [s.sessionId, +s.totalCost.toFixed(9)]))).toEqual(Object.fromEntries(Object.entries(truth.sessions).map(([k, v]) => [k, +v.toFixed(9)])));

    // A session that goes on is read again whole and replaces what it held: the new turn adds, nothing doubles.
    const day = (await readdir(join(codexHome, 'sessions'), { recursive: true })).filter((f) => f.endsWith('.jsonl') && !f.includes('resumed')).sort()[0]!;
    const file = join(codexHome, 'sessions', day);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const totals = lines
      .map((l) => JSON.parse(l) as { type: string; payload: { type?: string; info?: { total_token_usage?: Record<string, number> } } })
      .filter((l) => l.payload.info?.total_token_usage)
      .at(-1)!.payload.info!.total_token_usage!;
    const turn = { input_tokens: 10_000, cached_input_tokens: 4_000, output_tokens: 1_000, reasoning_output_tokens: 0, total_tokens: 11_000 };
    const after = Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v + ((turn as Record<string, number>)[k] ?? 0)]));
    await appendFile(
      file,
      `${JSON.stringify({ timestamp: '2026-11-20T23:30:00.000Z', type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: after, last_token_usage: turn } } })}\n`,
    );
    const again = JSON.parse((await tune(['report', 'daily', '--json', '--timezone', 'UTC', '--mode', 'calculate'], env)).stdout) as Daily;
    expect(again.totals.totalTokens).toBe(daily.totals.totalTokens + 11_000);
  });

  it('sums Claude Code and Codex into one bill', async () => {
    const dir = await tempDir('tokentune-codex-both-');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-claude-code.mjs'), '--out', join(dir, 'claude'), '--sessions', '6', '--days', '5'], { stdio: 'ignore' });
    const claudeTruth = JSON.parse(await readFile(join(dir, 'claude/truth.json'), 'utf8')) as { cost: { calculate: Record<string, number> } };
    const env = { CODEX_HOME: codexHome, CLAUDE_CONFIG_DIR: join(dir, 'claude'), XDG_STATE_HOME: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config') };
    const both = JSON.parse((await tune(['report', 'monthly', '--json', '--timezone', 'UTC', '--mode', 'calculate'], env)).stdout) as Daily;
    // The Codex session extended by the test above is read here from the same files.
    const codexOnly = JSON.parse(
      (await tune(['report', 'monthly', '--json', '--timezone', 'UTC', '--mode', 'calculate'], { ...env, CLAUDE_CONFIG_DIR: join(dir, 'none'), XDG_STATE_HOME: join(dir, 'state2') })).stdout,
    ) as Daily;
    expect(both.totals.totalCost).toBeCloseTo(codexOnly.totals.totalCost + sum(Object.values(claudeTruth.cost.calculate)), 9);
  });

  it('names CODEX_HOME when a codex source has no path and no sessions are found', async () => {
    const dir = await tempDir('tokentune-codex-none-');
    await writeFile(join(dir, 't.yaml'), 'sources: [{format: codex}]\n');
    const r = await tune(['check', '--config', join(dir, 't.yaml')], { CODEX_HOME: join(dir, 'nothing'), XDG_STATE_HOME: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`sources[0]: no Codex CLI sessions found (looked in ${join(dir, 'nothing', 'sessions')}); set CODEX_HOME or the source's path`);
  });
});
