import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentRules } from '../../src/rules/agent-rules.js';
import { parseVextrusAgents } from '../../src/sources/vextrus.js';
import { applyChanges } from '../../src/targets/apply.js';
import { readTargets } from '../../src/targets/read.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { contextOf, targetsOf, strategyYaml } from '../helpers/context.js';

const REAL = join(ROOT, '../shared/reference-formats/vextrus-erp');

interface CostFile {
  daily: Record<string, { invocations: { timestamp: string; agent: string; cost_usd: number; tokens_input: number; tokens_output: number }[] }>;
}

describe("Vextrus's monitoring files", () => {
  it('reads cost files of that shape: invocations once across a live file and its backup, their reported cost, the budget they set', async () => {
    const dir = await tempDir('tokentune-vextrus-gen-');
    const inv = (i: number, agent: string, model: string) => ({
      timestamp: `2026-11-0${1 + (i % 3)}T10:0${i}:00.123456`,
      agent,
      model,
      tokens_input: 1000 * (i + 1),
      tokens_output: 200 * (i + 1),
      cost_usd: 0.01 * (i + 1),
      duration_seconds: 12.5,
    });
    const file = (invocations: ReturnType<typeof inv>[]) => {
      const daily: Record<string, { total_cost_usd: number; invocations: ReturnType<typeof inv>[] }> = {};
      for (const i of invocations) (daily[i.timestamp.slice(0, 10)] ??= { total_cost_usd: 0, invocations: [] }).invocations.push(i);
      return JSON.stringify({ metadata: { version: '1.0' }, config: { monthly_budget_usd: 300, alert_threshold_pct: 75, model_costs: {} }, daily, monthly: {}, statistics: {} });
    };
    const a = [inv(0, 'api:designer', 'sonnet-4.5'), inv(1, 'api:designer', 'sonnet-4.5'), inv(2, 'docs:writer', 'haiku-4.5')];
    const b = [...a.slice(1), inv(3, 'docs:writer', 'haiku-4.5')];
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(join(dir, 'live'));
      await fs.mkdir(join(dir, 'backup'));
    });
    await writeFile(join(dir, 'live/cost_tracking.json'), file(a));
    await writeFile(join(dir, 'backup/cost_tracking.json'), file(b));
    await writeFile(join(dir, 't.yaml'), 'sources:\n  - {path: live, format: vextrus-cost}\n  - {path: backup, format: vextrus-cost}\n');
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const agents = JSON.parse((await tune(['report', 'agent', '--json', '--config', join(dir, 't.yaml')], env)).stdout) as {
      agents: { agent: string; totalCost: number; inputTokens: number; modelsUsed: string[] }[];
    };
    expect(agents.agents.map((x) => [x.agent, +x.totalCost.toFixed(9), x.inputTokens, x.modelsUsed])).toEqual([
      ['api:designer', 0.03, 3000, ['claude-sonnet-4-5']],
      ['docs:writer', 0.07, 7000, ['claude-haiku-4-5']],
    ]);
    const budget = await tune(['report', 'budget', '--config', join(dir, 't.yaml')], env);
    expect(budget.stdout).toMatch(/^budget: the fleet \$0\.00 of \$300\.00 \(0%\) in \d{4}-\d{2}/);
  });

  // The files of the Vextrus repository, where this checkout sits beside them.
  it.runIf(existsSync(REAL))('reads both real files as they are: invocations once across copies, their reported cost, the budget they set', async () => {
    const dir = await tempDir('tokentune-vextrus-');
    await cp(join(REAL, 'claude-state-monitoring'), join(dir, 'live'), { recursive: true });
    await cp(join(REAL, 'hooks-backup-monitoring'), join(dir, 'backup'), { recursive: true });
    await writeFile(join(dir, 't.yaml'), 'sources:\n  - {path: live, format: vextrus-cost}\n  - {path: backup, format: vextrus-cost}\n  - {path: backup, format: vextrus-agents}\n');
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const daily = JSON.parse((await tune(['report', 'daily', '--json', '--config', join(dir, 't.yaml')], env)).stdout) as { totals: { totalCost: number; inputTokens: number; outputTokens: number } };
    // The truth: every invocation of either copy, once by agent and time.
    const seen = new Map<string, { cost_usd: number; tokens_input: number; tokens_output: number }>();
    for (const f of ['live/cost_tracking.json', 'backup/cost_tracking.json']) {
      const doc = JSON.parse(await readFile(join(dir, f), 'utf8')) as CostFile;
      for (const d of Object.values(doc.daily)) for (const i of d.invocations) seen.set(`${i.agent}@${i.timestamp}`, i);
    }
    const all = [...seen.values()];
    expect(all.length).toBeGreaterThan(1);
    expect(daily.totals.totalCost).toBeCloseTo(
      all.reduce((a, i) => a + i.cost_usd, 0),
      9,
    );
    expect(daily.totals.inputTokens).toBe(all.reduce((a, i) => a + i.tokens_input, 0));
    expect(daily.totals.outputTokens).toBe(all.reduce((a, i) => a + i.tokens_output, 0));
    // No budget in the tuner config: the cost file's own ($500, alert at 80%).
    const budget = await tune(['report', 'budget', '--config', join(dir, 't.yaml')], env);
    expect(budget.stdout).toMatch(/^budget: the fleet \$0\.00 of \$500\.00 \(0%\) in \d{4}-\d{2}/);
  });

  it('turns each agent invocation into a unit of work that the agent rules judge by its outcome', async () => {
    const at = (i: number) => new Date(Date.UTC(2026, 10, 2) + i * 3_600_000).toISOString().replace('Z', '');
    const history = (n: number, failures: number, model: string) =>
      Array.from({ length: n }, (_, i) => ({
        timestamp: at(i),
        success: i >= failures,
        duration_seconds: 30 + i,
        cost_usd: 0.05,
        model,
        user_corrections: 0,
        error_message: i < failures ? 'failed' : null,
      }));
    const doc = {
      metadata: { version: '1.0' },
      agents: {
        'backend:reviewer': { invocation_history: history(60, 1, 'sonnet-5.5') },
        'backend:architect': { invocation_history: history(30, 15, 'sonnet-5.5') },
        'docs:writer': { invocation_history: history(5, 0, 'haiku-4.5') },
      },
    };
    const parsed = parseVextrusAgents(JSON.stringify(doc), 'agent_metrics.json');
    expect(parsed.skipped).toEqual([]);
    expect(parsed.records).toHaveLength(95);
    expect(parsed.records[0]).toMatchObject({
      kind: 'work',
      unit: 'invocation',
      agent: 'backend:reviewer',
      category: 'backend',
      model: 'claude-sonnet-5-5',
      outcome: 'failed',
      corrections: 0,
      duration_ms: 30_000,
      cost_usd: 0.05,
    });
    const r = agentRules(contextOf(parsed.records, targetsOf(strategyYaml({ docs: 100_000 }))));
    expect(r.changes).toEqual([]);
    expect(r.findings.map((f) => `${f.kind} ${f.category}`).sort()).toEqual(['needs_more_data docs:writer', 'not_in_target backend:architect', 'not_in_target backend:reviewer']);
    const by = Object.fromEntries(r.findings.map((f) => [f.category, f.message]));
    expect(by['backend:reviewer']).toMatch(
      /^backend:reviewer on claude-sonnet-5-5: success 98% over 60 invocations \(0% corrected by their user\), at least 92\.\d% on its one-sided 95% bound: a downgrade candidate to claude-haiku-4-5, the next rung/,
    );
    expect(by['backend:architect']).toMatch(/success 50% over 30 invocations.*a stronger model to be piloted/);

    // A plugin's agent file (its manifest names the plugin) is the target of the runs of `<plugin>:<agent>`.
    const repo = await tempDir('tokentune-vextrus-plugin-');
    await mkdir(join(repo, 'plugins/backend/.claude-plugin'), { recursive: true });
    await mkdir(join(repo, 'plugins/backend/agents'), { recursive: true });
    await writeFile(join(repo, 'plugins/backend/.claude-plugin/plugin.json'), JSON.stringify({ name: 'backend', version: '1.0.0' }));
    const text = '---\nname: reviewer\ndescription: reviews backend changes\nmodel: sonnet\n---\nReview.\n';
    const file = join(repo, 'plugins/backend/agents/reviewer.md');
    await writeFile(file, text);
    const targets = readTargets([{ path: file, display: 'plugins/backend/agents/reviewer.md', preset: 'claude-agents', text }]);
    expect(Object.keys(targets.agents)).toEqual(['backend:reviewer']);
    const tuned = agentRules(contextOf(parsed.records, targets));
    expect(tuned.changes).toMatchObject([{ kind: 'model', category: 'backend:reviewer', subject: 'agent', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5', evidence: { correction_rate: 0 } }]);
    expect(applyChanges(tuned.changes, targets)[0]!.after).toBe(text.replace('model: sonnet', 'model: claude-haiku-4-5'));
  });
});
