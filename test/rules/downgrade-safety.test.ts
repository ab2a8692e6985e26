import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/rules/analyze.js';
import { outcomesOf } from '../../src/rules/outcomes.js';
import { phases, T0 } from '../helpers/records.js';
import { contextOf, strategyYaml, targetsOf } from '../helpers/context.js';
import { valuesByKey, type Change } from '../../src/targets/index.js';
import type { TrackedChange } from '../../src/store/index.js';
import { appliedAt, changeOf } from '../helpers/changes.js';

/**
 * A downgrade is an experiment: it waits for headroom measured under a settled cap, never compounds,
 * and is reverted at the next run when it hurts. Each case is one of the ways a harsher replay lost
 * success, in miniature.
 */
const DAY = 86_400_000;
const day = (ms: number) => Math.floor(ms / DAY);
const MODELS = (model: string) => `LOW:\n  default: claude-sonnet-5-5\n  easy: ${model}\nMODERATE:\n  default: claude-sonnet-5-5\nHIGH:\n  default: claude-sonnet-5-5\n`;

const tracked = (change: Partial<Change> & Pick<Change, 'kind'>, ms: number): TrackedChange => appliedAt(changeOf({ category: 'easy', ...change }), ms, { proposal: 'p' });

// Easy work on sonnet: 100 phases, 97% success, P95 at 50% of a 100K cap: a downgrade candidate.
const easy = (model = 'claude-sonnet-5-5') => phases('easy', 100, { success: 97, tokens: [50_000], extra: { builder_model: model } });

