import { appendFile, copyFile, mkdir, readFile, readdir, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExampleData, exampleConfig, ROOT, tempDir, tune } from '../helpers/cli.js';

/** A private copy of the example telemetry and a config reading it, with its own state directory. */
async function setup() {
  const dir = await tempDir('tokentune-gate-');
  const data = join(dir, 'data');
  await mkdir(data);
  await copyExampleData(data);
  const config = await exampleConfig(dir, '', data);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  const run = (...args: string[]) => tune([...args, '--config', config], env);
  const stateDir = async () => {
    const base = join(dir, 'state', 'tokentune');
    return join(base, (await readdir(base))[0]!);
  };
  return { dir, data, config, env, run, stateDir };
}

const phaseLine = (o: Record<string, unknown>) =>
  JSON.stringify({
    type: 'phase',
    ts: '2026-11-20T20:00:00Z',
    run_id: 'run-extra',
    tier_id: 'T1',
    phase_id: 'x',
    category: 'docs',
    complexity: 'low',
    builder_model: 'claude-sonnet-4-5',
    tokens_used: 60_000,
    incident_token_cap: 200_000,
    outcome: 'success',
    builder_attempts: 1,
    auditor_attempts: 1,
    retries: 0,
    ...o,
  });

describe('tune check: the drift gate', () => {
  it('walks noop → no-material-drift → drift as the data moves', async () => {
    const s = await setup();
    const first = await s.run('check');
    expect(first).toMatchObject({ code: 0, stdout: 'drift: no proposal recorded yet\n' });
    expect((await s.run('check', '--exit-code')).code).toBe(0); // nothing new since: a no-op, not drift

    const tuned = await s.run();
    expect(tuned.code).toBe(0);
    expect(tuned.stdout).toContain('# Cost / Budget Tuning Report');
    expect(tuned.stderr).toContain('proposal recorded in the run state');
    // the whole state is one database (with SQLite's write-ahead log beside it)
    const stored = (await readdir(await s.stateDir())).sort();
    expect(stored.filter((f) => !f.startsWith('state.db'))).toEqual([]);
    expect(stored).toContain('state.db');

    // nothing new: milliseconds, $0, a no-op streak
    expect((await s.run('check')).stdout).toBe('noop\n');
    const streak = JSON.parse((await s.run('check', '--json')).stdout);
    // the fast path answers with the same fields as the full one
    expect(Object.keys(streak).sort()).toEqual([
      'applied',
      'bytes',
      'duplicates',
      'early_bytes',
      'files',
      'held',
      'moved',
      'noop_streak',
      'records',
      'result',
      'rollup_records',
      'skipped',
      'state_dir',
    ]);
    expect(streak).toMatchObject({ result: 'noop', noop_streak: 2 });
    expect((await s.run()).stdout).toMatch(/^noop: nothing moved enough/);
    expect(JSON.parse((await s.run('--force', '--dry-run', '--json')).stdout).report).toContain('**No-op checks before this run**: 3');

    // new data that changes no decision
    await appendFile(join(s.data, 'phases.jsonl'), Array.from({ length: 5 }, (_, i) => phaseLine({ phase_id: `ok${i}` })).join('\n') + '\n');
    const quiet = JSON.parse((await s.run('check', '--json')).stdout);
    expect(quiet).toMatchObject({ result: 'no-material-drift', records: 5, noop_streak: 0, moved: [] });
    // the same lines written again are the same records: counted once
    await appendFile(join(s.data, 'phases.jsonl'), Array.from({ length: 5 }, (_, i) => phaseLine({ phase_id: `ok${i}` })).join('\n') + '\n');
    expect(JSON.parse((await s.run('check', '--json')).stdout)).toMatchObject({ records: 0, duplicates: 5, rollup_records: 2277 });

    // new data that does: docs starts failing and retrying
    await appendFile(join(s.data, 'phases.jsonl'), Array.from({ length: 40 }, (_, i) => phaseLine({ phase_id: `bad${i}`, outcome: 'failed', retries: 3, tokens_used: 190_000 })).join('\n') + '\n');
    const moved = await s.run('check', '--exit-code');
    expect(moved.code).toBe(3);
    expect(moved.stdout).toMatch(/^drift: .*docs \(low\) builder: the downgrade is no longer indicated: success \d+%, was \d+%/);
    const tunedAgain = await s.run('--json');
    expect(JSON.parse(tunedAgain.stdout)).toMatchObject({ status: 'proposal' });
    expect(JSON.parse(tunedAgain.stdout).report).toContain('**No-op checks before this run**: 0');
    expect((await s.run()).stdout).toMatch(/^noop/);
    expect((await s.run('--force', '--json')).stdout).toContain('"status": "proposal"');
  });

  it('a dry run reads the state and new bytes but never writes the state', async () => {
    const s = await setup();
    await s.run();
    const files = async () => {
      const dir = await s.stateDir();
      const names = (await readdir(dir)).sort();
      return Promise.all(names.map(async (n) => [n, (await readFile(join(dir, n))).toString('base64'), (await stat(join(dir, n))).mtimeMs]));
    };
    const before = await files();
    await appendFile(join(s.data, 'phases.jsonl'), phaseLine({ phase_id: 'late' }) + '\n');
    const dry = await s.run('--dry-run', '--json', '--force');
    expect(JSON.parse(dry.stdout).ingest.records).toBe(1);
    expect(await files()).toEqual(before);
    // so the next real check still sees the new line
    expect(JSON.parse((await s.run('check', '--json')).stdout)).toMatchObject({ records: 1 });
  });

  it('one run at a time: a live holder blocks, a killed one loses the lock at once', async () => {
    const s = await setup();
    await s.run('check');
    const dir = await s.stateDir();
    // A run in another process that holds the lock until it is killed.
    const { spawn } = await import('node:child_process');
    const holder = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `import { openStateDb, State, takeLock } from ${JSON.stringify(join(ROOT, 'dist/store/index.js'))};
       const state = new State(openStateDb(${JSON.stringify(dir)}), 'state.db');
       takeLock(state, ${JSON.stringify(dir)}, 'tune');
       process.stdout.write('held\\n');
       // The timer keeps the connection reachable: a collected one would close and drop the lock.
       setInterval(() => state, 1000);`,
    ]);
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const blocked = await s.run();
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toContain(`another tokentune run holds ${join(dir, 'state.db')}: "tune", pid ${holder.pid}`);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    // the operating system released it with the process: no stale lock to take over
    expect((await s.run()).code).toBe(0);
    expect((await s.run('check')).stdout).toBe('noop\n');
  });

  it('refuses a damaged or newer state with the file and the fix, and rebuilds on request', async () => {
    const s = await setup();
    await s.run();
    const file = join(await s.stateDir(), 'state.db');
    const Database = (await import('better-sqlite3')).default;
    const edit = (sql: string) => {
      const db = new Database(file);
      db.exec(sql);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    };
    edit(`UPDATE meta SET value = '"many"' WHERE key = 'noop_streak'`);
    const streak = await s.run('check');
    expect(streak.code).toBe(2);
    expect(streak.stderr).toContain('noop_streak');
    expect(streak.stderr).toContain('--rebuild-state');
    edit('PRAGMA user_version = 99');
    expect((await s.run('check')).stderr).toContain(`${file}: written by a newer tokentune (state schema 99`);
    const { truncate } = await import('node:fs/promises');
    await truncate(file, 600);
    const bad = await s.run('check');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}: the state database is damaged`);
    expect(bad.stderr).toContain('--rebuild-state');
    await writeFile(file, 'not a database at all, but long enough to have a header of a sort'.repeat(20));
    expect((await s.run('check')).stderr).toContain('--rebuild-state');
  });
});

describe('source files that move under the gate', () => {
  const lines = (tag: string, n: number) => Array.from({ length: n }, (_, i) => phaseLine({ phase_id: `${tag}${i}`, run_id: `run-${tag}` })).join('\n') + '\n';

  it('keeps totals right through rename-rotation, copy-truncate, delete and re-create', async () => {
    const dir = await tempDir('tokentune-files-');
    const data = join(dir, 'data');
    await mkdir(data);
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${data}}]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const check = async () => JSON.parse((await tune(['check', '--json', '--config', config], env)).stdout);
    const { rename, truncate, unlink } = await import('node:fs/promises');

    await writeFile(join(data, 'a.jsonl'), lines('a', 10));
    expect(await check()).toMatchObject({ records: 10, rollup_records: 10 });

    // logrotate by rename: a.jsonl → a-1.jsonl, a fresh a.jsonl
    await rename(join(data, 'a.jsonl'), join(data, 'a-1.jsonl'));
    await writeFile(join(data, 'a.jsonl'), lines('b', 3));
    const rotated = await check();
    expect(rotated).toMatchObject({ records: 3, rollup_records: 13 });
    expect(rotated.files).toContain(`${join(data, 'a.jsonl')} → ${join(data, 'a-1.jsonl')}: renamed; continued at byte ${Buffer.byteLength(lines('a', 10))}`);

    // a late write to the rotated file is read, from its watermark
    await appendFile(join(data, 'a-1.jsonl'), lines('c', 2));
    expect(await check()).toMatchObject({ records: 2, rollup_records: 15 });

    // copytruncate: copy a.jsonl aside, truncate it, keep writing
    await copyFile(join(data, 'a.jsonl'), join(data, 'a-2.jsonl'));
    await truncate(join(data, 'a.jsonl'), 0);
    await appendFile(join(data, 'a.jsonl'), lines('d', 1));
    const copied = await check();
    expect(copied.rollup_records).toBe(16);
    expect(copied.files.some((f: string) => f.includes('truncated'))).toBe(true);

    // deleted: its data stays
    await unlink(join(data, 'a-1.jsonl'));
    expect(await check()).toMatchObject({ rollup_records: 16 });

    // re-created under the same name: a new file, read whole
    await writeFile(join(data, 'a-1.jsonl'), lines('e', 4));
    expect(await check()).toMatchObject({ records: 4, rollup_records: 20 });

    // a rewrite that keeps the size is noticed by the hashes before the watermark
    const b = await readFile(join(data, 'a-2.jsonl'), 'utf8');
    await writeFile(join(data, 'a-2.jsonl'), b.replaceAll('run-b', 'run-x'));
    const rewritten = await check();
    expect(rewritten.files.some((f: string) => f.includes('rewritten'))).toBe(true);
    expect(rewritten.rollup_records).toBe(20);

    // and a rebuild from scratch agrees on what is on disk now, plus the retired (deleted) data
    const onDisk = 3 + 1 + 4; // a-2, a, a-1
    const rebuilt = JSON.parse((await tune(['check', '--json', '--rebuild-state', '--config', config], env)).stdout);
    expect(rebuilt.rollup_records).toBe(onDisk);
  });
});

describe('appending to one file, run after run', () => {
  it('proposes what a rebuild proposes', async () => {
    const s = await setup();
    await s.run('check');
    for (let i = 0; i < 9; i++) {
      const bad = Array.from({ length: 12 }, (_, k) =>
        phaseLine({ run_id: `run-late-${i}`, phase_id: `late${i}-${k}`, outcome: k % 3 ? 'success' : 'failed', retries: k % 2, tokens_used: 40_000 + 7_000 * k }),
      );
      await appendFile(join(s.data, 'phases.jsonl'), `${bad.join('\n')}\n`);
      expect(JSON.parse((await s.run('check', '--json')).stdout)).toMatchObject({ records: 12 });
    }

    const incremental = JSON.parse((await s.run('--dry-run', '--json')).stdout);
    const fresh = JSON.parse((await tune(['--dry-run', '--json', '--rebuild-state', '--config', s.config], { XDG_STATE_HOME: join(s.dir, 'fresh') })).stdout);
    expect(incremental.changes).toEqual(fresh.changes);
    expect(incremental.findings).toEqual(fresh.findings);
    expect(incremental.diffs).toEqual(fresh.diffs);
  });
});

describe('runs across appends', () => {
  it('adds records to runs that go on (one starting earlier) as a rebuild counts them', async () => {
    const s = await setup();
    await s.run('check');
    // run-00056 goes on (later), run-00030 gets a record from before its first one, and a new run.
    const lines = [
      phaseLine({ run_id: 'run-00056', ts: '2026-11-20T22:00:00Z', phase_id: 'g1', tokens_used: 90_000 }),
      phaseLine({ run_id: 'run-00030', ts: '2026-10-20T01:00:00Z', phase_id: 'g2', tokens_used: 70_000 }),
      phaseLine({ run_id: 'run-new', ts: '2026-11-20T21:00:00Z', phase_id: 'g3' }),
    ];
    await appendFile(join(s.data, 'phases.jsonl'), `${lines.join('\n')}\n`);
    expect(JSON.parse((await s.run('check', '--json')).stdout)).toMatchObject({ records: 3 });
    const fresh = async () => JSON.parse((await tune(['--dry-run', '--json', '--rebuild-state', '--config', s.config], { XDG_STATE_HOME: join(s.dir, `fresh-${Math.random()}`) })).stdout);
    const body = (r: { report: string }) => r.report.replace(/\*\*Generated\*\*: \S+/, '');
    const expected = await fresh();
    const incremental = JSON.parse((await s.run('--dry-run', '--json')).stdout);
    expect(body(incremental)).toEqual(body(expected));
    expect(incremental.changes).toEqual(expected.changes);
    expect(incremental.report).toContain('run-new');
  });
});

describe('session-terminal gating', () => {
  it('holds back records newer than the quiet period and counts them once the session is quiet', async () => {
    const dir = await tempDir('tokentune-quiet-');
    const data = join(dir, 'data');
    await mkdir(data);
    const config = join(dir, 't.yaml');
    // A minute of quiet: the first check, however slow to start, sees the live session's records as recent.
    await writeFile(config, `sources: [{path: ${data}}]\ndrift: {quiet_minutes: 1}\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const check = async () => JSON.parse((await tune(['check', '--json', '--config', config], env)).stdout);
    const old = Array.from({ length: 5 }, (_, i) => phaseLine({ phase_id: `o${i}`, run_id: 'done' }));
    const live = Array.from({ length: 3 }, (_, i) => phaseLine({ phase_id: `l${i}`, run_id: 'live', ts: new Date(Date.now() - 500).toISOString() }));
    await writeFile(join(data, 'a.jsonl'), `${[...old, ...live].join('\n')}\n`);

    const first = await check();
    expect(first).toMatchObject({ records: 5, rollup_records: 5, held: [{ file: join(data, 'a.jsonl'), from_line: 6 }] });
    // The session goes quiet: with a quiet period of 60 ms, records half a second old are settled.
    await writeFile(config, `sources: [{path: ${data}}]\ndrift: {quiet_minutes: 0.001}\n`);
    const second = await check();
    expect(second).toMatchObject({ records: 3, rollup_records: 8, held: [] });
    expect((await check()).result).toBe('noop');
  });
});

