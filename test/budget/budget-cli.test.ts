import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleConfig, tempDir, tune } from '../helpers/cli.js';

describe('budgets on the command line', () => {
  it('are shown by tune check and tune report budget, per scope, and an alert without a webhook says how to set one', async () => {
    const dir = await tempDir('tokentune-budget-cli-');
    const data = join(dir, 'calls.jsonl');
    const at = new Date(Date.now() - 1000).toISOString();
    const line = (role: string, cost: number) =>
      JSON.stringify({
        type: 'call',
        ts: at,
        run_id: 'run-1',
        phase_id: `p-${role}`,
        role,
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        input_tokens: 10,
        output_tokens: 10,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cost_usd: cost,
      });
    await writeFile(data, `${line('builder', 40)}\n${line('auditor', 5)}\n`);
    const config = join(dir, 'tokentune.yaml');
    await writeFile(config, `sources: [{path: ${data}}]\ndrift: {quiet_minutes: 0}\nbudgets:\n  monthly_usd: 100\n  agent: {auditor: 50}\n  thresholds: [0.4]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state'), TOKENTUNE_WEBHOOK_URL: '' };
    const month = at.slice(0, 7);

    const report = await tune(['report', 'budget', '--config', config], env);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(`budget: the fleet $45.00 of $100.00 (45%) in ${month}`);
    expect(report.stdout).toContain(`budget: agent auditor $5.00 of $50.00 (10%) in ${month}`);
    expect(report.stdout).toContain('alert due (raised by the next check): tokentune: the fleet reached 40% of its $100.00 budget');

    const check = await tune(['check', '--config', config], env);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout.split('\n')[1]).toMatch(/^budget: the fleet \$45\.00 of \$100\.00 \(45%\)/);
    expect(check.stdout).toContain('alert: tokentune: the fleet reached 40% of its $100.00 budget');
    expect(check.stderr).toContain('no webhook: set TOKENTUNE_WEBHOOK_URL to post budget alerts');
    // Raised once: the next check shows the budget, not the alert again.
    expect((await tune(['check', '--config', config], env)).stdout).not.toContain('alert:');
  });

  it('gives the weekly report a Budgets section', async () => {
    const dir = await tempDir('tokentune-budget-report-');
    const config = await exampleConfig(dir, 'budgets: {monthly_usd: 5000, category: {docs: 100}}\n');
    const r = await tune(['--dry-run', '--force', '--config', config], { XDG_STATE_HOME: join(dir, 'state') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/## Budgets\n\n\| Budget \| Month \| Spent \| Share \| Projected by month end \| Thresholds reached \|\n/);
    expect(r.stdout).toMatch(/\| the fleet: \$5,000\.00 \| \d{4}-\d{2} \(day \d+ of \d+\) \|/);
    expect(r.stdout).toMatch(/\| category docs: \$100\.00 \|/);
  });
});
