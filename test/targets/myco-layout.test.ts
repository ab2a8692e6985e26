import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChanges, placeOf } from '../../src/targets/apply.js';
import { readTargets, valuesByKey } from '../../src/targets/read.js';
import type { Change } from '../../src/targets/change.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { changeOf } from '../helpers/changes.js';
import { changedLines } from '../helpers/diff.js';

const FILE = join(ROOT, 'config/myco-target/.myco/myco.yaml');
const read = async () => {
  const text = await readFile(FILE, 'utf8');
  return { text, targets: readTargets([{ path: FILE, display: 'myco.yaml', preset: 'myco', text }]) };
};

describe('the myco layout', () => {
  it("reads each task's turn budgets, cadence, provider and model, and what a task inherits", async () => {
    const { targets } = await read();
    expect(Object.keys(targets.tasks)).toEqual(['full-intelligence', 'vault-evolve', 'skill-evolve', 'title-summary', 'title-summary-custom', 'canopy-describe', 'skill-survey']);
    expect(targets.tasks['full-intelligence']).toMatchObject({ turns: { 'read-state': { value: 20 }, extract: { value: 35 } }, interval: { value: 3600 }, scheduled: true, provider: 'anthropic' });
    // A schedule block without an interval: the cadence is the definition's, and it is written there.
    expect(targets.tasks['skill-survey']).toMatchObject({ interval: undefined, intervalPath: ['agent', 'tasks', 'skill-survey', 'schedule', 'intervalSeconds'], scheduled: true });
    // No schedule block: nowhere to write one.
    expect(targets.tasks['title-summary']!.intervalPath).toBeUndefined();
    expect(targets.tasks['title-summary-custom']!.provider).toBe('ollama');
    expect(targets.model('title-summary', 'medium', 'builder')).toMatchObject({ explicit: true, current: { value: 'claude-sonnet-5-5' } });
    expect(targets.model('vault-evolve', 'medium', 'builder')).toMatchObject({ explicit: false, current: { value: 'claude-sonnet-5-5', path: ['agent', 'provider', 'model'] } });
    const values = valuesByKey(targets);
    expect(values.get('turn_budget:full-intelligence:*:*:extract')).toBe('35');
    expect(values.get('schedule:vault-evolve:*:*:*')).toBe('1800');
    expect(values.get('model:vault-evolve:*:builder:*')).toBe('claude-sonnet-5-5');
  });

  it('writes each value on its own line, keeping comments, adding a key only under an existing task block', async () => {
    const { text, targets } = await read();
    const changes = [
      changeOf({ kind: 'turn_budget', category: 'full-intelligence', key: 'read-state', from: 20, to: 10 }),
      changeOf({ kind: 'turn_budget', category: 'skill-evolve', key: 'apply', from: 11, to: 15, direction: 'up' }),
      changeOf({ kind: 'schedule', category: 'vault-evolve', from: 1800, to: 3600, direction: 'up' }),
      changeOf({ kind: 'schedule', category: 'skill-survey', from: 14_400, to: 28_800, direction: 'up' }),
      changeOf({ kind: 'model', category: 'vault-evolve', role: 'builder', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5' }),
    ];
    const [file] = applyChanges(changes, targets);
    expect(changedLines(text, file!.after)).toEqual([
      '-          maxTurns: 20 # generous while the vault was young',
      '+          maxTurns: 10 # generous while the vault was young',
      '+        model: claude-haiku-4-5',
      '-        intervalSeconds: 1800 # every half hour, to keep the vault fresh',
      '+        intervalSeconds: 3600 # every half hour, to keep the vault fresh',
      '+        apply:',
      '+          maxTurns: 15',
      '+        intervalSeconds: 28800',
    ]);
    const after = readTargets([{ path: FILE, display: 'myco.yaml', preset: 'myco', text: file!.after }]);
    expect(after.tasks['skill-evolve']!.turns.apply!.value).toBe(15);
    expect(after.tasks['skill-survey']!.interval!.value).toBe(28_800);
    // The list under the schedule block is intact.
    expect(file!.after).toMatch(/runIn:\n {10}- idle\n {8}intervalSeconds: 28800\n/);
    expect(placeOf(changes[3]!, targets)).toBe("myco.yaml: agent.tasks.skill-survey.schedule.intervalSeconds (new: the task ran at its task definition's interval)");
    expect(placeOf(changes[1]!, targets)).toMatch(/new: the phase ran under its task definition's budget/);
  });

  it('has nowhere to write a cadence for a task without a schedule block', async () => {
    const { targets } = await read();
    expect(() => applyChanges([changeOf({ kind: 'schedule', category: 'title-summary', from: 2400, to: 4800, direction: 'up' })], targets)).toThrow(/no target holds schedule for title-summary/);
  });

  it('runs the bundled Myco example end to end', async () => {
    const dir = await tempDir('tokentune-myco-example-');
    const r = await tune(['--dry-run', '--json', '--config', join(ROOT, 'config/myco.example.yaml')], { XDG_STATE_HOME: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { changes: Change[]; diffs: Record<string, string>; findings: { kind: string; message: string }[]; report: string };
    const kinds = new Set(out.changes.map((c) => `${c.kind}:${c.category}:${c.key ?? ''}:${c.direction}`));
    for (const k of [
      'turn_budget:full-intelligence:extract:up',
      'turn_budget:full-intelligence:read-state:down',
      'schedule:vault-evolve::up',
      'schedule:skill-survey::up',
      'model:title-summary::down',
    ])
      expect(kinds).toContain(k);
    // The local model is never touched; the cost spike is flagged with the phase that grew.
    expect(out.changes.some((c) => c.category === 'title-summary-custom')).toBe(false);
    expect(out.findings.find((f) => f.kind === 'cost_spike')?.message).toMatch(/canopy-describe .*cost spike.*describe/);
    const lines = Object.values(out.diffs).flatMap((d) => d.split('\n').filter((l) => /^[+-][^+-]/.test(l)));
    for (const l of lines.filter((x) => x.startsWith('-'))) expect(l).toMatch(/maxTurns|intervalSeconds|model:/);
  });
});
