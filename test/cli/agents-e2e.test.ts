import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, tune } from '../helpers/cli.js';

const T0 = Date.now() - 3 * 86_400_000;
const line = (o: Record<string, unknown>) => `${JSON.stringify({ sessionId: 's1', cwd: '/home/dev/app', ...o })}\n`;

/** A Task run of the reviewer: the parent's call and result, and the subagent's responses in its own file. */
function run(n: number, ok: boolean) {
  const at = (k: number) => new Date(T0 + n * 60_000 + k * 1_000).toISOString();
  const parent =
    line({
      type: 'assistant',
      timestamp: at(0),
      requestId: `rq${n}`,
      message: {
        id: `m${n}`,
        model: 'claude-opus-5-5',
        content: [{ type: 'tool_use', id: `t${n}`, name: 'Task', input: { subagent_type: 'reviewer' } }],
        usage: { input_tokens: 100, output_tokens: 20 },
      },
    }) +
    line({
      type: 'user',
      timestamp: at(5),
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${n}` }] },
      toolUseResult: { agentId: `a${n}`, status: ok ? 'completed' : 'failed', totalDurationMs: 4_000 },
    });
  const sub = [1, 2, 3]
    .map((k) =>
      line({
        type: 'assistant',
        isSidechain: true,
        agentId: `a${n}`,
        timestamp: at(k),
        requestId: `rq${n}-${k}`,
        message: { id: `m${n}-${k}`, model: 'claude-sonnet-5-5', content: [], usage: { input_tokens: 3_000, output_tokens: 500 } },
      }),
    )
    .join('');
  return { parent, sub, id: `a${n}` };
}

describe('a Claude Code subagent tuned from its transcripts', () => {
  it('proposes a one-line change of its front matter, and the report says why', async () => {
    const repo = await tempDir('tokentune-agents-e2e-');
    execFileSync('git', ['init', '-q', repo]);
    await mkdir(join(repo, '.claude/agents'), { recursive: true });
    await writeFile(join(repo, '.claude/agents/reviewer.md'), '---\nname: reviewer\ndescription: reviews diffs\nmodel: sonnet\n---\n\nYou review diffs.\n');
    const project = join(repo, 'claude/projects/-home-dev-app');
    await mkdir(join(project, 's1/subagents'), { recursive: true });
    let parent = '';
    for (let n = 0; n < 100; n++) {
      const r = run(n, n !== 13);
      parent += r.parent;
      await writeFile(join(project, `s1/subagents/agent-${r.id}.jsonl`), r.sub);
    }
    await writeFile(join(project, 's1.jsonl'), parent);
    await writeFile(
      join(repo, 'tokentune.yaml'),
      'sources: [{format: claude-code, path: claude/projects}]\ntargets: [{path: .claude/agents/reviewer.md, preset: claude-agents}]\npublish: {enabled: false}\n',
    );
    const r = await tune(['--dry-run', '--config', join(repo, 'tokentune.yaml')], { XDG_STATE_HOME: join(repo, 'state') }, { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('-model: sonnet\n+model: claude-haiku-4-5\n');
    expect(r.stdout).toMatch(/success 99% over 100 invocations on claude-sonnet-5-5/);
    // A dry run writes nothing.
    expect(await readFile(join(repo, '.claude/agents/reviewer.md'), 'utf8')).toContain('model: sonnet\n');
  });
});
