import { describe, expect, it } from 'vitest';
import { taskRules } from '../../src/rules/task-rules.js';
import { analyze } from '../../src/rules/analyze.js';
import { taskGroup } from '../../src/stats/tasks.js';
import type { TaskRunRecord } from '../../src/sources/records.js';
import { contextOf } from '../helpers/context.js';
import { mycoTargets, mycoYaml, taskRuns, type PhaseSpec } from '../helpers/tasks.js';

const budgetYaml = (maxTurns: number, extra = '') => mycoYaml('scan', `provider:\n  type: anthropic\n  model: claude-sonnet-5-5\nphases:\n  look:\n    maxTurns: ${maxTurns}\n${extra}`);

function rules(records: ReturnType<typeof taskRuns>, yaml: string, tuner = '') {
  return taskRules(contextOf(records, mycoTargets(yaml), tuner));
}

const turnChanges = (r: ReturnType<typeof rules>) => r.changes.filter((c) => c.kind === 'turn_budget');
const look = (turns: number[], o: Partial<PhaseSpec> = {}): PhaseSpec[] => [{ name: 'look', turns, ...o }];

describe('turn budgets', () => {
  it('raises a budget whose runs hit it more than 5% of the time, by at least 25%, not trusting their P95', () => {
    const r = rules(taskRuns('scan', 100, { phases: look([10], { capHits: 6, allowed: 35 }) }), budgetYaml(35));
    const [c] = turnChanges(r);
    expect(c).toMatchObject({ kind: 'turn_budget', category: 'scan', key: 'look', from: 35, to: 44, direction: 'up', confidence: 'high' });
    expect(c!.evidence).toMatchObject({ runs: 100, cap_hits: 6, cap_hit_rate: 0.06, finished_runs: 94 });
    expect(c!.rationale).toMatch(/censored/);
  });
  it('keeps a budget hit by exactly 5% of the runs, and one hit once', () => {
    const kept = rules(taskRuns('scan', 100, { phases: look([20], { capHits: 5, allowed: 35 }) }), budgetYaml(35));
    expect(turnChanges(kept)).toEqual([]);
    // Why it is kept is typed, not read from the words.
    expect(kept.findings.filter((f) => f.area === 'turn_budget').map((f) => f.kind)).toEqual(['keep']);
    expect(turnChanges(rules(taskRuns('scan', 10, { phases: look([20], { capHits: 1, allowed: 35 }) }), budgetYaml(35)))).toEqual([]);
  });
  it('lowers a budget whose P95 sits below half of it, never below P95 or P99', () => {
    const r = rules(taskRuns('scan', 100, { phases: look([9]) }), budgetYaml(20));
    // 9 × 1.2 × (1 + 1/14) = 11.6 → 12, above P99 (9)
    expect(turnChanges(r)).toEqual([expect.objectContaining({ from: 20, to: 12, direction: 'down' })]);
    expect(turnChanges(rules(taskRuns('scan', 100, { phases: look([10]) }), budgetYaml(20)))).toEqual([]);
    // A tail above the derived budget holds it up: P99 of [4 × 97, 15 × 3] is 15.
    const tail = turnChanges(rules(taskRuns('scan', 100, { phases: look([...Array(97).fill(4), 15, 15, 15]) }), budgetYaml(40)));
    expect(tail[0]!.to).toBeGreaterThanOrEqual(15);
  });
  it('raises a budget whose P95 is above 95% of it, not at 95%', () => {
    expect(turnChanges(rules(taskRuns('scan', 100, { phases: look([19]) }), budgetYaml(20)))).toEqual([]);
    expect(turnChanges(rules(taskRuns('scan', 100, { phases: look([20]) }), budgetYaml(20)))).toEqual([expect.objectContaining({ direction: 'up', from: 20 })]);
  });
  it('moves a budget at most 50% per proposal', () => {
    const [c] = turnChanges(rules(taskRuns('scan', 100, { phases: look([3]) }), budgetYaml(40)));
    // Derived: 3 × 1.2 × (1 + 1/14) → 4, which takes four halvings or fewer: 40 → 20 → 10 → 5 → 4.
    expect(c).toMatchObject({ from: 40, to: 20 });
    expect(c!.evidence).toMatchObject({ derived_budget: 4, steps_to_derived: 4 });
  });
  it('waits for the minimum sample of runs in which the phase acted', () => {
    const few = rules(taskRuns('scan', 9, { phases: look([3]) }), budgetYaml(40));
    expect(turnChanges(few)).toEqual([]);
    expect(few.findings.map((f) => f.message).join('\n')).toMatch(/waiting for runs under the budget in force \(40 turns\): 9 of 10/);
    expect(turnChanges(rules(taskRuns('scan', 10, { phases: look([3]) }), budgetYaml(40)))).toHaveLength(1);
  });
  it('tunes a budget the task definition sets from what its cap hits reported, and says where it goes', () => {
    const yaml = mycoYaml('scan', 'provider:\n  type: anthropic');
    const r = rules(taskRuns('scan', 100, { phases: look([10], { capHits: 8, allowed: 12 }) }), yaml);
    expect(turnChanges(r)).toEqual([expect.objectContaining({ from: 12, to: 15, direction: 'up' })]);
    expect(turnChanges(r)[0]!.rationale).toMatch(/task definition/);
  });
  it('says so when a phase runs under a budget nothing reports', () => {
    const r = rules(taskRuns('scan', 100, { phases: look([3]) }), mycoYaml('scan', 'provider:\n  type: anthropic'));
    expect(turnChanges(r)).toEqual([]);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/scan: phase look runs under the task definition's turn budget.*agent\.tasks\.scan\.phases\.look\.maxTurns/);
  });
  it('leaves skipped phases of no-op runs out of the evidence', () => {
    const phases: PhaseSpec[] = [
      { name: 'look', turns: [3] },
      { name: 'act', turns: [9] },
    ];
    const yaml = mycoYaml('scan', 'provider:\n  type: anthropic\nphases:\n  act:\n    maxTurns: 20');
    const r = taskRules(contextOf(taskRuns('scan', 100, { phases, noops: 95 }), mycoTargets(yaml)));
    // Five runs acted in `act`: fewer than the minimum.
    expect(turnChanges(r)).toEqual([]);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/scan act: waiting for runs under the budget in force \(20 turns\): 5 of 10/);
  });
});

