import Database from 'better-sqlite3';
import type { CursorOptions } from './api.js';

/*
 * One connection to a database a cursor source reads, SQLite or Postgres: SQL written once with `?`
 * parameters, read only, every wait bounded, and a server's errors in words a user can act on.
 */

/** One connection to the database, SQLite or Postgres, with SQL written once (`?` parameters). */
export interface Conn {
  all<T>(sql: string, params: unknown[]): Promise<T[]>;
  /** `IN (…)` of a list parameter, in this dialect. */
  inList: string;
  list(ids: string[]): unknown;
  /** The UTC day (YYYY-MM-DD) of a time column, in this dialect. */
  day(column: string): string;
  /** Every column of every table, as (table, column) rows, in this dialect. */
  columns: string;
  close(): Promise<void>;
}

/**
 * The connection, once it has every table and column a source reads; otherwise it is closed and the
 * error names the first table or column missing (`noTable` words a missing table).
 */
export async function withColumns(conn: Conn, needed: Record<string, readonly string[]>, noTable = (t: string) => `no table ${t}`): Promise<Conn> {
  try {
    const have = new Map<string, Set<string>>();
    for (const { t, c } of await conn.all<{ t: string; c: string }>(conn.columns, [])) {
      const table = t.toLowerCase();
      (have.get(table) ?? have.set(table, new Set()).get(table)!).add(c.toLowerCase());
    }
    for (const [table, cols] of Object.entries(needed)) {
      const got = have.get(table);
      if (!got) throw new Error(noTable(table));
      const missing = cols.find((c) => !got.has(c));
      if (missing) throw new Error(`table ${table} has no column ${missing}`);
    }
    return conn;
  } catch (e) {
    await conn.close();
    throw e;
  }
}

export function openSqlite(path: string): Conn {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  return {
    all: async <T>(sql: string, params: unknown[]) => db.prepare(sql).all(...params) as T[],
    inList: 'IN (SELECT value FROM json_each(?))',
    list: (ids) => JSON.stringify(ids),
    // SQLAlchemy writes times as text; epoch seconds are read as such.
    day: (c) => `CASE WHEN typeof(${c}) = 'text' THEN date(${c}) ELSE date(${c}, 'unixepoch') END`,
    columns: "SELECT m.name AS t, p.name AS c FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
    close: async () => void db.close(),
  };
}

export async function openPostgres(url: string, o: CursorOptions): Promise<Conn> {
  const { default: pg } = await import('pg');
  // Times as the database wrote them (text), read as UTC when they carry no zone; big integers as numbers.
  const asText = (v: string) => v;
  const parsers: Record<number, (v: string) => unknown> = { 1114: asText, 1184: asText, 1082: asText, 20: Number, 1700: Number };
  const statementMs = Math.round((o.statementSeconds ?? 300) * 1000);
  const client = new pg.Client({
    connectionString: url,
    ...(o.passwordEnv ? { password: process.env[o.passwordEnv] ?? '' } : {}),
    application_name: 'tokentune',
    connectionTimeoutMillis: Math.round((o.connectSeconds ?? 10) * 1000),
    // Past the server's own statement timeout: a server that went silent (a dropped network) still ends the wait.
    query_timeout: statementMs + 30_000,
    keepAlive: true,
    types: { getTypeParser: ((oid: number, format?: string) => parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser },
  });
  // A connection lost between queries is reported here, not as an exception: without a listener it
  // would end the process with a stack. The next query fails with it, and that error is the one shown.
  let lost: Error | undefined;
  client.on('error', (e) => (lost ??= e));
  const ask = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    if (lost) throw new Error(serverError(lost, o));
    try {
      return (await client.query(sql, params)).rows as T[];
    } catch (e) {
      throw new Error(serverError(e as Error, o));
    }
  };
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw new Error(serverError(e as Error, o));
  }
  // Read only, whatever the role may do, and bounded waits; set back before leaving, for a server
  // that keeps one session for all its connections (PGlite). SET rather than startup parameters,
  // which connection poolers such as PgBouncer refuse.
  try {
    await ask(`SET default_transaction_read_only = on; SET statement_timeout = ${statementMs}; SET lock_timeout = ${Math.round((o.lockSeconds ?? 10) * 1000)}; SET TIME ZONE 'UTC'`);
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
  return {
    all: async <T>(sql: string, params: unknown[]) => {
      let n = 0;
      return ask<T>(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      );
    },
    inList: '= ANY(?)',
    list: (ids) => ids,
    // The session's zone is UTC (set above): a zoned time falls on its UTC day, a naive one on its own.
    day: (c) => `CAST(${c} AS date)`,
    columns: 'SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()',
    close: async () => {
      try {
        if (!lost) await ask('RESET default_transaction_read_only; RESET statement_timeout; RESET lock_timeout; RESET TIME ZONE');
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}

/** A server's error as one line a user can act on; Postgres's own codes say which wait ran out. */
export function serverError(e: Error, o: CursorOptions): string {
  const code = (e as { code?: string }).code;
  if (code === '55P03') return `waited ${o.lockSeconds ?? 10} s for a lock another session holds (timeouts.lock_seconds): ${e.message}`;
  if (code === '57014') return `a query ran past ${o.statementSeconds ?? 300} s (timeouts.statement_seconds): ${e.message}`;
  if (code === '57P01' || code === '57P02' || code === '57P03') return `the server ended the session: ${e.message}`;
  if (/timeout expired|Connection terminated due to connection timeout/i.test(e.message)) return `no answer from the server within ${o.connectSeconds ?? 10} s (timeouts.connect_seconds)`;
  if (/Query read timeout/i.test(e.message)) return 'the server stopped answering mid-query';
  if (/client password must be a string|password authentication failed|no password supplied/i.test(e.message)) {
    return `the server wants a password${o.passwordEnv ? ` and ${o.passwordEnv} does not hold the right one` : ': set PGPASSWORD, or the variable named by password_env'} (${e.message})`;
  }
  if (/Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE/i.test(e.message) || code === 'ECONNREFUSED' || code === 'ECONNRESET')
    return `the connection to the server was lost or refused: ${e.message}`;
  return e.message;
}
