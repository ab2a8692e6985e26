import { execFileSync } from 'node:child_process';
import { appendFile, copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseClaudeCodeLine } from '../../src/sources/claude-code.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { stateDirIn } from '../helpers/state.js';

type Totals = Record<string, Record<string, { responses: number; input: number; output: number; cache_creation: number; cache_creation_1h: number; cache_read: number }>>;

/** What the state holds per UTC day and model, in the truth file's shape. */
/** The daily call rollups by UTC day and model; with `quarters`, the quarter-hour sums that reports in time read. */
async function stored(xdg: string, quarters = false): Promise<Totals> {
  const db = new Database(join(await stateDirIn(xdg), 'state.db'), { readonly: true });
  try {
    const sums = 'sum(input) AS input, sum(output) AS output, sum(cache_creation) AS cache_creation, sum(cache_creation_1h) AS cache_creation_1h, sum(cache_read) AS cache_read';
    const rows = db
      .prepare(
        quarters
          ? `SELECT date(q * 900, 'unixepoch') AS day, model, sum(n) AS responses, ${sums} FROM kept_quarters GROUP BY 1, model HAVING sum(n) != 0`
          : `SELECT date(day * 86400, 'unixepoch') AS day, model, sum(calls) AS responses, ${sums} FROM call_days GROUP BY day, model HAVING sum(calls) != 0`,
      )
      .all() as ({ day: string; model: string } & Totals[string][string])[];
    const out: Totals = {};
    for (const { day, model, ...t } of rows) (out[day] ??= {})[model] = t;
    return out;
  } finally {
    db.close();
  }
}

async function corpus(sessions = 30, extra: string[] = []) {
  const dir = await tempDir('tokentune-cc-');
  execFileSync(process.execPath, [join(ROOT, 'scripts/generate-claude-code.mjs'), '--out', dir, '--sessions', String(sessions), ...extra], { stdio: 'ignore' });
  const truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as { responses: number; days: Totals; cost: Record<'calculate' | 'auto', Record<string, number>> };
  const config = join(dir, 'tuner.yaml');
  await writeFile(config, `sources: [{path: ${join(dir, 'projects')}, format: claude-code}]\n`);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  return { dir, truth, config, env, check: () => tune(['check', '--json', '--config', config], env) };
}

