import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openStateDb, SCHEMA_VERSION, STATE_FILE } from '../../src/store/db.js';
import { tempDir } from '../helpers/cli.js';

describe('state migrations', () => {
  it('carry kept records from whole-record JSON (schema 5) into columns', async () => {
    const dir = await tempDir('tokentune-migrate-');
    const old = new Database(join(dir, STATE_FILE));
    for (const m of MIGRATIONS.slice(0, 5)) old.exec(m);
    old.pragma('user_version = 5');
    const record = { kind: 'call', ts: 1_763_600_000_000, run_id: 's1', phase_id: 'm1', role: 'subagent', model: 'claude-haiku-4-5', sidechain: true, agent_id: 'a1' };
    old
      .prepare(
        `INSERT INTO kept_records (key, unit, day, ts, model, input, output, cache_creation, cache_creation_1h, cache_read, cost_usd, session, project, agent, record)
      VALUES ('cc:m1', 1, 20412, ?, 'claude-haiku-4-5', 1, 2, 3, 0, 4, NULL, 's1', 'p', '@a1', ?)`,
      )
      .run(record.ts, JSON.stringify(record));
    old
      .prepare(
        `INSERT INTO kept_records (key, unit, day, ts, model, input, output, cache_creation, cache_creation_1h, cache_read, cost_usd, session, project, agent, record)
      VALUES ('cc:m2', 1, 20412, ?, 'claude-haiku-4-5', 5, 6, 0, 0, 0, 0.5, 's1', 'p', 'main', ?)`,
      )
      .run(record.ts, JSON.stringify({ ...record, role: 'main', sidechain: undefined }));
    // Quarter sums, which a later migration keys by quarter first: their rows carry over.
    old.prepare('INSERT INTO kept_quarters VALUES (1, 1960000, ?, 0, 1, 2, 6, 8, 3, 0, 4, 0.5, ?)').run('claude-haiku-4-5', record.ts);
    old.close();

    const db = openStateDb(dir);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const rows = db.prepare('SELECT key, unit, input, output, cache_read, cost_usd, agent, role, run_id, sidechain FROM kept_records ORDER BY key').all();
      expect(rows).toEqual([
        { key: 'cc:m1', unit: 1, input: 1, output: 2, cache_read: 4, cost_usd: null, agent: '@a1', role: 'subagent', run_id: 's1', sidechain: 1 },
        { key: 'cc:m2', unit: 1, input: 5, output: 6, cache_read: 0, cost_usd: 0.5, agent: 'main', role: 'main', run_id: 's1', sidechain: 0 },
      ]);
      expect(db.prepare('SELECT * FROM kept_quarters').all()).toEqual([
        { unit: 1, q: 1960000, model: 'claude-haiku-4-5', long: 0, has_cost: 1, n: 2, input: 6, output: 8, cache_creation: 3, cache_creation_1h: 0, cache_read: 4, cost: 0.5, max_ts: record.ts },
      ]);
      const key = db.prepare(`SELECT group_concat(name) FROM pragma_index_info('sqlite_autoindex_kept_quarters_1')`).pluck().get();
      expect(key).toBe('q,model,long,has_cost,unit');
      // Each kept record's insert no longer also writes an index by unit.
      expect(db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'kept_records'`).pluck().all()).not.toContain('kept_records_unit');
    } finally {
      db.close();
    }
  });
});
