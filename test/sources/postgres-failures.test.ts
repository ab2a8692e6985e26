import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyToPostgres } from '../../scripts/autopack-pg.mjs';
import { ROOT, tempDir, tune } from '../helpers/cli.js';
import { startRealPostgres, type RealPostgres } from '../helpers/pg.js';
import { stateTotals } from '../helpers/state.js';

/**
 * A Postgres source on a real server that misbehaves: a table locked by another session, a backend
 * terminated and a server stopped mid-read, a password we lack, a server that never answers. Each
 * ends the run with one line naming the wait or the loss, exit 2, and the state as it was.
 */
let server: RealPostgres;
let dir: string;
beforeAll(async () => {
  server = await startRealPostgres();
  dir = await tempDir('tokentune-pg-fail-');
  execFileSync(process.execPath, [join(ROOT, 'scripts/generate-autopack.mjs'), '--out', dir, '--seed', '11', '--runs', '20'], { stdio: 'ignore' });
  const c = await server.client();
  try {
    await copyToPostgres(join(dir, 'autopack.db'), c);
    await c.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO secret');
  } finally {
    await c.end();
  }
}, 120_000);
afterAll(async () => server?.stop());

const config = async (name: string, timeouts: string, url = server.url) => {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `sources: [{format: autopack-db, url: '${url}', timeouts: {${timeouts}}}]\n`);
  return file;
};

/** Holds an exclusive lock on `runs` while `during` runs. */
async function withLockedRuns<T>(during: (holder: pg.Client) => Promise<T>): Promise<T> {
  const holder = await server.client();
  await holder.query('BEGIN; LOCK TABLE runs IN ACCESS EXCLUSIVE MODE');
  try {
    return await during(holder);
  } finally {
    await holder.query('ROLLBACK').catch(() => {});
    await holder.end().catch(() => {});
  }
}

/**
 * Waits until our run's session is blocked on the lock: a state of the server, not a guess at time.
 * Asked from a session of its own: inside the holder's transaction, pg_stat_activity stays as it was.
 */
async function ourBlockedSession(): Promise<number> {
  const c = await server.client();
  try {
    for (;;) {
      const r = await c.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'tokentune' AND wait_event_type = 'Lock'");
      if (r.rows.length) return r.rows[0].pid as number;
      await sleep(50);
    }
  } finally {
    await c.end();
  }
}

const oneLine = (r: { stderr: string }) => {
  expect(r.stderr).not.toMatch(/\n\s+at |Unhandled|node:internal/);
  expect(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('tune: ')),
  ).toHaveLength(1);
};

describe('a Postgres source that misbehaves', () => {
  it('reads the database when nothing is wrong, as the baseline the failures keep', async () => {
    const r = await tune(['check', '--json', '--config', await config('ok', 'lock_seconds: 1')], { XDG_STATE_HOME: join(dir, 'ok') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).records).toBeGreaterThan(0);
  });

  it('gives up on a lock held by another session after lock_seconds, with the state as before', async () => {
    const xdg = join(dir, 'locked');
    const file = await config('lock', 'lock_seconds: 1, statement_seconds: 600');
    const first = await tune(['check', '--config', file], { XDG_STATE_HOME: xdg });
    expect(first.code, first.stderr).toBe(0);
    const before = await stateTotals(xdg);
    const r = await withLockedRuns(() => tune(['check', '--config', file], { XDG_STATE_HOME: xdg }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot be read as autopack-db: waited 1 s for a lock another session holds \(timeouts\.lock_seconds\)/);
    oneLine(r);
    expect(await stateTotals(xdg)).toEqual(before);
  });

  it('ends a query that runs past statement_seconds', async () => {
    const r = await withLockedRuns(async () => tune(['check', '--config', await config('stmt', 'lock_seconds: 600, statement_seconds: 1')], { XDG_STATE_HOME: join(dir, 'stmt') }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a query ran past 1 s \(timeouts\.statement_seconds\)/);
    oneLine(r);
  });

  it('says the session ended when its backend is terminated mid-read', async () => {
    const file = await config('term', 'lock_seconds: 600, statement_seconds: 600');
    const r = await withLockedRuns(async (holder) => {
      const run = tune(['check', '--config', file], { XDG_STATE_HOME: join(dir, 'term') });
      await holder.query('SELECT pg_terminate_backend($1)', [await ourBlockedSession()]);
      return run;
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the server ended the session|connection to the server was lost/);
    oneLine(r);
  });

  it('names the missing password at once, and never shows a wrong one', async () => {
    const url = server.url.replace('postgres@', 'secret@');
    const none = await tune(['check', '--config', await config('nopw', 'connect_seconds: 30')], { XDG_STATE_HOME: join(dir, 'nopw'), PGPASSWORD: undefined });
    expect(none.code, none.stderr).toBe(0); // the postgres role is trusted: the baseline
    const r = await tune(['check', '--config', await config('pw', 'connect_seconds: 30', url)], { XDG_STATE_HOME: join(dir, 'pw'), PGPASSWORD: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the server wants a password: set PGPASSWORD/);
    oneLine(r);
    const wrong = await tune(['check', '--config', await config('pw', 'connect_seconds: 30', url)], { XDG_STATE_HOME: join(dir, 'pw'), PGPASSWORD: 'wrong-Pa55word' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/password authentication failed/);
    expect(wrong.stderr).not.toContain('wrong-Pa55word');
    const right = await tune(['check', '--config', await config('pw', 'connect_seconds: 30', url)], { XDG_STATE_HOME: join(dir, 'pw'), PGPASSWORD: 'right-one' });
    expect(right.code, right.stderr).toBe(0);
  });

  it('stops waiting for a server that accepts and never answers after connect_seconds', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const r = await tune(['check', '--config', await config('silent', 'connect_seconds: 1', `postgres://postgres@127.0.0.1:${port}/postgres`)], { XDG_STATE_HOME: join(dir, 'silent') });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no answer from the server within 1 s \(timeouts\.connect_seconds\)/);
      oneLine(r);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  // Last: the server does not come back.
  it('says the connection was lost when the server stops mid-read', async () => {
    const file = await config('stop', 'lock_seconds: 600, statement_seconds: 600');
    const r = await withLockedRuns(async () => {
      const run = tune(['check', '--config', file], { XDG_STATE_HOME: join(dir, 'stop') });
      await ourBlockedSession();
      await server.kill();
      return run;
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the server ended the session|connection to the server was lost/);
    oneLine(r);
  });
});