describe('Claude Code transcripts', () => {
  it('keep every month of a long history: months older than retention are whole, and a session report says where it starts', async () => {
    // 300 days ending 2026-11-20: per-record detail before 2026-07-23 is pruned, rollups are not.
    const c = await corpus(60, ['--days', '300', '--end', '2026-11-20']);
    const r = await tune(['report', 'monthly', '--json', '--timezone', 'UTC', '--config', c.config], c.env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { monthly: { month: string; inputTokens: number; outputTokens: number; cacheReadTokens: number }[] };
    const truth = new Map<string, { input: number; output: number; cache_read: number }>();
    for (const [day, models] of Object.entries(c.truth.days)) {
      const m = truth.get(day.slice(0, 7)) ?? { input: 0, output: 0, cache_read: 0 };
      for (const t of Object.values(models)) {
        m.input += t.input;
        m.output += t.output;
        m.cache_read += t.cache_read;
      }
      truth.set(day.slice(0, 7), m);
    }
    expect(out.monthly.map((m) => m.month)).toEqual([...truth.keys()].sort());
    expect(out.monthly.length).toBeGreaterThanOrEqual(10);
    for (const m of out.monthly) expect([m.inputTokens, m.outputTokens, m.cacheReadTokens], m.month).toEqual([truth.get(m.month)!.input, truth.get(m.month)!.output, truth.get(m.month)!.cache_read]);
    const sessions = await tune(['report', 'session', '--config', c.config], c.env);
    expect(sessions.stderr).toMatch(
      /Claude Code responses before \d{4}-\d{2}-\d{2} are not in this grouping: retention .* pruned their per-record detail; daily, weekly and monthly totals still hold them/,
    );
  });

  it('count every response once, to the token: streamed lines, resumed copies, sidechains, nulls, synthetic lines', async () => {
    const c = await corpus();
    const r = await c.check();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: c.truth.responses, skipped: 0 });
    expect(await stored(c.env.XDG_STATE_HOME)).toEqual(c.truth.days);

    // A session resumed into a new file copies every response of the old one: nothing more counts.
    const projects = join(c.dir, 'projects');
    const project = (await readdir(projects))[0]!;
    const session = (await readdir(join(projects, project))).find((f) => f.endsWith('.jsonl'))!;
    await copyFile(join(projects, project, session), join(projects, project, 'resumed-copy.jsonl'));
    const again = JSON.parse((await c.check()).stdout);
    expect(again.records).toBe(0);
    expect(again.duplicates).toBeGreaterThan(0);
    expect(await stored(c.env.XDG_STATE_HOME)).toEqual(c.truth.days);
    // The copies were folded with the new file's range as if new, and taken out again as duplicates.
    expect(await stored(c.env.XDG_STATE_HOME, true)).toEqual(c.truth.days);
  });

  it('tune report daily --json equals the truth to the token and the cent, in both cost modes', async () => {
    const c = await corpus();
    for (const mode of ['calculate', 'auto'] as const) {
      const r = await tune(['report', 'daily', '--json', '--timezone', 'UTC', '--mode', mode, '--config', c.config], c.env);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        daily: {
          date: string;
          inputTokens: number;
          outputTokens: number;
          cacheCreationTokens: number;
          cacheReadTokens: number;
          totalTokens: number;
          totalCost: number;
          modelsUsed: string[];
          modelBreakdowns: { modelName: string; inputTokens: number; cost: number }[];
        }[];
        totals: { totalTokens: number; totalCost: number };
      };
      expect(out.daily.map((d) => d.date)).toEqual(Object.keys(c.truth.days).sort());
      for (const d of out.daily) {
        const models = Object.entries(c.truth.days[d.date]!);
        const sum = (k: 'input' | 'output' | 'cache_creation' | 'cache_read') => models.reduce((a, [, t]) => a + t[k], 0);
        expect([d.inputTokens, d.outputTokens, d.cacheCreationTokens, d.cacheReadTokens], d.date).toEqual([sum('input'), sum('output'), sum('cache_creation'), sum('cache_read')]);
        expect(d.totalTokens).toBe(sum('input') + sum('output') + sum('cache_creation') + sum('cache_read'));
        expect(d.modelsUsed).toEqual(models.map(([m]) => m).sort());
        expect(d.totalCost).toBeCloseTo(c.truth.cost[mode][d.date]!, 8);
      }
      const truthCost = Object.values(c.truth.cost[mode]).reduce((a, b) => a + b, 0);
      expect(out.totals.totalCost).toBeCloseTo(truthCost, 8);
    }
    // The other groupings name their rows as documented.
    const session = JSON.parse((await tune(['report', 'session', '--json', '--config', c.config], c.env)).stdout);
    expect(Object.keys(session)).toEqual(['sessions', 'totals']);
    expect(Object.keys(session.sessions[0])).toEqual(expect.arrayContaining(['sessionId', 'projectPath', 'lastActivity', 'totalCost', 'modelBreakdowns']));
    const weekly = JSON.parse((await tune(['report', 'weekly', '--json', '--timezone', 'UTC', '--config', c.config], c.env)).stdout);
    expect(weekly.weekly.every((w: { week: string }) => new Date(`${w.week}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    const monthly = JSON.parse((await tune(['report', 'monthly', '--json', '--timezone', 'UTC', '--config', c.config], c.env)).stdout);
    expect({ ...weekly.totals, totalCost: 0 }).toEqual({ ...monthly.totals, totalCost: 0 });
    expect(weekly.totals.totalCost).toBeCloseTo(monthly.totals.totalCost, 8);
  });

  it('names each subagent by the type its parent asked for, joined across files and runs', async () => {
    const c = await corpus();
    const truth = (
      JSON.parse(await readFile(join(c.dir, 'truth.json'), 'utf8')) as { agents: Record<string, { responses: number; input: number; output: number; cache_creation: number; cache_read: number }> }
    ).agents;
    const agents = async () => {
      const r = await tune(['report', 'agent', '--json', '--config', c.config], c.env);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { agents: { agent: string; inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number }[] };
      return Object.fromEntries(out.agents.map((a) => [a.agent, [a.inputTokens, a.outputTokens, a.cacheCreationTokens, a.cacheReadTokens]]));
    };
    expect(await agents()).toEqual(Object.fromEntries(Object.entries(truth).map(([k, t]) => [k, [t.input, t.output, t.cache_creation, t.cache_read]])));

    // A subagent still running: its transcript is read before its parent says what it is.
    const dir = join(c.dir, 'projects', '-late', 's-late', 'subagents');
    await mkdir(dir, { recursive: true });
    const usage = { input_tokens: 3, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    await writeFile(
      join(dir, 'agent-a0late.jsonl'),
      `${JSON.stringify({ type: 'assistant', isSidechain: true, sessionId: 's-late', timestamp: '2026-11-20T10:00:00.000Z', message: { id: 'msg_sub_late', model: 'claude-haiku-4-5-20251001', usage } })}\n`,
    );
    expect((await agents())['subagent']?.[0]).toBe((truth['subagent']?.input ?? 0) + 3);
    // The parent's Task call and, on a later run, its result (naming only the agent, as older versions do).
    const parent = join(c.dir, 'projects', '-late', 's-late.jsonl');
    const call = {
      type: 'assistant',
      isSidechain: false,
      sessionId: 's-late',
      timestamp: '2026-11-20T09:59:00.000Z',
      message: {
        id: 'msg_parent_late',
        model: 'claude-haiku-4-5-20251001',
        content: [{ type: 'tool_use', id: 'toolu_late', name: 'Task', input: { subagent_type: 'db-migrator', prompt: 'secret plan' } }],
        usage,
      },
    };
    await writeFile(parent, `${JSON.stringify(call)}\n`);
    await c.check();
    await appendFile(
      parent,
      `${JSON.stringify({ type: 'user', sessionId: 's-late', timestamp: '2026-11-20T10:01:00.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_late', content: 'secret result' }] }, toolUseResult: { status: 'completed', agentId: 'a0late' } })}\n`,
    );
    const after = await agents();
    expect(after['db-migrator']).toEqual([3, 30, 0, 0]);
    expect(after['subagent']?.[0] ?? 0).toBe(truth['subagent']?.input ?? 0);
    expect(after['main']?.[0]).toBe(truth['main']!.input + 3);
  });

  it('replaces a partial response read by one run with its final line read by the next', async () => {
    const c = await corpus(1);
    await c.check();
    const file = join(c.dir, 'projects', 'late.jsonl');
    const line = (output: number) =>
      JSON.stringify({
        type: 'assistant',
        sessionId: 's-late',
        isSidechain: false,
        requestId: 'req_late',
        timestamp: '2026-11-20T10:00:00.000Z',
        message: { id: 'msg_late', model: 'claude-haiku-4-5-20251001', usage: { input_tokens: 10, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } },
      });
    await writeFile(file, `${line(7)}\n`);
    await c.check();
    await appendFile(file, `${line(900)}\n${line(5)}\n`);
    await c.check();
    const day = (await stored(c.env.XDG_STATE_HOME))['2026-11-20']!['claude-haiku-4-5-20251001']!;
    const before = c.truth.days['2026-11-20']?.['claude-haiku-4-5-20251001'] ?? { responses: 0, output: 0 };
    expect(day.responses).toBe(before.responses + 1);
    expect(day.output).toBe(before.output + 900);
    // The report's quarter-hour sums follow the replacement too.
    const report = JSON.parse((await tune(['report', 'daily', '--json', '--timezone', 'UTC', '--config', c.config], c.env)).stdout);
    const truthOutput = Object.values(c.truth.days['2026-11-20'] ?? {}).reduce((a, t) => a + t.output, 0);
    expect(report.daily.find((d: { date: string }) => d.date === '2026-11-20').outputTokens).toBe(truthOutput + 900);
  });

  it('finds the transcripts in CLAUDE_CONFIG_DIR when the source names no path', async () => {
    const c = await corpus(3);
    const config = join(c.dir, 'default.yaml');
    await writeFile(config, 'sources: [{format: claude-code}]\n');
    const env = { XDG_STATE_HOME: join(c.dir, 'state2'), CLAUDE_CONFIG_DIR: `${join(c.dir, 'nowhere')},${c.dir}` };
    const r = await tune(['check', '--json', '--config', config], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await stored(env.XDG_STATE_HOME)).toEqual(c.truth.days);
    await mkdir(join(c.dir, 'empty'));
    const none = await tune(['check', '--config', config], { ...env, CLAUDE_CONFIG_DIR: join(c.dir, 'empty') });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`sources[0]: no Claude Code transcripts found (looked in ${join(c.dir, 'empty', 'projects')})`);
  });

  it('reads usage and context from a line, and nothing else', () => {
    const file = '/home/u/.claude/projects/-home-u-src-api/abc.jsonl';
    const base = { timestamp: '2026-11-20T10:00:00Z', sessionId: 's1', cwd: '/home/u/src/api', gitBranch: 'main', isSidechain: false, requestId: 'r1' };
    const usage = {
      input_tokens: 5,
      output_tokens: 50,
      cache_creation_input_tokens: 300,
      cache_read_input_tokens: 1000,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
    };
    const r = parseClaudeCodeLine(JSON.stringify({ ...base, message: { id: 'm1', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'secret' }], usage } }), file);
    expect(r).toEqual({
      records: [
        expect.objectContaining({
          kind: 'call',
          model: 'claude-sonnet-4-5',
          input_tokens: 5,
          output_tokens: 50,
          cache_creation_input_tokens: 300,
          cache_creation_1h_tokens: 200,
          cache_read_input_tokens: 1000,
          session_id: 's1',
          project: '-home-u-src-api',
          agent: 'main',
          role: 'main',
        }),
      ],
    });
    expect(JSON.stringify(r)).not.toContain('secret');
    expect(parseClaudeCodeLine(JSON.stringify({ ...base, message: { id: 'm2', model: '<synthetic>', usage } }), file)).toEqual({ records: [] });
    expect(parseClaudeCodeLine(JSON.stringify({ ...base, type: 'user', message: { content: 'hi' } }), file)).toEqual({ records: [] });
    const nulls = parseClaudeCodeLine(
      JSON.stringify({
        ...base,
        cwd: null,
        requestId: null,
        costUSD: null,
        message: { id: 'm3', model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: null, cache_creation: null } },
      }),
      file,
    );
    expect(nulls).toEqual({ records: [expect.objectContaining({ input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 })] });
    expect(parseClaudeCodeLine(JSON.stringify({ ...base, timestamp: 'yesterday', message: { id: 'm4', model: 'x', usage } }), file)).toEqual({
      error: 'timestamp: expected ISO 8601 with a zone, found "yesterday"',
    });
  });

  it('reads the links from a Task call to its subagent: the call, its result, its progress', () => {
    const file = '/home/u/.claude/projects/-p/s1.jsonl';
    const ts = Date.parse('2026-11-20T10:00:00Z');
    const base = { timestamp: '2026-11-20T10:00:00Z', sessionId: 's1', isSidechain: false };
    const usage = { input_tokens: 5, output_tokens: 50 };
    const call = parseClaudeCodeLine(
      JSON.stringify({
        ...base,
        type: 'assistant',
        message: {
          id: 'm1',
          model: 'claude-sonnet-4-5',
          usage,
          content: [
            { type: 'tool_use', id: 'toolu_1', name: 'Task', input: { subagent_type: 'Explore', prompt: 'secret' } },
            { type: 'tool_use', id: 'toolu_2', name: 'Agent', input: { prompt: 'secret' } },
          ],
        },
      }),
      file,
    );
    expect(call).toEqual({
      records: [expect.objectContaining({ agent: 'main', agent_id: undefined })],
      links: [
        { ts, tool_use_id: 'toolu_1', agent_type: 'Explore' },
        { ts, tool_use_id: 'toolu_2', agent_type: 'general-purpose' },
      ],
    });
    const result = parseClaudeCodeLine(
      JSON.stringify({
        ...base,
        type: 'user',
        message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'secret' }] },
        toolUseResult: { status: 'completed', agentId: 'a1', agentType: 'Explore', prompt: 'secret' },
      }),
      file,
    );
    expect(result).toEqual({ records: [], links: [{ ts, agent_id: 'a1', tool_use_id: 'toolu_1', agent_type: 'Explore', outcome: 'success', duration_ms: undefined, tool_uses: undefined }] });
    const progress = parseClaudeCodeLine(
      JSON.stringify({
        ...base,
        type: 'progress',
        parentToolUseID: 'toolu_1',
        data: {
          type: 'agent_progress',
          agentId: 'a1',
          prompt: 'secret',
          message: { type: 'assistant', timestamp: '2026-11-20T09:59:00Z', message: { id: 'm9', model: 'claude-haiku-4-5', usage, content: [{ type: 'text', text: 'secret' }] } },
        },
      }),
      file,
    );
    expect(progress).toEqual({
      records: [expect.objectContaining({ request_id: 'm9', phase_id: undefined, ts: ts - 60_000, sidechain: true, agent: 'subagent', agent_id: 'a1', model: 'claude-haiku-4-5' })],
      links: [{ ts, agent_id: 'a1', tool_use_id: 'toolu_1' }],
    });
    const sub = parseClaudeCodeLine(JSON.stringify({ ...base, isSidechain: true, message: { id: 'm2', model: 'claude-haiku-4-5', usage } }), '/home/u/.claude/projects/-p/s1/subagents/agent-a7.jsonl');
    expect(sub).toEqual({ records: [expect.objectContaining({ agent: 'subagent', agent_id: 'a7' })] });
    for (const r of [call, result, progress]) expect(JSON.stringify(r)).not.toContain('secret');
  });
});
