import { execFileSync } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyToPostgres } from '../../scripts/autopack-pg.mjs';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { startPostgres } from '../helpers/pg.js';
import { stateTotals } from '../helpers/state.js';

let pgServer: Awaited<ReturnType<typeof startPostgres>>;
beforeAll(async () => {
  pgServer = await startPostgres();
});
afterAll(async () => pgServer?.stop());

/** Copies the SQLite database into Postgres through a real `pg` client. */
async function mirror(sqlite: string) {
  const c = new pg.Client({ connectionString: pgServer.url });
  await c.connect();
  try {
    await copyToPostgres(sqlite, c);
  } finally {
    await c.end();
  }
}

describe('Autopack database (Postgres, through pg and PGlite)', () => {
  it('gives the proposal SQLite gives for the same data, in full and incrementally', async () => {
    const dir = await tempDir('tokentune-ap-pg-');
    const gen = (...args: string[]) => execFileSync(process.execPath, [join(ROOT, 'scripts/generate-autopack.mjs'), '--out', dir, '--seed', '7', ...args], { stdio: 'ignore' });
    gen('--runs', '60', '--running', '3');
    await mirror(join(dir, 'autopack.db'));
    await cp(join(ROOT, 'config/autopack-target'), join(dir, 'target'), { recursive: true });
    const targets = `targets:\n  - {path: target/config/models.yaml, preset: autopack}\n  - {path: target/config/project_ruleset_Example.json, preset: autopack}\nmodels: {ladders: {anthropic: [claude-haiku-4-5, claude-sonnet-5-5, claude-opus-5-5]}}\nrules: {ci: {ladder: [normal, strict]}}\n`;
    await writeFile(join(dir, 'sqlite.yaml'), `sources: [{format: autopack-db, url: 'sqlite:///autopack.db'}]\n${targets}`);
    await writeFile(join(dir, 'pg.yaml'), `sources: [{format: autopack-db, url: '${pgServer.url}'}]\n${targets}`);
    const run = async (config: string, state: string, ...args: string[]) => {
      const r = await tune([...args, '--json', '--config', join(dir, config)], { XDG_STATE_HOME: join(dir, state) });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const proposal = async (config: string, state: string) => {
      const out = await run(config, state, '--dry-run');
      return { changes: out.changes, diffs: out.diffs };
    };
    const first = await proposal('sqlite.yaml', 'sqlite-state');
    expect(first.changes.length).toBeGreaterThan(0);
    expect(await proposal('pg.yaml', 'pg-state')).toEqual(first);

    // Incrementally: both read, the runs finish in place and new ones come, both read what is new.
    await run('sqlite.yaml', 'sqlite-inc', 'check');
    await run('pg.yaml', 'pg-inc', 'check');
    gen('--advance', '--runs', '8', '--running', '1');
    await mirror(join(dir, 'autopack.db'));
    const sqliteAgain = await run('sqlite.yaml', 'sqlite-inc', 'check');
    const pgAgain = await run('pg.yaml', 'pg-inc', 'check');
    expect(pgAgain.records).toBe(sqliteAgain.records);
    expect(pgAgain.records).toBeGreaterThan(0);
    expect(await stateTotals(join(dir, 'pg-inc'))).toEqual(await stateTotals(join(dir, 'sqlite-inc')));
    await run('pg.yaml', 'pg-fresh', 'check');
    expect(await stateTotals(join(dir, 'pg-fresh'))).toEqual(await stateTotals(join(dir, 'pg-inc')));
  });

  it('refuses a password in the URL, and names a missing column', async () => {
    const dir = await tempDir('tokentune-ap-pg2-');
    await writeFile(join(dir, 'bad.yaml'), "sources: [{format: autopack-db, url: 'postgres://autopack:hunter2@db.example/autopack'}]\n");
    const bad = await tune(['check', '--config', join(dir, 'bad.yaml')], { XDG_STATE_HOME: join(dir, 's') });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sources[0].url: holds a password: leave it out, and set PGPASSWORD');
    expect(bad.stderr).not.toContain('hunter2');

    await pgServer.query('ALTER TABLE llm_usage_events RENAME COLUMN total_tokens TO tokens_total');
    try {
      await writeFile(join(dir, 'pg.yaml'), `sources: [{format: autopack-db, url: '${pgServer.url}', password_env: AUTOPACK_PG_PASSWORD}]\n`);
      const r = await tune(['check', '--config', join(dir, 'pg.yaml')], { XDG_STATE_HOME: join(dir, 's2'), AUTOPACK_PG_PASSWORD: 'not-needed-by-pglite' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${pgServer.url}: cannot be read as autopack-db: table llm_usage_events has no column total_tokens`);
    } finally {
      await pgServer.query('ALTER TABLE llm_usage_events RENAME COLUMN tokens_total TO total_tokens');
    }
  });
});
