import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStatus, STATUS_FULL_READ_MS } from '../../src/run/index.js';
import { tempDir } from '../helpers/cli.js';

/** One Sonnet 4.5 response of `output` tokens and nothing else: $15 per million. */
const response = (session: string, id: string, at: number, output: number, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ type: 'assistant', sessionId: session, cwd: '/home/dev/app', timestamp: new Date(at).toISOString(), requestId: `q-${id}`, message: { id: `m-${id}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 0, output_tokens: output } }, ...extra })}\n`;

describe('the status line reads its own session between full reads', () => {
  it("keeps this session's cost current on every call and the other sessions' within five minutes", async () => {
    const dir = await tempDir('tokentune-status-scope-');
    const projects = join(dir, 'projects/app');
    await mkdir(join(projects, 's1/subagents'), { recursive: true });
    const config = join(dir, 'tokentune.yaml');
    await writeFile(config, `sources:\n  - format: claude-code\n    path: ${join(dir, 'projects')}\n`);
    const t0 = Date.parse('2026-12-05T12:00:00Z');
    const s1 = join(projects, 's1.jsonl');
    const s2 = join(projects, 's2.jsonl');
    await writeFile(s1, response('s1', 'a', t0 - 10 * 60_000, 100_000));
    await writeFile(s2, response('s2', 'b', t0 - 10 * 60_000, 200_000));
    const env = { ...process.env, XDG_STATE_HOME: join(dir, 'state'), TZ: 'UTC' };
    const status = (minutes: number) => runStatus({ configPath: config, timeZone: 'UTC', mode: 'auto', env, now: new Date(t0 + minutes * 60_000), sessionId: 's1', transcriptPath: s1 });

    // The first call reads everything: $1.50 + $3.00.
    const first = await status(0);
    expect(first.sessionCost).toBeCloseTo(1.5, 10);
    expect(first.todayCost).toBeCloseTo(4.5, 10);

    // New responses in s1, in s1's subagent and in s2. A minute later only s1's files are read.
    await appendFile(s1, response('s1', 'c', t0 + 30_000, 100_000));
    await writeFile(join(projects, 's1/subagents/agent-x.jsonl'), response('s1', 'd', t0 + 40_000, 100_000, { isSidechain: true, agentId: 'x' }));
    await appendFile(s2, response('s2', 'e', t0 + 50_000, 400_000));
    const soon = await status(1);
    expect(soon.sessionCost).toBeCloseTo(4.5, 10);
    expect(soon.todayCost).toBeCloseTo(7.5, 10);

    // Five minutes after the full read, every source is read again and s2's response counts.
    const later = await status(STATUS_FULL_READ_MS / 60_000);
    expect(later.sessionCost).toBeCloseTo(4.5, 10);
    expect(later.todayCost).toBeCloseTo(13.5, 10);
  });
});