describe('cadence', () => {
  const scheduled = (interval: number) => mycoYaml('scan', `provider:\n  type: anthropic\nschedule:\n  enabled: true\n  intervalSeconds: ${interval}`);
  const cadence = (r: ReturnType<typeof rules>) => r.changes.filter((c) => c.kind === 'schedule');
  const phases: PhaseSpec[] = [
    { name: 'look', turns: [3] },
    { name: 'act', turns: [9] },
  ];

  // Runs that follow their interval: n runs spaced `interval` seconds apart.
  const every = (interval: number, n = 100) => ({ days: (n * interval) / 86_400 });

  it('doubles the interval of a task whose runs are half or more no-ops, with what they cost a day', () => {
    const [c] = cadence(rules(taskRuns('scan', 100, { phases, noops: 50, noopCost: 0.07, ...every(1800) }), scheduled(1800)));
    expect(c).toMatchObject({ kind: 'schedule', category: 'scan', from: 1800, to: 3600, direction: 'up' });
    // 50 no-ops at $0.07 over the 3 UTC days the runs touch
    expect(c!.evidence.noop_cost_usd_per_day).toBeCloseTo(3.5 / 3, 4);
    expect(c!.effect.usd_per_run).toBeLessThan(0);
    expect(cadence(rules(taskRuns('scan', 100, { phases, noops: 49, ...every(1800) }), scheduled(1800)))).toEqual([]);
  });
  it('stops at the ceiling', () => {
    const r = rules(taskRuns('scan', 30, { phases, noops: 27, ...every(86_400, 30) }), scheduled(86_400));
    expect(cadence(r)).toEqual([]);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/ceiling of 86400 s/);
    expect(cadence(rules(taskRuns('scan', 30, { phases, noops: 27, ...every(60_000, 30) }), scheduled(60_000)))[0]).toMatchObject({ to: 86_400 });
  });
  it('halves the interval of a task whose runs all find work and stop at a turn budget with work left, down to the floor', () => {
    const queued = (capHits: number): PhaseSpec[] => [
      { name: 'look', turns: [3] },
      { name: 'act', turns: [9], capHits, allowed: 12 },
    ];
    const [c] = cadence(rules(taskRuns('scan', 100, { phases: queued(6), ...every(7200) }), scheduled(7200)));
    expect(c).toMatchObject({ from: 7200, to: 3600, direction: 'down', evidence: { cut_off_phase: 'act', cap_hit_rate: 0.06 } });
    expect(c!.rationale).toMatch(/work queues up between runs/);
    // Every run found work and finished it within its budget: no reason to run more often.
    const done = rules(taskRuns('scan', 100, { phases, ...every(7200) }), scheduled(7200));
    expect(cadence(done)).toEqual([]);
    expect(done.findings.map((f) => f.message).join('\n')).toMatch(/every run found work at 7200 s, and each finished it within its turn budgets; kept/);
    expect(cadence(rules(taskRuns('scan', 100, { phases: queued(5), ...every(7200) }), scheduled(7200)))).toEqual([]);
    expect(cadence(rules(taskRuns('scan', 100, { phases: queued(6), noops: 1, ...every(7200) }), scheduled(7200)))).toEqual([]);
    expect(cadence(rules(taskRuns('scan', 100, { phases: queued(6), ...every(1200) }), scheduled(1200)))).toEqual([expect.objectContaining({ to: 900 })]);
    expect(cadence(rules(taskRuns('scan', 100, { phases: queued(6), ...every(900) }), scheduled(900)))).toEqual([]);
  });
  it('leaves the interval alone where something else spaces the runs, and says what does', () => {
    // Runs 5.5 hours apart under a 30-minute interval: halving or doubling it would change nothing.
    const queued: PhaseSpec[] = [
      { name: 'look', turns: [3] },
      { name: 'act', turns: [9], capHits: 6, allowed: 12 },
    ];
    const r = rules(taskRuns('scan', 60, { phases: queued, days: (60 * 5.5) / 24 }), scheduled(1800));
    expect(cadence(r)).toEqual([]);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/scan: its runs are 5\.5 h apart at the median under an interval of 30 min: something else spaces them/);
    const idle = rules(taskRuns('scan', 60, { phases, noops: 50, days: (60 * 5.5) / 24 }), scheduled(1800));
    expect(cadence(idle)).toEqual([]);
  });
  it('raises a turn budget against cap hits even while the same proposal runs the task more often', () => {
    const yaml = mycoYaml('scan', 'provider:\n  type: anthropic\n  model: claude-sonnet-5-5\nphases:\n  act:\n    maxTurns: 12\nschedule:\n  enabled: true\n  intervalSeconds: 7200');
    const a = analyze(
      contextOf(
        taskRuns('scan', 100, {
          phases: [
            { name: 'look', turns: [3] },
            { name: 'act', turns: [9], capHits: 8, allowed: 12 },
          ],
          ...every(7200),
        }),
        mycoTargets(yaml),
      ),
    );
    expect(a.changes.map((c) => `${c.kind}:${c.direction}`).sort()).toEqual(['schedule:down', 'turn_budget:up']);
  });
  it('writes a cadence only into a schedule block the task has, reading the interval from the runs when the block does not set it', () => {
    const none = rules(taskRuns('scan', 100, { phases, noops: 80 }), mycoYaml('scan', 'provider:\n  type: anthropic'));
    expect(cadence(none)).toEqual([]);
    expect(none.findings.map((f) => f.message).join('\n')).toMatch(/scan: 80% of 100 runs were no-ops .* add a schedule block/);
    const inherited = rules(taskRuns('scan', 112, { phases, noops: 80 }), mycoYaml('scan', 'provider:\n  type: anthropic\nschedule:\n  enabled: true'));
    // 112 runs over 14 days: one every 3 hours.
    expect(cadence(inherited)).toEqual([expect.objectContaining({ from: 10_800, to: 21_600 })]);
    expect(cadence(inherited)[0]!.evidence.interval_inferred).toBe('yes');
  });
  it('leaves a switched-off schedule alone', () => {
    const off = mycoYaml('scan', 'provider:\n  type: anthropic\nschedule:\n  enabled: false\n  intervalSeconds: 1800');
    expect(cadence(rules(taskRuns('scan', 100, { phases, noops: 90 }), off))).toEqual([]);
  });
});

