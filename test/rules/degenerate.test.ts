import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/rules/analyze.js';
import { decisionSet } from '../../src/drift/decisions.js';
import { Change } from '../../src/targets/change.js';
import { LastProposal } from '../../src/store/state.js';
import { call, phase, T0 } from '../helpers/records.js';
import { contextOf, strategyYaml, targetsOf } from '../helpers/context.js';
import type { TelemetryRecord } from '../../src/sources/records.js';

/**
 * The rules on fleets at the edges (all zeros, one phase, one run, a budget nothing uses): whatever
 * they propose must be finite and read back from the state as it was written. A value the state
 * cannot read back damages it for every later run.
 */
const DAY = 86_400_000;
const targets = () => targetsOf(strategyYaml({ a: 100_000, b: 400_000 }, { a: 'ci_standard' }, { core: 5_000_000, aux: 800_000 }));

function fleet(o: { runs: number; perRun: number; tokens: (i: number) => number; aux?: (run: number) => number; success?: (i: number) => boolean }): TelemetryRecord[] {
  const out: TelemetryRecord[] = [];
  let i = 0;
  for (let r = 0; r < o.runs; r++) {
    const ts = T0 - (o.runs - r) * (DAY / 2);
    for (let p = 0; p < o.perRun; p++, i++) {
      out.push(phase({ category: p % 2 ? 'b' : 'a', run_id: `r${r}`, ts: ts + p * 60_000, tokens_used: o.tokens(i), outcome: o.success?.(i) === false ? 'failed' : 'success' }));
    }
    const aux = o.aux?.(r) ?? 0;
    if (aux > 0) out.push(call({ model: 'claude-haiku-4-5', role: 'planner', run_id: `r${r}`, ts, input_tokens: aux }));
  }
  return out;
}

const FLEETS: [string, TelemetryRecord[]][] = [
  ['all zeros', fleet({ runs: 30, perRun: 4, tokens: () => 0 })],
  ['one phase', fleet({ runs: 1, perRun: 1, tokens: () => 50_000 })],
  ['one run', fleet({ runs: 1, perRun: 40, tokens: (i) => 10_000 + i })],
  ['aux used by 1 run in 40', fleet({ runs: 40, perRun: 4, tokens: () => 30_000, aux: (r) => (r === 7 ? 120_000 : 0) })],
  ['every phase failed at zero tokens', fleet({ runs: 20, perRun: 4, tokens: () => 0, success: () => false })],
  ['one huge phase among zeros', fleet({ runs: 20, perRun: 4, tokens: (i) => (i === 3 ? 99_000_000 : 0) })],
];

describe.each(FLEETS)('the rules on a degenerate fleet: %s', (_name, records) => {
  it('propose only finite values, each of which reads back from the state', () => {
    const a = analyze(contextOf(records, targets(), '', { now: new Date(T0 + DAY) }));
    for (const c of a.changes) {
      const numbers = [c.from, c.to, c.effect.tokens_per_run, c.effect.usd_per_run, ...Object.values(c.evidence)].filter((v) => typeof v === 'number');
      for (const v of numbers) expect(Number.isFinite(v), `${c.kind} ${c.key ?? c.category}: ${JSON.stringify(c)}`).toBe(true);
      // Written as JSON and read back by the state's schema, nothing is lost.
      const written = JSON.parse(JSON.stringify(c));
      expect(Change.parse(written)).toEqual(written);
      if (typeof c.to === 'number') expect(c.to, JSON.stringify(c)).toBeGreaterThan(0);
    }
    const proposal = { at: new Date(T0).toISOString(), ...decisionSet(a.changes) };
    expect(LastProposal.parse(JSON.parse(JSON.stringify(proposal)))).toEqual(proposal);
  });
});

describe('the state refuses what it could not read back', () => {
  it('keeps its last good value and says it is a bug', async () => {
    const { memoryState } = await import('../helpers/records.js');
    const state = memoryState();
    state.begin();
    state.lastProposal = { at: 'x', decisions: ['a'], figures: { 'a:n': 1 } };
    expect(() => {
      state.lastProposal = { at: 'y', decisions: [], figures: { 'a:steps': Infinity } };
    }).toThrow(/refusing to store meta "last_proposal", which would not read back .*a tokentune bug/);
    expect(state.lastProposal).toEqual({ at: 'x', decisions: ['a'], figures: { 'a:n': 1 } });
  });
});

describe('a budget most runs never touch, end to end', () => {
  it('is kept with its reason, and every later run reads the state', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tempDir, tune } = await import('../helpers/cli.js');
    const dir = await tempDir('tokentune-aux-');
    await mkdir(join(dir, 'data'));
    const lines = fleet({ runs: 40, perRun: 4, tokens: () => 30_000, aux: (r) => (r === 7 ? 120_000 : 0) }).map((r) =>
      r.kind === 'phase'
        ? {
            type: 'phase',
            ts: new Date(r.ts).toISOString(),
            run_id: r.run_id,
            tier_id: 'T1',
            phase_id: r.phase_id,
            category: r.category,
            complexity: r.complexity,
            builder_model: r.builder_model,
            tokens_used: r.tokens_used,
            incident_token_cap: r.incident_token_cap,
            outcome: r.outcome,
            builder_attempts: 1,
            auditor_attempts: 1,
            retries: 0,
          }
        : { type: 'call', ts: new Date(r.ts).toISOString(), run_id: r.run_id, role: 'planner', provider: 'anthropic', model: 'claude-haiku-4-5', input_tokens: 120_000, output_tokens: 0 },
    );
    await writeFile(join(dir, 'data', 'a.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    await writeFile(join(dir, 'strategy.yaml'), strategyYaml({ a: 100_000, b: 400_000 }, {}, { core: 5_000_000, aux: 800_000 }));
    await writeFile(join(dir, 't.yaml'), `sources: [{path: data}]\ntargets: [{path: strategy.yaml, preset: seed-strategy}]\npublish: {enabled: false}\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const first = await tune(['--json', '--config', join(dir, 't.yaml')], env);
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out.changes.filter((c: { key: string | null }) => c.key === 'aux_agent_tokens')).toEqual([]);
    expect(out.findings.map((f: { message: string }) => f.message)).toContain('aux_agent_tokens: P95 of its tokens per run is 0 (1 run of 40 used any): no evidence of use to size it by; kept');
    for (const args of [['check'], ['--dry-run'], []]) {
      const r = await tune([...args, '--config', join(dir, 't.yaml')], env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });
});
