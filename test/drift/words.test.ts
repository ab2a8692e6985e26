import { describe, expect, it } from 'vitest';
import { compareDecisions, decisionSet } from '../../src/drift/decisions.js';
import { changeOf } from '../helpers/changes.js';
import { contextOf, strategyYaml, targetsOf } from '../helpers/context.js';
import { phases } from '../helpers/records.js';
import { mycoTargets, mycoYaml, taskRuns } from '../helpers/tasks.js';

const change = changeOf;

describe('drift in words', () => {
  it('says which decision came, which went with its figure now and then, and which figure moved', () => {
    const downgrade = change({
      kind: 'model',
      category: 'bugfix',
      complexity: 'medium',
      role: 'builder',
      from: 'claude-sonnet-5-5',
      to: 'claude-haiku-4-5',
      evidence: { success_rate: 0.93, phases: 40 },
    });
    const cap = change({ kind: 'token_cap', category: 'docs', direction: 'up', from: 100_000, to: 130_000, evidence: { cap_utilisation_p95: 0.97 } });
    const before = decisionSet([downgrade, cap]);
    const capMoved = change({ ...cap, evidence: { cap_utilisation_p95: 1.2 } });
    const interval = change({ kind: 'schedule', category: 'vault-evolve', direction: 'up', from: 1800, to: 3600, evidence: { noop_share: 0.88 } });
    // bugfix now succeeds 88% of the time (35 of 40) at medium complexity.
    const ctx = contextOf(phases('bugfix', 40, { success: 35, extra: { complexity: 'medium' } }), targetsOf(strategyYaml({ docs: 100_000 })));
    const r = compareDecisions(before, decisionSet([capMoved, interval]), 0.1, ctx);
    expect(r.material).toBe(true);
    expect(r.moved).toEqual([
      'vault-evolve interval: a longer interval is now indicated (no-op runs 88%)',
      'bugfix (medium) builder: the downgrade is no longer indicated: success 88%, was 93%',
      'docs cap: P95 use of the cap 97% → 120%',
    ]);
  });
  it('names the values of scheduled tasks as the report does', () => {
    const ctx = contextOf(taskRuns('scan', 20, { phases: [{ name: 'look', turns: [3] }] }), mycoTargets(mycoYaml('scan', 'provider:\n  type: anthropic')));
    const turn = change({ kind: 'turn_budget', category: 'scan', key: 'look', evidence: { cap_hit_rate: 0.08 } });
    const model = change({ kind: 'model', category: 'scan', role: 'builder', evidence: { success_rate: 0.99 } });
    expect(compareDecisions(decisionSet([turn, model]), decisionSet([]), 0.1, ctx).moved).toEqual([
      'scan model: the downgrade is no longer indicated: success 100%, was 99%',
      'scan look turn budget: the cut is no longer indicated: runs stopped at the budget 0%, was 8%',
    ]);
  });
});
