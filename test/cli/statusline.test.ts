import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, TUNE } from '../helpers/cli.js';

/** Runs `tune statusline` as Claude Code does: its JSON on stdin, one line back on stdout. */
function statusline(stdin: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TUNE, 'statusline'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('tokentune statusline', () => {
  it("answers Claude Code with one line of this session's, today's and the block's cost, and never fails it", async () => {
    const dir = await tempDir('tokentune-status-');
    await mkdir(join(dir, 'projects/app'), { recursive: true });
    const now = Date.now();
    const line = (i: number, minutesAgo: number) =>
      JSON.stringify({
        type: 'assistant',
        sessionId: 's1',
        cwd: '/home/dev/app',
        timestamp: new Date(now - minutesAgo * 60_000).toISOString(),
        requestId: `q${i}`,
        message: { id: `m${i}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 1000, output_tokens: 20_000, cache_read_input_tokens: 50_000 } },
      });
    await writeFile(join(dir, 'projects/app/s1.jsonl'), `${[line(1, 50), line(2, 30), line(3, 5)].join('\n')}\n`);
    const env = { CLAUDE_CONFIG_DIR: join(dir), XDG_STATE_HOME: join(dir, 'state'), HOME: dir, TZ: 'UTC' };
    const r = await statusline(
      JSON.stringify({
        session_id: 's1',
        transcript_path: join(dir, 'projects/app/s1.jsonl'),
        model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet 4.5' },
        workspace: { current_dir: '/home/dev/app' },
      }),
      env,
    );
    expect(r.code).toBe(0);
    const m = /^Sonnet 4\.5 \| (\$[\d.]+) session \| \$[\d.]+ today \| (\$[\d.]+) block \((\d)h (\d\d)m left\) \| \$[\d.]+\/h\n$/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    // The three responses are the session and the block alike; the block ends within five hours.
    expect(m![1]).toBe(m![2]);
    expect(Number(m![3]) * 60 + Number(m![4])).toBeLessThanOrEqual(300);
    expect(r.stderr).toBe('');

    // Another session: its cost is unknown here, the rest stands. Bad input: a short line, exit 0.
    const other = await statusline(JSON.stringify({ session_id: 'elsewhere' }), env);
    expect(other.stdout).toMatch(/^Claude \| — session \| /);
    const bad = await statusline('not json', env);
    expect({ code: bad.code, stdout: bad.stdout }).toEqual({ code: 0, stdout: 'tokentune: stdin is not the JSON document Claude Code sends\n' });
  });
});
