import Database from 'better-sqlite3';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, tune } from '../helpers/cli.js';

const record = (run: string, ts = '2026-11-20T10:00:00Z') => ({
  type: 'phase',
  ts,
  run_id: run,
  tier_id: 'T1',
  phase_id: 'p1',
  category: 'docs',
  complexity: 'low',
  builder_model: 'claude-sonnet-4-5',
  tokens_used: 50_000,
  incident_token_cap: 200_000,
  outcome: 'success',
  builder_attempts: 1,
  auditor_attempts: 1,
  retries: 0,
});

/** A harness's own telemetry database, written by its own connection (WAL mode, as such writers run). */
function harnessDb(path: string) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS tokentune_records (id INTEGER PRIMARY KEY, record TEXT NOT NULL)');
  const put = db.prepare('INSERT INTO tokentune_records (record) VALUES (?)');
  return { db, add: (...rs: unknown[]) => rs.forEach((r) => put.run(typeof r === 'string' ? r : JSON.stringify(r))) };
}

describe('a database source read by a cursor (tokentune-sqlite)', () => {
  it('reads the rows after its cursor, sees writes still in the WAL, skips bad rows and reads a rebuilt table again', async () => {
    const dir = await tempDir('tokentune-cursor-');
    const data = join(dir, 'data');
    await mkdir(data);
    const file = join(data, 'harness.db');
    const h = harnessDb(file);
    h.add(record('a'), record('b'), record('c'));
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${data}, format: tokentune-sqlite}]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const check = async () => {
      const r = await tune(['check', '--json', '--config', config], env);
      expect(r.code, r.stderr).toBe(0);
      return { ...JSON.parse(r.stdout), stderr: r.stderr };
    };

    expect(await check()).toMatchObject({ records: 3, rollup_records: 3, files: [`${file}: new database`] });
    expect((await check()).result).toBe('noop');

    // New rows, still in the writer's WAL: the no-op check sees them, the cursor reads only them.
    h.add(record('d'), record('e'), '{"type": "phase", "tokens_used": -1}', 'not json');
    const more = await check();
    expect(more).toMatchObject({ records: 2, skipped: 2, rollup_records: 5 });
    expect(more.stderr).toContain(`tune: skipped ${file}:6: `);
    expect(more.stderr).toContain(`tune: skipped ${file}:7: not valid JSON`);

    // A row the export also holds counts once.
    await writeFile(join(data, 'export.jsonl'), `${JSON.stringify(record('a'))}\n`);
    await writeFile(config, `sources: [{path: ${data}, format: tokentune-sqlite}, {path: ${join(data, 'export.jsonl')}}]\n`);
    expect(await check()).toMatchObject({ records: 0, duplicates: 1, rollup_records: 5 });

    // The table emptied and filled again: what the database held is replaced.
    h.db.exec('DELETE FROM tokentune_records');
    h.add(record('x'));
    const rebuilt = await check();
    expect(rebuilt).toMatchObject({ records: 1, rollup_records: 1 });
    expect(rebuilt.files).toContain(`${file}: the rows before its cursor changed; read again from the start, replacing what it held`);
    // the export's copy of run a is its own again once the database no longer holds it
    expect(JSON.parse((await tune(['check', '--json', '--rebuild-state', '--config', config], env)).stdout)).toMatchObject({ records: 2 });
    h.db.close();
  });

  it('names a database it cannot read by path', async () => {
    const dir = await tempDir('tokentune-cursor-bad-');
    const data = join(dir, 'data');
    await mkdir(data);
    await writeFile(join(data, 'other.db'), 'not a database, long enough to look like one if you squint'.repeat(30));
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{path: ${data}, format: tokentune-sqlite}]\n`);
    const r = await tune(['check', '--config', config], { XDG_STATE_HOME: join(dir, 'state') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(data, 'other.db')}: cannot be read as tokentune-sqlite`);

    const db = new Database(join(data, 'empty.db'));
    db.exec('CREATE TABLE unrelated (x)');
    db.close();
    await writeFile(join(data, 'other.db'), '');
    const missing = await tune(['check', '--config', config], { XDG_STATE_HOME: join(dir, 'state') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such table: tokentune_records');
  });
});