describe('check: bad input', () => {
  it('names a target file it cannot read by its config key', async () => {
    const dir = await tempDir('tokentune-badtarget-');
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${join(ROOT, 'fixtures/example')}}]\ntargets: [{path: missing.yaml, preset: seed-models}]\n`);
    const r = await tune(['check', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}: targets[0].path: cannot read ${join(dir, 'missing.yaml')}: no such file`);
  });

  it('shows why no record came from a source in another format: lines read, the first reasons, files of other formats left unread', async () => {
    const dir = await tempDir('tokentune-mismatch-');
    const data = join(dir, 'data');
    await mkdir(data);
    // Claude Code lines in a directory configured as the tokentune export, and a JSON document beside them.
    const line = (i: number) =>
      JSON.stringify({ type: 'assistant', timestamp: '2026-11-20T10:00:00Z', message: { id: `m${i}`, model: 'claude-sonnet-4-5', usage: { input_tokens: 10, output_tokens: 5 } } });
    await writeFile(join(data, 'session.jsonl'), `${[1, 2, 3, 4].map(line).join('\n')}\n`);
    await writeFile(join(data, 'tracker.json'), '{"records": []}\n');
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${data}}]\n`);
    const r = await tune(['check', '--config', config], { XDG_STATE_HOME: join(dir, 'state') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no telemetry records in ${data} (format tokentune-jsonl): 4 lines read, none of them a record`);
    expect(r.stderr).toMatch(/session\.jsonl:1: .*type/);
    expect(r.stderr).toContain('1 file here is not read as tokentune-jsonl (*.jsonl): tracker.json');
    // The lines themselves say which format they are.
    expect(r.stderr).toContain(`${join(data, 'session.jsonl')} reads as claude-code: 4 of its first 4 lines are claude-code records. Set format: claude-code for ${data} in ${config}`);
    expect(r.stderr).toMatch(/is it another format\? tokentune reads .*claude-code/);
  });
});
