import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';

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

export { startRealPostgres, type RealPostgres } from '../../scripts/pg-server.mjs';