describe('task models', () => {
  const yaml = budgetYaml(10);
  const models = (r: ReturnType<typeof rules>) => r.changes.filter((c) => c.kind === 'model');

  it('downgrades a task that succeeds more than 90% of the time well under its turn budgets', () => {
    const [c] = models(rules(taskRuns('scan', 100, { phases: look([6]), failed: 9 }), yaml));
    expect(c).toMatchObject({ kind: 'model', category: 'scan', complexity: null, role: 'builder', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5', direction: 'down', pilot: false });
    expect(c!.effect.usd_per_run).toBeLessThan(0);
    expect(models(rules(taskRuns('scan', 100, { phases: look([6]), failed: 10 }), yaml))).toEqual([]);
  });
  it('keeps the model of a task whose busiest phase uses 70% of its budget or more', () => {
    expect(models(rules(taskRuns('scan', 100, { phases: look([7]) }), yaml))).toEqual([]);
    expect(models(rules(taskRuns('scan', 100, { phases: look([6]) }), yaml))).toHaveLength(1);
  });
  it('pilots a stronger model for a task that succeeds less than 75% of the time', () => {
    expect(models(rules(taskRuns('scan', 100, { phases: look([9]), failed: 26 }), yaml))).toEqual([expect.objectContaining({ direction: 'up', to: 'claude-opus-5-5', pilot: true })]);
    expect(models(rules(taskRuns('scan', 100, { phases: look([9]), failed: 25 }), yaml))).toEqual([]);
  });
  it('never tunes a task on a local model, and never steps down to one', () => {
    const local = mycoYaml('scan', 'provider:\n  type: ollama\n  model: qwen3:8b\nphases:\n  look:\n    maxTurns: 10');
    const free =
      'pricing:\n  models:\n    qwen3:8b: {litellm_provider: ollama, input_cost_per_token: 0, output_cost_per_token: 0}\nmodels:\n  ladders:\n    mixed: [qwen3:8b, claude-haiku-4-5, claude-sonnet-5-5]\n';
    const r = rules(taskRuns('scan', 100, { phases: look([3]), provider: 'ollama', model: 'qwen3:8b' }), local, free);
    expect(models(r)).toEqual([]);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(/runs on a local model/);
    const haiku = mycoYaml('scan', 'provider:\n  type: anthropic\n  model: claude-haiku-4-5\nphases:\n  look:\n    maxTurns: 10');
    const down = rules(taskRuns('scan', 100, { phases: look([3]), model: 'claude-haiku-4-5' }), haiku, free);
    expect(models(down)).toEqual([]);
    expect(down.findings.map((f) => f.message).join('\n')).toMatch(/qwen3:8b is a local model at no cost/);
  });
  it('migrates a task off a retiring model, whatever its runs say', () => {
    const yaml = mycoYaml('scan', 'provider:\n  type: anthropic\n  model: claude-sonnet-4-5\nphases:\n  look:\n    maxTurns: 10');
    const a = analyze(contextOf(taskRuns('scan', 100, { phases: look([7]), model: 'claude-sonnet-4-5' }), mycoTargets(yaml), '', { now: new Date('2026-11-20T00:00:00Z') }));
    expect(a.changes).toEqual([
      expect.objectContaining({
        kind: 'model',
        category: 'scan',
        complexity: null,
        from: 'claude-sonnet-4-5',
        to: 'claude-sonnet-5-5',
        evidence: expect.objectContaining({ migration: 'retirement' }),
      }),
    ]);
  });
  it('leaves zero-cost runs out of the cost means', () => {
    const runs = [...taskRuns('scan', 10, { phases: look([3]), cost: 0.3 }), ...taskRuns('scan', 10, { phases: look([3]), provider: 'ollama', model: 'qwen3:8b', idPrefix: 'local' })].filter(
      (r): r is TaskRunRecord => r.kind === 'task_run',
    );
    const g = taskGroup(runs);
    expect(g).toMatchObject({ runs: 20, local_runs: 10, priced_runs: 10 });
    expect(g.mean_cost_usd).toBeCloseTo(0.3, 10);
  });
  it('holds a turn budget back while the same proposal changes the task model', () => {
    const ctx = contextOf(taskRuns('scan', 100, { phases: look([2]) }), mycoTargets(yaml));
    const a = analyze(ctx);
    expect(a.changes.map((c) => c.kind)).toEqual(['model']);
    expect(a.findings.map((f) => f.message).join('\n')).toMatch(/scan look turn budget: 10 → 5 held back: this proposal changes the task's model/);
  });
});

describe('cost spikes', () => {
  const spike = (recentCost: number) => {
    const before = taskRuns('scan', 20, { phases: look([4]), cost: 0.2, days: 14, from: Date.parse('2026-11-06T00:00:00Z'), idPrefix: 'a' }).filter((r) => r.ts < Date.parse('2026-11-13T00:00:00Z'));
    const recent = taskRuns('scan', 10, { phases: look([16]), cost: recentCost, from: Date.parse('2026-11-13T00:00:00Z'), idPrefix: 'b' });
    const local = taskRuns('scan', 10, { phases: look([4]), provider: 'ollama', model: 'qwen3:8b', idPrefix: 'c', from: Date.parse('2026-11-06T00:00:00Z') });
    return rules([...before, ...recent, ...local], budgetYaml(30)).findings.filter((f) => f.kind === 'cost_spike');
  };
  it('flags a task costing three times or more per run than the week before, with the phases that grew', () => {
    const [f] = spike(0.6);
    expect(f!.message).toMatch(
      /scan \(anthropic\): cost spike: \$0\.60 per run over the last 7 days, 3\.0× the \$0\.20 of the 7 days before \(10 and 10 runs\); phases that grew: look 4\.0× tokens per run/,
    );
    expect(spike(0.58)).toEqual([]);
  });
});
