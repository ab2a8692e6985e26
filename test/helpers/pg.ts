import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Postgres (PGlite, Postgres compiled to WASM) served on a local port, and a `pg` client on it:
 * what the CLI under test connects to by URL. One connection at a time is served.
 */
export async function startPostgres(): Promise<{ url: string; query: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>; stop: () => Promise<void> }> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  const port = Number(String(server.getServerConn()).split(':').pop());
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // A client per statement batch: the server serves one connection at a time, and the CLI needs its turn.
  const query = async (sql: string, params?: unknown[]) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await c.query(sql, params);
    } finally {
      await c.end();
    }
  };
  return {
    url,
    query,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** Where Debian's PostgreSQL server programs are, if installed. */
function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const v = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin/initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(root, v, 'bin') : undefined;
}

export interface RealPostgres {
  /** A superuser URL (trust authentication on 127.0.0.1). */
  url: string;
  port: number;
  /** A client of its own, for holding locks and terminating sessions. */
  client: () => Promise<pg.Client>;
  /** Stops the server at once, as a crash would. */
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * A real PostgreSQL server (Debian's) in a temporary directory, as its own `postgres` user when the
 * tests run as root: what locks, timeouts and dropped connections need, which PGlite cannot serve.
 * Role `secret` must give a password; every other role is trusted.
 */
export async function startRealPostgres(): Promise<RealPostgres> {
  const bin = pgBin();
  if (!bin) throw new Error('PostgreSQL server programs not found under /usr/lib/postgresql: .ci/run installs them (apt-get install postgresql)');
  const dir = await mkdtemp(join(tmpdir(), 'tokentune-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chown(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const as = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  await writeFile(join(data, 'pg_hba.conf'), 'local all all trust\nhost all secret 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n');
  const port = await freePort();
  const ctl = (...args: string[]) => as('pg_ctl', ['-D', data, '-l', join(dir, 'log'), ...args]);
  ctl('-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const client = async () => {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => {});
    await c.connect();
    return c;
  };
  const setup = await client();
  await setup.query("CREATE ROLE secret LOGIN PASSWORD 'right-one'");
  await setup.end();
  let running = true;
  const halt = async (mode: string) => {
    if (!running) return;
    running = false;
    ctl('-w', '-m', mode, 'stop');
  };
  return {
    url,
    port,
    client,
    kill: () => halt('immediate'),
    stop: async () => {
      await halt('fast');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
