import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { stateDirIn, stateTotals } from '../helpers/state.js';

type Truth = { runs: number; phases: number; categories: Record<string, { phases: number; success: number; tokens: number; truncated: number }>; calls: { n: number; total: number } };

const generate = (dir: string, ...args: string[]) => execFileSync(process.execPath, [join(ROOT, 'scripts/generate-autopack.mjs'), '--out', dir, ...args], { stdio: 'ignore' });

async function autopack(...args: string[]) {
  const dir = await tempDir('tokentune-ap-');
  generate(dir, ...args);
  const config = join(dir, 'tuner.yaml');
  await writeFile(config, "sources: [{format: autopack-db, url: 'sqlite:///autopack.db'}]\n");
  const truth = async () => JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as Truth;
  const check = async (state = 'state') => {
    const r = await tune(['check', '--json', '--config', config], { XDG_STATE_HOME: join(dir, state) });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { records: number; skipped: number; files: string[] };
  };
  return { dir, config, truth, check, db: join(dir, 'autopack.db') };
}

/** What a state holds, per category (phases, successes, tokens, truncations) and for the calls. */
async function held(xdg: string) {
  const db = new Database(join(await stateDirIn(xdg), 'state.db'), { readonly: true });
  try {
    const categories: Truth['categories'] = {};
    for (const r of db
      .prepare('SELECT category, sum(phases) AS phases, sum(success) AS success, sum(tokens_sum) AS tokens, sum(truncations) AS truncated FROM phase_days GROUP BY category')
      .all() as ({ category: string } & Truth['categories'][string])[]) {
      const { category, ...t } = r;
      categories[category] = t;
    }
    const calls = db.prepare('SELECT sum(calls) AS n, sum(input + output) AS total FROM call_days').get() as Truth['calls'];
    return { categories, calls };
  } finally {
    db.close();
  }
}

const sorted = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

describe('Autopack database (SQLite)', () => {
  it('reads the phases of finished runs and their calls, to the phase and the token', async () => {
    const a = await autopack('--runs', '450', '--running', '3', '--every-minutes', '60');
    const hash = createHash('sha256')
      .update(await readFile(a.db))
      .digest('hex');
    const r = await a.check();
    const truth = await a.truth();
    // The calls reach the state summed by run, role, model and day, never one by one.
    const source = new Database(a.db, { readonly: true });
    const { groups } = source.prepare('SELECT count(*) AS groups FROM (SELECT 1 FROM llm_usage_events GROUP BY run_id, role, provider, model, date(created_at))').get() as { groups: number };
    source.close();
    expect(groups).toBeLessThan(truth.calls.n / 2);
    expect(r).toMatchObject({ records: truth.phases + groups, skipped: 0 });
    const h = await held(join(a.dir, 'state'));
    expect(sorted(h.categories)).toEqual(sorted(truth.categories));
    expect(h.calls).toEqual(truth.calls);
    // Only ever read.
    expect(
      createHash('sha256')
        .update(await readFile(a.db))
        .digest('hex'),
    ).toBe(hash);
  });

  it('reads incrementally what a full read gives, after runs finish in place and new ones are added', async () => {
    const a = await autopack('--runs', '25', '--running', '4');
    await a.check();
    // The running runs finish (their phases and the run updated in place); new runs come, two still running.
    generate(a.dir, '--advance', '--runs', '10', '--running', '2');
    const r = await a.check();
    expect(r.records).toBeGreaterThan(0);
    generate(a.dir, '--advance', '--runs', '3');
    await a.check();
    const truth = await a.truth();
    const incremental = await held(join(a.dir, 'state'));
    expect(sorted(incremental.categories)).toEqual(sorted(truth.categories));
    expect(incremental.calls).toEqual(truth.calls);
    // A fresh full read of the same database holds the same.
    await a.check('fresh');
    expect(await stateTotals(join(a.dir, 'fresh'))).toEqual(await stateTotals(join(a.dir, 'state')));
  });

  it('reads again from the start when a run finishes behind the cursor or a finished run changes', async () => {
    const a = await autopack('--runs', '12');
    await a.check();
    const db = new Database(a.db);
    // A run that finished earlier than the last one read, committed late.
    db.prepare(
      "INSERT INTO runs SELECT 'run-late', state, created_at, updated_at, started_at, datetime(completed_at, '-1 hour'), safety_profile, run_scope, token_cap, max_phases, max_duration_minutes, tokens_used, ci_runs_used, minor_issues_count, major_issues_count, promotion_eligible_to_main, debt_status, failure_reason, goal_anchor FROM runs WHERE id = 'run-00005'",
    ).run();
    db.prepare(
      "INSERT INTO phases (phase_id, run_id, tier_id, phase_index, name, state, task_category, complexity, incident_token_cap, builder_attempts, auditor_attempts, tokens_used, minor_issues_count, major_issues_count, issue_state, quality_blocked, retry_attempt, revision_epoch, escalation_level, created_at, updated_at) SELECT 'F1.1', 'run-late', tier_id, 0, 'late', 'COMPLETE', 'docs', 'low', 200000, 1, 1, 1234, 0, 0, 'no_issues', 0, 0, 0, 0, created_at, updated_at FROM phases WHERE run_id = 'run-00005' LIMIT 1",
    ).run();
    db.close();
    const r = await a.check();
    expect(r.files.join('\n')).toContain('read again from the start');
    const before = (await a.truth()).categories['docs']!;
    expect((await held(join(a.dir, 'state'))).categories['docs']).toEqual({ ...before, phases: before.phases + 1, success: before.success + 1, tokens: before.tokens + 1234 });
    // A finished run changed afterwards: read again too.
    const db2 = new Database(a.db);
    db2.prepare("UPDATE phases SET tokens_used = tokens_used + 1 WHERE run_id = 'run-late'").run();
    db2.prepare("UPDATE runs SET updated_at = datetime('now') WHERE id = 'run-late'").run();
    db2.close();
    await a.check();
    expect((await held(join(a.dir, 'state'))).categories['docs']!.tokens).toBe(before.tokens + 1235);
  });

  it('names the table and column a database lacks, and skips a bad row with where and why', async () => {
    const a = await autopack('--runs', '4');
    const db = new Database(a.db);
    db.prepare("UPDATE phases SET complexity = 'huge' WHERE id = 1").run();
    db.prepare("UPDATE llm_usage_events SET created_at = 'yesterday' WHERE id = 3").run();
    const { calls } = db.prepare('SELECT count(*) - 1 AS calls FROM llm_usage_events').get() as { calls: number };
    db.close();
    const r = await a.check();
    expect(r.skipped).toBe(2);
    // The call without a time is left out of the sums, alone.
    expect((await held(join(a.dir, 'state'))).calls.n).toBe(calls);
    const report = await tune(['check', '--config', a.config], { XDG_STATE_HOME: join(a.dir, 'other') });
    expect(report.stderr).toContain('phases row 1 (run run-00001, phase F1.1): complexity: expected low, medium or high, found "huge"');
    expect(report.stderr).toMatch(/llm_usage_events row 3 \(run run-0000\d, \w+, [\w.-]+\): created_at: not a time/);

    const broken = new Database(a.db);
    broken.exec('ALTER TABLE phases DROP COLUMN incident_token_cap');
    broken.close();
    const bad = await tune(['check', '--config', a.config], { XDG_STATE_HOME: join(a.dir, 'third') });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${a.db}: cannot be read as autopack-db: table phases has no column incident_token_cap`);
  });
});