describe('downgrades that survive being followed', () => {
  it('measures headroom only under a cap the category has run under for the cool-down', () => {
    const targets = targetsOf(strategyYaml({ easy: 100_000 }), MODELS('claude-sonnet-5-5'));
    const capKey = 'token_cap:easy:*:*:*';
    const raisedDaysAgo = (n: number) => ({ applied: [tracked({ kind: 'token_cap', from: 80_000, to: 100_000, direction: 'up' }, T0 - n * DAY)], since: new Map([[capKey, day(T0 - n * DAY)]]) });
    const soon = analyze(contextOf(easy(), targets, '', { history: raisedDaysAgo(7), now: new Date(T0) }));
    expect(soon.changes.filter((c) => c.kind === 'model')).toEqual([]);
    expect(soon.findings.map((f) => f.message).join('\n')).toMatch(
      /easy \(low\) model: claude-sonnet-5-5 → claude-haiku-4-5 held back: the category's cap changed on \d{4}-\d{2}-\d{2}, and its model waits until/,
    );
    const settled = analyze(contextOf(easy(), targets, '', { history: raisedDaysAgo(29), now: new Date(T0) }));
    expect(settled.changes.filter((c) => c.kind === 'model')).toEqual([expect.objectContaining({ to: 'claude-haiku-4-5' })]);
  });

  it('never compounds steps down: the second waits out the cool-down and two weekly windows on the model between', () => {
    // Opus → sonnet a week ago; sonnet does the work easily, so the rules would step again to haiku.
    const targets = targetsOf(strategyYaml({ easy: 100_000 }), MODELS('claude-sonnet-5-5'));
    const stepped = (daysAgo: number) => ({
      applied: [tracked({ kind: 'model', complexity: 'low', role: 'builder', from: 'claude-opus-5-5', to: 'claude-sonnet-5-5', direction: 'down' }, T0 - daysAgo * DAY)],
      since: new Map(),
    });
    const a = analyze(contextOf(easy(), targets, '', { history: stepped(7), now: new Date(T0) }));
    expect(a.changes.filter((c) => c.kind === 'model')).toEqual([]);
    expect(a.findings.map((f) => f.message).join('\n')).toMatch(
      /easy \(low\) model: claude-sonnet-5-5 → claude-haiku-4-5 held back: it stepped down to claude-sonnet-5-5 on .*no second step down comes before/,
    );
    // After the cool-down, but with all of its phases in one week: still waiting.
    const oneWeek = phases('easy', 100, { success: 97, tokens: [50_000], runs: 5 });
    const b = analyze(contextOf(oneWeek, targets, '', { history: stepped(40), now: new Date(T0) }));
    expect(b.changes.filter((c) => c.kind === 'model')).toEqual([]);
    expect(b.findings.map((f) => f.message).join('\n')).toMatch(/a second step down waits for two weekly windows of claude-sonnet-5-5's own phases; 1 week so far/);
    // Two weeks of phases on sonnet: the step qualifies, and is the build-lead's to take unless the
    // config lets tokentune take two steps in a row.
    const c = analyze(contextOf(easy(), targets, '', { history: stepped(40), now: new Date(T0) }));
    expect(c.changes.filter((x) => x.kind === 'model')).toEqual([]);
    expect(c.findings.map((f) => f.message).join('\n')).toMatch(
      /easy \(low\) model: claude-sonnet-5-5 → claude-haiku-4-5 held back: it stepped down to claude-sonnet-5-5 on .*, and tokentune takes one step down in a row by itself \(rules\.downgrade\.max_steps\); the evidence qualifies the next one, which is a build-lead's call/,
    );
    const d = analyze(contextOf(easy(), targets, 'rules: {downgrade: {max_steps: 2}}\n', { history: stepped(40), now: new Date(T0) }));
    expect(d.changes.filter((x) => x.kind === 'model')).toEqual([expect.objectContaining({ to: 'claude-haiku-4-5' })]);
  });

  it('never steps back onto a model a revert took the key off', () => {
    // Down to haiku, reverted to sonnet 40 days ago; sonnet still does the work easily.
    const targets = targetsOf(strategyYaml({ easy: 100_000 }), MODELS('claude-sonnet-5-5'));
    const down = tracked({ kind: 'model', complexity: 'low', role: 'builder', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5', direction: 'down' }, T0 - 50 * DAY);
    const back = tracked({ kind: 'model', complexity: 'low', role: 'builder', from: 'claude-haiku-4-5', to: 'claude-sonnet-5-5', direction: 'up', evidence: { reverts: 'p' } }, T0 - 40 * DAY);
    const a = analyze(contextOf(easy(), targets, 'rules: {downgrade: {max_steps: 3}}\n', { history: { applied: [down, back], since: new Map() }, now: new Date(T0) }));
    expect(a.changes.filter((c) => c.kind === 'model')).toEqual([]);
    expect(a.findings.map((f) => f.message).join('\n')).toMatch(
      /easy \(low\) model: claude-sonnet-5-5 → claude-haiku-4-5 held back: it was moved off claude-haiku-4-5 on \d{4}-\d{2}-\d{2} because its outcome there was worse; tokentune does not try it again/,
    );
  });

  it('reverts a harmful downgrade at the next run, on a week of a small sample', () => {
    // 91% of 35 phases before; 10 of 15 (67%) on haiku in the week since.
    const down = tracked(
      { kind: 'model', complexity: 'low', role: 'builder', from: 'claude-sonnet-5-5', to: 'claude-haiku-4-5', evidence: { phases: 35, success_rate: 0.9143, mean_tokens: 50_000 } },
      T0 - 7 * DAY,
    );
    const since = phases('easy', 15, { success: 10, tokens: [50_000], runs: 6, extra: { builder_model: 'claude-haiku-4-5' } });
    const targets = targetsOf(strategyYaml({ easy: 100_000 }), MODELS('claude-haiku-4-5'));
    const ctx = contextOf(since, targets, '', { history: { applied: [down], since: new Map() }, now: new Date(T0 + DAY) });
    const { outcomes, reverts } = outcomesOf(ctx, valuesByKey(targets));
    expect(outcomes[0]).toMatchObject({ verdict: 'worse', phases_since: 15 });
    expect(reverts).toEqual([expect.objectContaining({ kind: 'model', category: 'easy', from: 'claude-haiku-4-5', to: 'claude-sonnet-5-5', direction: 'up' })]);
  });
});
