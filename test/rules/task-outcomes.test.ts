import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/rules/analyze.js';
import type { Change } from '../../src/targets/change.js';
import type { TrackedChange } from '../../src/store/history.js';
import { appliedAt, changeOf } from '../helpers/changes.js';
import { contextOf } from '../helpers/context.js';
import { END, mycoTargets, mycoYaml, taskRuns, type PhaseSpec } from '../helpers/tasks.js';

const DAY = 86_400_000;
const APPLIED = END - 14 * DAY;
const FROM = APPLIED + DAY;

const applied = (change: Partial<Change> & Pick<Change, 'kind'>): TrackedChange => appliedAt(changeOf({ category: 'scan', ...change }), APPLIED);

function judged(records: ReturnType<typeof taskRuns>, yaml: string, change: TrackedChange) {
  return analyze(contextOf(records, mycoTargets(yaml), '', { history: { applied: [change], since: new Map() }, now: new Date(END) }));
}

describe("outcomes of scheduled tasks' changes", () => {
  const budget = (turns: number) => mycoYaml('scan', `provider:\n  type: anthropic\n  model: claude-sonnet-5-5\nphases:\n  look:\n    maxTurns: ${turns}`);
  const cut = applied({ kind: 'turn_budget', key: 'look', from: 20, to: 10, evidence: { cap_hit_rate: 0 } });
  const look = (capHits: number): PhaseSpec[] => [{ name: 'look', turns: [7], capHits, allowed: 10 }];

  it('reverts a cut turn budget that stops more runs than the raise rule allows', () => {
    const a = judged(taskRuns('scan', 100, { phases: look(8), from: FROM }), budget(10), cut);
    expect(a.outcomes[0]).toMatchObject({ verdict: 'worse', phases_since: 100, realised: { cap_hit_rate: 0.08 } });
    const revert = a.changes.find((c) => c.kind === 'turn_budget');
    expect(revert).toMatchObject({ from: 10, to: 20, direction: 'up', evidence: { reverts: 'abc123' } });
    expect(revert!.rationale).toMatch(/8% of 100 runs stopped at it, more than the 5% allowed/);
  });
  it('confirms a cut that stops runs no more often than allowed', () => {
    const a = judged(taskRuns('scan', 100, { phases: look(5), from: FROM }), budget(10), cut);
    expect(a.outcomes[0]).toMatchObject({ verdict: 'confirmed', summary: expect.stringMatching(/confirmed over 100 runs/) });
  });

  const scheduled = (interval: number) => mycoYaml('scan', `provider:\n  type: anthropic\nschedule:\n  enabled: true\n  intervalSeconds: ${interval}`);
  const halved = applied({ kind: 'schedule', from: 7200, to: 3600, evidence: { noop_share: 0 } });
  const phases: PhaseSpec[] = [
    { name: 'look', turns: [3] },
    { name: 'act', turns: [9] },
  ];

  it('reverts a shortened interval whose runs now find nothing half the time', () => {
    const a = judged(taskRuns('scan', 100, { phases, noops: 50, from: FROM }), scheduled(3600), halved);
    expect(a.outcomes[0]).toMatchObject({ verdict: 'worse', realised: { noop_share: 0.5 } });
    expect(a.changes.filter((c) => c.kind === 'schedule')).toEqual([expect.objectContaining({ from: 3600, to: 7200, evidence: expect.objectContaining({ reverts: 'abc123' }) })]);
  });
  it('keeps a shortened interval whose runs still mostly find work, and proposes nothing against it', () => {
    const a = judged(taskRuns('scan', 100, { phases, noops: 30, from: FROM }), scheduled(3600), halved);
    expect(a.outcomes[0]).toMatchObject({ verdict: 'confirmed' });
    expect(a.changes.filter((c) => c.kind === 'schedule')).toEqual([]);
  });

  it('reverts a task model downgrade whose success fell beyond chance', () => {
    const down = applied({ kind: 'model', role: 'builder', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5', evidence: { success_rate: 0.99, runs: 100 } });
    const yaml = mycoYaml('scan', 'provider:\n  type: anthropic\n  model: claude-haiku-4-5\nphases:\n  look:\n    maxTurns: 10');
    const a = judged(taskRuns('scan', 100, { phases: [{ name: 'look', turns: [4] }], model: 'claude-haiku-4-5', failed: 20, from: FROM }), yaml, down);
    expect(a.outcomes[0]).toMatchObject({ verdict: 'worse', realised: { success_rate: 0.8 } });
    expect(a.changes.find((c) => c.kind === 'model')).toMatchObject({ from: 'claude-haiku-4-5', to: 'claude-sonnet-5-5', evidence: expect.objectContaining({ reverts: 'abc123' }) });
    const held = judged(taskRuns('scan', 100, { phases: [{ name: 'look', turns: [4] }], model: 'claude-haiku-4-5', failed: 2, from: FROM }), yaml, down);
    expect(held.outcomes[0]).toMatchObject({ verdict: 'confirmed' });
  });
});
