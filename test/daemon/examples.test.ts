import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.js';

describe('the shipped GitHub Actions workflow', () => {
  it('schedules both runs, gates its steps on those schedules, and calls commands that exist', async () => {
    const wf = parse(await readFile(join(ROOT, 'examples/github-actions/tokentune.yml'), 'utf8'));
    const crons: string[] = wf.on.schedule.map((s: { cron: string }) => s.cron);
    expect(crons).toHaveLength(2);
    expect(wf.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    const steps: { name?: string; if?: string; run?: string; env?: Record<string, string> }[] = wf.jobs.tokentune.steps;
    for (const s of steps.filter((x) => x.if)) {
      const named = /github\.event\.schedule [!=]= '([^']+)'/.exec(s.if!)?.[1];
      expect(crons).toContain(named);
    }
    const check = steps.find((s) => s.name === 'Drift check')!;
    const tuning = steps.find((s) => s.name === 'Tuning run')!;
    expect(check.run).toMatch(/bin\/tune check --config /);
    expect(tuning.run).toMatch(/bin\/tune --config \S+ .*'--force'/);
    // Secrets come from the environment, never from files.
    expect(tuning.env).toEqual({ ANTHROPIC_API_KEY: '${{ secrets.ANTHROPIC_API_KEY }}', GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' });
  });
});
