import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { stateDirIn } from '../helpers/state.js';
import type { TaskRunRecord } from '../../src/sources/records.js';

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
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v, cost_usd: Math.round(v.cost_usd * 1e6) }]));

describe("Myco's run database", () => {
  it('reads the finished runs of every task to the run, phase and cap hit, and leaves the database as it was', async () => {
    const m = await myco('--running', '4', '--days', '7');
    const hash = createHash('sha256').update(await readFile(m.db)).digest('hex');
    const r = await m.check();
    const truth = await m.truth();
    const runs = Object.values(truth.tasks).reduce((n, t) => n + t.runs, 0);
    // A task run and the call record of its usage each; the damaged row skipped; the dry run and the unfinished ones not read.
    expect(r).toMatchObject({ records: 2 * runs, skipped: 1 });
    expect(r.stderr).toMatch(/run run-damaged \(vault-evolve\): usage_data: not valid JSON/);
    expect(rounded(await held(join(m.dir, 'state')))).toEqual(rounded(truth.tasks));
    expect(createHash('sha256').update(await readFile(m.db)).digest('hex')).toBe(hash);
  });

  it('reads the runs that finish later, and holds what a fresh read holds', async () => {
    const m = await myco('--running', '6', '--days', '3');
    const first = await m.check();
    const db = new Database(m.db);
    const last = db.prepare("SELECT max(completed_at) FROM agent_runs WHERE status IN ('completed', 'failed')").pluck().get() as number;
    // The runs left running finish in place, after every run read so far.
    const finished = db.prepare("UPDATE agent_runs SET status = 'completed', completed_at = ? + rowid, usage_data = '{\"run\":{\"inputTokens\":900,\"outputTokens\":100,\"cachedTokens\":0,\"totalTokens\":1000},\"phases\":[]}', tokens_used = 1000, cost_usd = 0.01, cost_source = 'actual', actual_cost_usd = 0.01, actions_taken = '{\"phases\":[]}' WHERE status IN ('pending', 'running')").run(last).changes;
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
