import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { stateDirIn } from '../helpers/state.js';
import type { CallRecord, TaskRunRecord } from '../../src/sources/records.js';
import { parseMycoRun } from '../../src/sources/myco-db.js';

type TaskTruth = { runs: number; success: number; noops: number; cost_usd: number; tokens: number; phases: Record<string, { runs: number; cap_hits: number }> };

async function myco(...args: string[]) {
  const dir = await tempDir('tokentune-myco-');
  execFileSync(process.execPath, [join(ROOT, 'scripts/generate-myco.mjs'), '--out', dir, ...args], { stdio: 'ignore' });
  const config = join(dir, 'tuner.yaml');
  await writeFile(config, 'sources: [{format: myco-db, path: myco.db}]\n');
  const truth = async () => JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as { tasks: Record<string, TaskTruth> };
  const check = async (state = 'state') => {
    const r = await tune(['check', '--json', '--config', config], { XDG_STATE_HOME: join(dir, state) });
    expect(r.code, r.stderr).toBe(0);
    return { ...(JSON.parse(r.stdout) as { records: number; skipped: number }), stderr: r.stderr };
  };
  return { dir, config, truth, check, db: join(dir, 'myco.db') };
}

/** What a state holds per task, summed from its task runs as the truth counts them. */
async function held(xdg: string): Promise<Record<string, TaskTruth>> {
  const db = new Database(join(await stateDirIn(xdg), 'state.db'), { readonly: true });
  try {
    const out: Record<string, TaskTruth> = {};
    for (const text of db.prepare('SELECT record FROM task_runs').pluck().all() as string[]) {
      const r = JSON.parse(text) as TaskRunRecord;
      const t = (out[r.task] ??= { runs: 0, success: 0, noops: 0, cost_usd: 0, tokens: 0, phases: {} });
      t.runs++;
      if (r.outcome === 'success') t.success++;
      if (r.noop) t.noops++;
      t.cost_usd += r.cost_usd ?? 0;
      t.tokens += r.tokens;
      for (const p of r.phases) {
        const tp = (t.phases[p.name] ??= { runs: 0, cap_hits: 0 });
        tp.runs++;
        if (p.cap_hit) tp.cap_hits++;
      }
    }
    return out;
  } finally {
    db.close();
  }
}

const rounded = (o: Record<string, TaskTruth>) =>
  Object.fromEntries(
    Object.entries(o)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, { ...v, cost_usd: Math.round(v.cost_usd * 1e6) }]),
  );

