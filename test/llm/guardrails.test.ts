import { describe, expect, it } from 'vitest';
import { guard, within } from '../../src/llm/guardrails.js';
import { mergeWithRules } from '../../src/llm/merge.js';
import { analyze } from '../../src/rules/analyze.js';
import { phases } from '../helpers/records.js';
import { contextOf, strategyYaml, targetsOf } from '../helpers/context.js';
import { mycoTargets, mycoYaml, taskRuns, type PhaseSpec } from '../helpers/tasks.js';

const B = { max_p95_multiple: 2, max_move: 0.5 };

describe('evidence bounds of a new cap', () => {
  // cap 100 000, P95 60 000: allowed [max(60 000, 50 000), min(120 000, 150 000)] = [60 000, 120 000]
  it('accepts a value within the bounds as it is', () => {
    expect(within(70_000, 100_000, 60_000, B, true, false, 'P95')).toEqual({ value: 70_000 });
  });
  it('clamps below P95 up to P95 when the evidence points down, rounded where it can be', () => {
    expect(within(1, 100_000, 60_000, B, true, false, 'P95')).toEqual({ value: 60_000, note: 'clamped from 1 to 60000: 1 is below the observed P95 (60000)' });
    expect(within(1, 100_000, 61_234, B, true, false, 'P95')).toMatchObject({ value: 62_000 });
  });
  it('rejects instead of clamping when the evidence points the other way', () => {
    expect(within(1, 100_000, 60_000, B, false, true, 'P95')).toEqual({ reason: '1 is below the observed P95 (60000), and the evidence does not point down' });
  });
  it('clamps an increase to 2× P95 and to a 50% move', () => {
    // cap 100 000, P95 97 000: hi = min(194 000, 150 000) = 150 000
    expect(within(900_000, 100_000, 97_000, B, false, true, 'P95')).toMatchObject({ value: 150_000 });
    // cap 100 000, P95 70 000: hi = min(140 000, 150 000)
    expect(within(900_000, 100_000, 70_000, B, false, true, 'P95')).toMatchObject({ value: 140_000 });
  });
  it('never goes below P95 even when the move limit would', () => {
    // P95 far above 1.5× the cap: the only allowed value is P95 itself
    expect(within(400_000, 100_000, 300_000, B, false, true, 'P95')).toMatchObject({ value: 300_000 });
  });
  it('rejects a value equal to the current one', () => {
    expect(within(100_000, 100_000, 60_000, B, true, true, 'P95')).toEqual({ reason: '100000 is already the value' });
  });
});

