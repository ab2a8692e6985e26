import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, tune } from '../helpers/cli.js';

/** Sonnet 4.5 at list price: $3 per million input tokens, $15 per million output. */
const call = (ts: string, id: string, output: number, cost?: number) =>
  JSON.stringify({
    type: 'call',
    ts,
    run_id: 'run-1',
    phase_id: id,
    role: 'builder',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    input_tokens: 0,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    ...(cost === undefined ? {} : { cost_usd: cost }),
  });

describe('the cost a source reported, for every format', () => {
  it('is shown by --mode display, used by auto where a call has one, and ignored by calculate', async () => {
    const dir = await tempDir('tokentune-reported-');
    // Two calls with their own cost ($0.50 and $0.25, against $1.50 and $3.00 at list price) and one without ($0.15).
    await writeFile(
      join(dir, 'calls.jsonl'),
      `${[call('2026-11-02T10:00:00Z', 'a', 100_000, 0.5), call('2026-11-02T11:00:00Z', 'b', 200_000, 0.25), call('2026-11-02T12:00:00Z', 'c', 10_000)].join('\n')}\n`,
    );
    await writeFile(join(dir, 't.yaml'), `sources: [{path: ${join(dir, 'calls.jsonl')}}]\n`);
    const cost = async (mode: string) => {
      const r = await tune(['report', 'daily', '--json', '--config', join(dir, 't.yaml'), '--mode', mode], { XDG_STATE_HOME: join(dir, 'state') });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { totals: { totalCost: number } }).totals.totalCost;
    };
    expect(await cost('display')).toBeCloseTo(0.75, 10);
    expect(await cost('auto')).toBeCloseTo(0.9, 10);
    expect(await cost('calculate')).toBeCloseTo(4.65, 10);
  });
});

describe('the agent of a call, for every format', () => {
  it('is what a report by agent shows: the agent a source names, else the role', async () => {
    const dir = await tempDir('tokentune-agent-');
    const withAgent = (id: string, role: string, agent?: string) =>
      JSON.stringify({
        type: 'call',
        ts: '2026-11-02T10:00:00Z',
        run_id: 'run-1',
        phase_id: id,
        role,
        ...(agent ? { agent } : {}),
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        input_tokens: 0,
        output_tokens: 1000,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      });
    await writeFile(join(dir, 'calls.jsonl'), `${[withAgent('a', 'builder', 'planner'), withAgent('b', 'builder'), withAgent('c', 'auditor')].join('\n')}\n`);
    await writeFile(join(dir, 't.yaml'), `sources: [{path: ${join(dir, 'calls.jsonl')}}]\n`);
    const r = await tune(['report', 'agent', '--json', '--config', join(dir, 't.yaml')], { XDG_STATE_HOME: join(dir, 'state') });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { agents: { agent: string; outputTokens: number }[] }).agents.map((a) => [a.agent, a.outputTokens]).sort()).toEqual([
      ['auditor', 1000],
      ['builder', 1000],
      ['planner', 1000],
    ]);
  });
});