describe("Myco's run database", () => {
  it('reads the finished runs of every task to the run, phase and cap hit, and leaves the database as it was', async () => {
    const m = await myco('--running', '4', '--days', '7');
    const hash = createHash('sha256')
      .update(await readFile(m.db))
      .digest('hex');
    const r = await m.check();
    const truth = await m.truth();
    const runs = Object.values(truth.tasks).reduce((n, t) => n + t.runs, 0);
    // A task run and the call record of its usage each; the damaged row skipped; the dry run and the unfinished ones not read.
    expect(r).toMatchObject({ records: 2 * runs, skipped: 1 });
    expect(r.stderr).toMatch(/run run-damaged \(vault-evolve\): usage_data: not valid JSON/);
    expect(rounded(await held(join(m.dir, 'state')))).toEqual(rounded(truth.tasks));
    expect(
      createHash('sha256')
        .update(await readFile(m.db))
        .digest('hex'),
    ).toBe(hash);
  });

  it('reads the runs that finish later, and holds what a fresh read holds', async () => {
    const m = await myco('--running', '6', '--days', '3');
    const first = await m.check();
    const db = new Database(m.db);
    const last = db.prepare("SELECT max(completed_at) FROM agent_runs WHERE status IN ('completed', 'failed')").pluck().get() as number;
    // The runs left running finish in place, after every run read so far.
    const finished = db
      .prepare(
        'UPDATE agent_runs SET status = \'completed\', completed_at = ? + rowid, usage_data = \'{"run":{"inputTokens":900,"outputTokens":100,"cachedTokens":0,"totalTokens":1000},"phases":[]}\', tokens_used = 1000, cost_usd = 0.01, cost_source = \'actual\', actual_cost_usd = 0.01, actions_taken = \'{"phases":[]}\' WHERE status IN (\'pending\', \'running\')',
      )
      .run(last).changes;
    db.close();
    expect(finished).toBe(6);
    const second = await m.check();
    expect(second.records).toBe(12);
    await m.check('fresh');
    expect(rounded(await held(join(m.dir, 'state')))).toEqual(rounded(await held(join(m.dir, 'fresh'))));
    expect(first.records + second.records).toBe(Object.values(await held(join(m.dir, 'fresh'))).reduce((n, t) => n + 2 * t.runs, 0));
  });

  it('reads again from the start when a run finishes behind the cursor or a finished run is deleted', async () => {
    const m = await myco('--days', '3');
    await m.check();
    const db = new Database(m.db);
    db.prepare("DELETE FROM agent_runs WHERE id = (SELECT min(id) FROM agent_runs WHERE status = 'completed')").run();
    db.close();
    const again = await m.check();
    expect(again.records).toBe(Object.values(await held(join(m.dir, 'state'))).reduce((n, t) => n + 2 * t.runs, 0));
    // A run that committed late, finishing before runs already read.
    const db2 = new Database(m.db);
    db2.exec(`INSERT INTO agent_runs (id, agent_id, task, status, provider, model, usage_data, started_at, completed_at, tokens_used, cost_usd, actual_cost_usd, cost_source, actions_taken, dry_run)
      SELECT 'run-late', agent_id, task, status, provider, model, usage_data, started_at - 600, (SELECT min(completed_at) FROM agent_runs) + 1, tokens_used, cost_usd, actual_cost_usd, cost_source, actions_taken, 0
      FROM agent_runs WHERE status = 'completed' LIMIT 1`);
    db2.close();
    await m.check();
    const fresh = await held(join(m.dir, 'state'));
    await m.check('fresh');
    expect(rounded(fresh)).toEqual(rounded(await held(join(m.dir, 'fresh'))));
    // One run deleted, one added late: as many as the generator wrote.
    const total = (o: Record<string, TaskTruth>) => Object.values(o).reduce((n, t) => n + t.runs, 0);
    expect(total(fresh)).toBe(total((await m.truth()).tasks));
  });

  it('names the column a database lacks', async () => {
    const m = await myco('--days', '1');
    const db = new Database(m.db);
    db.exec('ALTER TABLE agent_runs DROP COLUMN actions_taken');
    db.close();
    const r = await tune(['check', '--config', m.config], { XDG_STATE_HOME: join(m.dir, 'state') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/table agent_runs has no column actions_taken/);
  });
});

describe('one row of agent_runs', () => {
  const row = (o: Record<string, unknown> = {}) => ({
    id: 'r1',
    task: 'scan',
    status: 'completed',
    provider: 'anthropic',
    model: 'claude-sonnet-5-5',
    started_at: 1_763_600_000,
    completed_at: 1_763_600_060,
    tokens_used: 5000,
    cost_usd: 0.05,
    actual_cost_usd: 0.04,
    estimated_cost_usd: 0.06,
    cost_source: 'actual',
    dry_run: 0,
    usage_data: JSON.stringify({
      run: { inputTokens: 4000, cachedTokens: 3000, outputTokens: 1000, totalTokens: 5000 },
      phases: [
        { name: 'look', turnsUsed: 3, tokensUsed: 2000 },
        { name: 'act', turnsUsed: 5, tokensUsed: 3000 },
      ],
    }),
    actions_taken: JSON.stringify({
      phases: [
        { name: 'look', status: 'completed' },
        { name: 'act', status: 'completed', capHit: true, allowedTurns: 5 },
      ],
    }),
    ...o,
  });
  const task = (r: Record<string, unknown>) => {
    const parsed = parseMycoRun(r as never);
    if ('error' in parsed) throw new Error(parsed.error);
    return parsed.records as [TaskRunRecord, ...CallRecord[]];
  };

  it('reads phases, cap hits, the resolved cost and the call of its usage', () => {
    const [run, call] = task(row());
    expect(run).toMatchObject({ kind: 'task_run', run_id: 'r1', task: 'scan', outcome: 'success', cost_usd: 0.04, noop: false, local: false, ts: 1_763_600_060_000 });
    expect(run.phases).toEqual([
      { name: 'look', turns: 3, tokens: 2000, cap_hit: false, allowed_turns: undefined, failed: false, idle: false },
      { name: 'act', turns: 5, tokens: 3000, cap_hit: true, allowed_turns: 5, failed: false, idle: false },
    ]);
    // Input counts include cached input.
    expect(call).toMatchObject({ kind: 'call', role: 'scan', input_tokens: 1000, cache_read_input_tokens: 3000, output_tokens: 1000, cost_usd: 0.04 });
    expect(task(row({ cost_source: 'estimated' }))[0].cost_usd).toBe(0.06);
    expect(task(row({ cost_source: 'unavailable' }))[0].cost_usd).toBeUndefined();
    expect(task(row({ provider: 'ollama' }))[0]).toMatchObject({ local: true, cost_usd: 0 });
  });
  it('takes the phases from its checkpoints where the other columns lack them', () => {
    const [run] = task(
      row({
        usage_data: JSON.stringify({ run: { totalTokens: 5000 } }),
        actions_taken: '{}',
        checkpoints: JSON.stringify({ phases: { look: { status: 'completed', turnsUsed: 4, tokensUsed: 5000 }, act: { status: 'failed', turnsUsed: 0 } } }),
      }),
    );
    expect(run.phases.map((p) => [p.name, p.turns, p.failed, p.idle])).toEqual([
      ['look', 4, false, false],
      ['act', 0, true, true],
    ]);
    expect(run.noop).toBe(true);
  });
  it('calls a run with no usage, or whose phases after the first were skipped, a no-op', () => {
    expect(task(row({ tokens_used: 0, usage_data: '{}', actions_taken: '{}' }))).toHaveLength(1);
    expect(task(row({ tokens_used: 0, usage_data: '{}', actions_taken: '{}' }))[0].noop).toBe(true);
    const skipped = JSON.stringify({
      phases: [
        { name: 'look', status: 'completed' },
        { name: 'act', status: 'skipped' },
      ],
    });
    expect(task(row({ actions_taken: skipped }))[0].noop).toBe(true);
  });
  it('skips a row it cannot believe, saying which run and why', () => {
    expect(parseMycoRun(row({ task: null }) as never)).toEqual({ error: 'run r1: no task' });
    expect(parseMycoRun(row({ tokens_used: -5 }) as never)).toEqual({ error: 'run r1 (scan): tokens_used -5 is negative' });
    expect(parseMycoRun(row({ completed_at: 'yesterday' }) as never)).toEqual({ error: 'run r1 (scan): started_at or completed_at is not epoch seconds' });
  });
});
