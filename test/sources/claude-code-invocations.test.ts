import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { agentRules } from '../../src/rules/agent-rules.js';
import { ruleContext } from '../../src/rules/rule-context.js';
import { computeStats } from '../../src/stats/compute.js';
import { resolveWindow } from '../../src/stats/window.js';
import { tempDir } from '../helpers/cli.js';
import { strategyYaml, targetsOf } from '../helpers/context.js';
import { stateOf } from '../helpers/records.js';

const T0 = Date.UTC(2026, 10, 2, 9);
const line = (o: Record<string, unknown>) => `${JSON.stringify({ sessionId: 's1', cwd: '/home/dev/app', ...o })}\n`;

/**
 * One Task call of the parent: the call (with the type asked for), the subagent's responses in its own
 * transcript, and the call's result saying how its run ended.
 */
function invocation(n: number, type: string, model: string, turns: number, ended: 'completed' | 'interrupted' | 'error-result') {
  const at = (k: number) => new Date(T0 + n * 60_000 + k * 1_000).toISOString();
  const id = `a${n}`;
  const call = `toolu_${n}`;
  const parent =
    line({
      type: 'assistant',
      timestamp: at(0),
      requestId: `rq${n}`,
      message: { id: `m${n}`, model: 'claude-opus-5-5', content: [{ type: 'tool_use', id: call, name: 'Task', input: { subagent_type: type } }], usage: { input_tokens: 100, output_tokens: 20 } },
    }) +
    line({
      type: 'user',
      timestamp: at(turns + 1),
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: call, ...(ended === 'error-result' ? { is_error: true } : {}) }] },
      toolUseResult: { agentId: id, status: ended === 'error-result' ? undefined : ended, totalDurationMs: 1_000 * turns, totalToolUseCount: turns - 1 },
    });
  const sub = Array.from({ length: turns }, (_, k) =>
    line({
      type: 'assistant',
      isSidechain: true,
      agentId: id,
      timestamp: at(k + 1),
      requestId: `rq${n}-${k}`,
      message: { id: `m${n}-${k}`, model, content: [], usage: { input_tokens: 1000, output_tokens: 200 } },
    }),
  ).join('');
  return { parent, sub, id };
}

describe('Claude Code subagent runs as units of work', () => {
  it('gives each Task run its type, model, turns and outcome, and the agent rules judge them', async () => {
    const dir = await tempDir('tokentune-invocations-');
    const project = join(dir, 'projects/-home-dev-app');
    await mkdir(join(project, 's1/subagents'), { recursive: true });
    let parent = '';
    const runs = [
      // A reviewer that finishes 99 runs in 100 on Sonnet: a downgrade candidate.
      ...Array.from({ length: 100 }, (_, n) => invocation(n, 'code-reviewer', 'claude-sonnet-5-5', 3, n === 7 ? 'interrupted' : 'completed')),
      // An explorer on Haiku whose runs fail half the time: an upgrade signal. An interrupted run is neither.
      ...Array.from({ length: 20 }, (_, n) => invocation(1000 + n, 'Explore', 'claude-haiku-4-5', 2, n % 2 ? 'completed' : n === 0 ? 'interrupted' : 'error-result')),
    ];
    for (const r of runs) {
      parent += r.parent;
      await writeFile(join(project, `s1/subagents/agent-${r.id}.jsonl`), r.sub);
    }
    await writeFile(join(project, 's1.jsonl'), parent);

    const state = await stateOf([{ path: join(dir, 'projects'), format: 'claude-code' }], new Date(T0 + 86_400_000));
    const range = resolveWindow({ days: 28, maxTs: T0 + 86_400_000 });
    const view = state.view(range.since, range.until);
    expect(view.work).toHaveLength(120);
    expect(view.work.find((w) => w.agent === 'code-reviewer')).toMatchObject({
      kind: 'work',
      unit: 'invocation',
      model: 'claude-sonnet-5-5',
      turns: 3,
      input_tokens: 3000,
      output_tokens: 600,
      duration_ms: 3_000,
      session: 's1',
      project: '-home-dev-app',
    });

    const loaded = parseConfig('sources: [{format: claude-code, path: x}]\n', '/t/tuner.yaml');
    const stats = computeStats(view, { range, pricing: loaded.pricing, defaultOutputShare: loaded.config.pricing.default_output_share });
    expect(stats.work.map((g) => [g.agent, g.model, g.units, g.successes])).toEqual([
      ['code-reviewer', 'claude-sonnet-5-5', 100, 99],
      ['Explore', 'claude-haiku-4-5', 20, 10],
    ]);
    expect(stats.work.map((g) => [g.with_outcome, g.interrupted])).toEqual([
      [99, 1],
      [19, 1],
    ]);
    const r = agentRules(ruleContext(loaded, stats, targetsOf(strategyYaml({ docs: 100_000 })), { view, range }));
    const by = Object.fromEntries(r.findings.map((f) => [f.category, f.message]));
    expect(by['code-reviewer']).toMatch(
      /^code-reviewer on claude-sonnet-5-5: success 100% over 99 invocations \(1 run interrupted, not counted\), at least 9\d\.\d% on its one-sided 95% bound: a downgrade candidate to claude-haiku-4-5, the next rung/,
    );
    expect(by['Explore']).toMatch(/^Explore on claude-haiku-4-5: success 53% over 19 invocations \(1 run interrupted, not counted\).*a stronger model to be piloted/);
  });
});
