import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/rules/analyze.js';
import type { WorkRecord } from '../../src/sources/records.js';
import type { TrackedChange } from '../../src/store/history.js';
import { applyChanges } from '../../src/targets/apply.js';
import { changeKey, type Change } from '../../src/targets/change.js';
import { readTargets } from '../../src/targets/read.js';
import { appliedAt } from '../helpers/changes.js';
import { contextOf } from '../helpers/context.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 28, 12);
const AGENT = '---\nname: reviewer\nmodel: sonnet # reviews\n---\nReview the diff.\n';
const targets = (text = AGENT) => readTargets([{ path: '/r/.claude/agents/reviewer.md', display: '.claude/agents/reviewer.md', preset: 'claude-agents', text }]);

/** `n` runs of the reviewer on `model`, the first `failures` failed, one an hour back from `end`. */
const runs = (n: number, failures: number, model: string, end = END): WorkRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'work',
    unit: 'invocation',
    ts: end - i * 3_600_000,
    agent: 'reviewer',
    model,
    outcome: i < failures ? 'failed' : 'success',
    input_tokens: 4_000,
    output_tokens: 1_000,
    turns: 3,
  }));

/** A change of proposal `proposal`, applied at `applied` (epoch ms), as the history holds it. */
const appliedOn = (applied: number, change: Change, proposal: string, id: number): TrackedChange => appliedAt(change, applied, { proposal, id });