describe('guard and merge', () => {
  const targets = targetsOf(strategyYaml({ easy: 100_000, thin: 100_000 }, { easy: 'ci_standard' }));
  const recs = [...phases('easy', 40, { success: 40, tokens: [40_000] }), ...phases('thin', 5, { tokens: [40_000] })];
  const ctx = contextOf(recs, targets);
  const rules = analyze(ctx).changes;
  const ask = (changes: object[], caveats: string[] = []) => ({ summary: 's', changes: changes as never, advice: [], caveats });
  const c = (o: object) => ({ complexity: null, role: null, rationale: 'r', confidence: 'high', pilot: false, ...o });

  it('rebuilds accepted changes from the stats: evidence by code, text from the model', () => {
    const g = guard(ask([c({ kind: 'token_cap', category: 'easy', to: '60000', rationale: 'trim it' })]), ctx, B);
    expect(g.rejected).toEqual([]);
    expect(g.accepted[0]).toMatchObject({ source: 'llm', from: 100_000, to: 60_000, rationale: 'trim it', confidence: 'high', evidence: expect.objectContaining({ p95_tokens: 40_000 }) });
  });

  it('refuses too little data, missing fields, duplicates and unknown budgets', () => {
    const g = guard(
      ask([
        c({ kind: 'token_cap', category: 'thin', to: '60000' }),
        c({ kind: 'model', category: 'easy', to: 'claude-haiku-4-5' }),
        c({ kind: 'token_cap', category: null, to: '60000' }),
        c({ kind: 'token_cap', category: 'easy', to: '60000' }),
        c({ kind: 'token_cap', category: 'easy', to: '70000' }),
        c({ kind: 'run_budget', category: 'everything', to: '1' }),
      ]),
      ctx,
      B,
    );
    expect(g.rejected.map((r) => r.reason)).toEqual([
      'too little data: 5 phases, fewer than 10',
      'a model change needs a complexity',
      'a token_cap change needs a category',
      'proposed twice; the first one counts',
      'unknown run budget "everything"; expected one of core_build_tokens, aux_agent_tokens',
    ]);
  });

  it('lists dropped rule candidates with the reason the model gave', () => {
    // The rules move easy's model; its cap waits for the new model's data.
    expect(rules.map((r) => `${r.kind}:${r.category}`)).toEqual(['model:easy']);
    const answer = ask([c({ kind: 'token_cap', category: 'easy', to: '60000' })], ['easy: keep the model until the new cap settles']);
    const merged = mergeWithRules(rules, guard(answer, ctx, B), answer);
    expect(merged.changes.map((x) => `${x.kind}:${x.source}:${x.to}`)).toEqual(['token_cap:llm:60000']);
    expect(merged.considered).toEqual([
      { change: expect.objectContaining({ kind: 'model', category: 'easy' }), reason: 'not proposed by the model, which said: "easy: keep the model until the new cap settles"' },
    ]);
  });
});

describe("guarding the model's changes of scheduled tasks", () => {
  const yaml = mycoYaml('scan', 'provider:\n  type: anthropic\n  model: claude-sonnet-5-5\nphases:\n  look:\n    maxTurns: 20\nschedule:\n  enabled: true\n  intervalSeconds: 1800');
  const phases: PhaseSpec[] = [
    { name: 'look', turns: [6] },
    { name: 'act', turns: [9] },
  ];
  // 100 runs at the 30-minute interval they are configured for.
  const ctx = contextOf(taskRuns('scan', 100, { phases, noops: 60, days: (100 * 1800) / 86_400 }), mycoTargets(yaml));
  const ask = (changes: object[]) => ({ summary: 's', changes: changes as never, advice: [], caveats: [] });
  const c = (o: object) => ({ complexity: null, role: null, rationale: 'r', confidence: 'high', pilot: false, ...o });

  it("holds turn budgets, cadence and task models to the task rules' evidence", () => {
    const g = guard(
      ask([
        c({ kind: 'turn_budget', category: 'scan/look', to: '12' }),
        c({ kind: 'turn_budget', category: 'scan/look', to: '2' }),
        c({ kind: 'turn_budget', category: 'scan', to: '12' }),
        c({ kind: 'schedule', category: 'scan', to: '5400' }),
        c({ kind: 'model', category: 'scan', role: 'builder', to: 'claude-opus-5-5' }),
      ]),
      ctx,
      B,
    );
    expect(g.accepted.map((x) => `${x.kind}:${x.category}:${x.key}:${x.from}->${x.to}`)).toEqual(['turn_budget:scan:look:20->12', 'schedule:scan:null:1800->3600']);
    expect(g.accepted[1]!.rationale).toMatch(/set to 3600 s: one proposal doubles or halves an interval/);
    expect(g.rejected.map((r) => r.reason)).toEqual([
      'proposed twice; the first one counts',
      'a turn budget names its phase: put "task/phase" in "category"',
      "the rules' upgrade test fails on claude-sonnet-5-5: success 100%",
    ]);
    // Below P95 of the turns is never accepted, whatever the model says.
    const low = guard(ask([c({ kind: 'turn_budget', category: 'scan/look', to: '2' })]), ctx, B);
    expect(low.accepted[0]).toMatchObject({ to: 10 });
    expect(low.accepted[0]!.rationale).toMatch(/clamped from 2 to 10/);
  });
});