describe('subagents as targets', () => {
  it("moves a reliable subagent one rung down in its file's front matter, with its evidence", () => {
    const t = targets();
    const a = analyze(contextOf(runs(100, 1, 'claude-sonnet-5-5'), t, '', { now: new Date(END) }));
    const c = a.changes.find((x) => x.subject === 'agent');
    expect(c).toMatchObject({
      kind: 'model',
      category: 'reviewer',
      subject: 'agent',
      from: 'claude-sonnet-5-5',
      to: 'claude-haiku-4-5',
      direction: 'down',
      pilot: false,
      evidence: { invocations: 100, success_rate: 0.99 },
    });
    expect(c!.effect.usd_per_run).toBeLessThan(0);
    const [file] = applyChanges([c!], t);
    expect(file!.after).toBe('---\nname: reviewer\nmodel: claude-haiku-4-5 # reviews\n---\nReview the diff.\n');
    // Runs on another model than the file's are no evidence for it.
    const other = analyze(contextOf(runs(100, 1, 'claude-opus-5-5'), t, '', { now: new Date(END) }));
    expect(other.changes.filter((x) => x.subject === 'agent')).toEqual([]);
    expect(other.findings.find((f) => f.category === 'reviewer')).toMatchObject({ kind: 'model_mismatch' });
  });

  it('follows a merged move by the runs since, and reverts it when success fell', () => {
    const applied = END - 10 * DAY;
    const change: Change = {
      kind: 'model',
      category: 'reviewer',
      subject: 'agent',
      complexity: null,
      role: 'builder',
      key: null,
      from: 'claude-sonnet-5-5',
      to: 'claude-haiku-4-5',
      direction: 'down',
      source: 'rules',
      evidence: { invocations: 100, success_rate: 0.99 },
      effect: { tokens_per_run: 0, usd_per_run: -0.1 },
      rationale: '',
      risk: '',
      confidence: 'high',
      pilot: false,
    };
    const tracked = appliedOn(applied, change, 'abc123', 1);
    const merged = targets('---\nname: reviewer\nmodel: claude-haiku-4-5 # reviews\n---\nReview the diff.\n');
    const history = { applied: [tracked], since: new Map([[changeKey(change), Math.floor(applied / DAY)]]) };
    // 60 runs since on Haiku, 18 failed: from 99% to 70%.
    const worse = analyze(contextOf(runs(60, 18, 'claude-haiku-4-5'), merged, '', { history, now: new Date(END) }));
    expect(worse.outcomes[0]).toMatchObject({ verdict: 'worse', phases_since: 60, realised: { success_rate: 0.7 } });
    expect(worse.outcomes[0]!.summary).toMatch(/worse over 60 invocations, success 99% before, 70% since/);
    const revert = worse.changes.find((x) => x.subject === 'agent');
    expect(revert).toMatchObject({ category: 'reviewer', from: 'claude-haiku-4-5', to: 'claude-sonnet-5-5', direction: 'up', evidence: { reverts: 'abc123' } });
    expect(applyChanges([revert!], merged)[0]!.after).toBe(AGENT.replace('model: sonnet', 'model: claude-sonnet-5-5'));
    // The same runs, all but one succeeding: confirmed, nothing moves back.
    const fine = analyze(contextOf(runs(60, 1, 'claude-haiku-4-5'), merged, '', { history, now: new Date(END) }));
    expect(fine.outcomes[0]).toMatchObject({ verdict: 'confirmed' });
    expect(fine.changes.filter((x) => x.direction === 'up')).toEqual([]);
  });

  it("sizes a subagent's maxTurns by the turns of its finished runs, and gives back room it cut too far", () => {
    const bounded = targets('---\nname: reviewer\nmodel: sonnet\nmaxTurns: 30\n---\nReview.\n');
    // One run in ten fails: no model move (a model move would hold the bound back until the new model has runs).
    const withTurns = (n: number, turns: (i: number) => number, end = END): WorkRecord[] => runs(n, n / 10, 'claude-sonnet-5-5', end).map((w, i) => ({ ...w, turns: turns(i) }));
    const a = analyze(
      contextOf(
        withTurns(100, (i) => 3 + (i % 3)),
        bounded,
        '',
        { now: new Date(END) },
      ),
    );
    const cut = a.changes.find((c) => c.kind === 'turn_budget');
    // P95 of 5 turns under a bound of 30: halved this time (one proposal moves a value by at most 50%).
    expect(cut).toMatchObject({ kind: 'turn_budget', category: 'reviewer', subject: 'agent', key: null, from: 30, to: 15, direction: 'down', evidence: { runs: 100, cap_hits: 0, p95_turns: 5 } });
    expect(applyChanges([cut!], bounded)[0]!.after).toContain('\nmaxTurns: 15\n');

    const applied = END - 10 * DAY;
    const tracked = appliedOn(applied, cut!, 'def456', 2);
    const after = targets('---\nname: reviewer\nmodel: sonnet\nmaxTurns: 15\n---\nReview.\n');
    // Since, one run in ten reaches the new bound: more than the 5% the raise rule allows.
    const worse = analyze(
      contextOf(
        withTurns(60, (i) => (i % 10 === 0 ? 15 : 4)),
        after,
        '',
        { history: { applied: [tracked], since: new Map([[changeKey(cut!), Math.floor(applied / DAY)]]) }, now: new Date(END) },
      ),
    );
    expect(worse.outcomes.find((o) => o.change.kind === 'turn_budget')).toMatchObject({ verdict: 'worse', realised: { cap_hit_rate: 0.1 } });
    expect(worse.changes.find((c) => c.kind === 'turn_budget' && c.evidence['reverts'] === 'def456')).toMatchObject({ from: 15, to: 30, direction: 'up', subject: 'agent' });
  });

  it('makes an inheriting subagent explicit only when nine runs in ten used one model', () => {
    const inherits = targets('---\nname: reviewer\nmodel: inherit\n---\nReview.\n');
    const a = analyze(contextOf(runs(100, 1, 'claude-sonnet-5-5'), inherits, '', { now: new Date(END) }));
    const c = a.changes.find((x) => x.subject === 'agent');
    expect(c).toMatchObject({ kind: 'model', from: 'inherit', to: 'claude-haiku-4-5', direction: 'down', evidence: { model: 'claude-sonnet-5-5', invocations: 100 } });
    expect(applyChanges([c!], inherits)[0]!.after).toBe('---\nname: reviewer\nmodel: claude-haiku-4-5\n---\nReview.\n');
    const mixed = [...runs(50, 0, 'claude-sonnet-5-5'), ...runs(50, 0, 'claude-opus-5-5', END - 200 * 3_600_000)];
    const b = analyze(contextOf(mixed, inherits, '', { now: new Date(END) }));
    expect(b.changes.filter((x) => x.subject === 'agent')).toEqual([]);
    expect(b.findings.find((f) => f.category === 'reviewer')?.message).toBe('reviewer (inherit): its runs used several models, none in nine of ten; set model: to tune it');
  });
  it("steps a reliable subagent's effort down once its model is the cheapest rung, and follows it", () => {
    const haiku = targets('---\nname: reviewer\nmodel: haiku\neffort: high # thorough\n---\nReview.\n');
    const a = analyze(contextOf(runs(100, 1, 'claude-haiku-5-5'), haiku, '', { now: new Date(END) }));
    const c = a.changes.find((x) => x.subject === 'agent');
    expect(c).toMatchObject({
      kind: 'effort',
      category: 'reviewer',
      from: 'high',
      to: 'medium',
      direction: 'down',
      pilot: false,
      evidence: { model: 'claude-haiku-5-5', effort: 'high', invocations: 100 },
    });
    expect(applyChanges([c!], haiku)[0]!.after).toBe('---\nname: reviewer\nmodel: haiku\neffort: medium # thorough\n---\nReview.\n');
    // Where the model can still step down, the model moves and the effort waits.
    const sonnet = analyze(contextOf(runs(100, 1, 'claude-sonnet-5-5'), targets('---\nname: reviewer\nmodel: sonnet\neffort: high\n---\nReview.\n'), '', { now: new Date(END) }));
    expect(sonnet.changes.filter((x) => x.subject === 'agent').map((x) => x.kind)).toEqual(['model']);
    // At the lowest effort nothing moves, and the finding says why.
    const low = analyze(contextOf(runs(100, 1, 'claude-haiku-5-5'), targets('---\nname: reviewer\nmodel: haiku\neffort: low\n---\nReview.\n'), '', { now: new Date(END) }));
    expect(low.changes.filter((x) => x.subject === 'agent')).toEqual([]);
    expect(low.findings.find((f) => f.category === 'reviewer')?.message).toMatch(/cheapest model on its ladder, and its effort: effort is already low, the lowest; kept/);

    // Merged ten days ago; since, 60 runs at medium, 18 failed: worse, and the revert restores high.
    const applied = END - 10 * DAY;
    const tracked = appliedOn(applied, c!, 'eff001', 3);
    const merged = targets('---\nname: reviewer\nmodel: haiku\neffort: medium # thorough\n---\nReview.\n');
    const history = { applied: [tracked], since: new Map([[changeKey(c!), Math.floor(applied / DAY)]]) };
    const worse = analyze(contextOf(runs(60, 18, 'claude-haiku-5-5'), merged, '', { history, now: new Date(END) }));
    expect(worse.outcomes[0]).toMatchObject({ verdict: 'worse', phases_since: 60 });
    const revert = worse.changes.find((x) => x.kind === 'effort');
    expect(revert).toMatchObject({ from: 'medium', to: 'high', direction: 'up', evidence: { reverts: 'eff001' } });
    expect(revert!.rationale).toMatch(/over 60 invocations/);
    expect(applyChanges([revert!], merged)[0]!.after).toContain('\neffort: high # thorough\n');
    // A level Claude Code does not know is named with its file and key.
    expect(() => targets('---\nname: reviewer\neffort: extreme\n---\nR.\n')).toThrow('.claude/agents/reviewer.md: effort: expected one of low, medium, high, xhigh, max, got "extreme"');
  });
});
