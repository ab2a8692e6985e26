// Autopack's tables in Postgres, as SQLAlchemy creates them there, and a copy of an Autopack-shaped
// SQLite database (scripts/generate-autopack.mjs) into them: the same data in both, for the tests and
// the benchmark that read one against the other.
import Database from 'better-sqlite3';
import { autopackDdl } from './autopack-schema.mjs';

export const AUTOPACK_PG_DDL = autopackDdl('postgres');

const TABLES = ['runs', 'tiers', 'phases', 'phase_outcome_events', 'llm_usage_events'];
const BOOLEANS = new Set(['quality_blocked', 'context_injected', 'is_doctor_call']);

/**
 * Makes the Postgres tables hold what the SQLite database holds: rows it has not seen are inserted,
 * rows it has are updated in place (Autopack's own way), row ids kept. `client` is a connected `pg` client.
 * `onlyNew` copies only the rows after as many as Postgres holds (for a database that only grew).
 */
export async function copyToPostgres(sqlitePath, client, { batch = 500, onlyNew = false } = {}) {
  await client.query(AUTOPACK_PG_DDL);
  const db = new Database(sqlitePath, { readonly: true });
  try {
    for (const table of TABLES) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table);
      const key = 'id';
      const skip = onlyNew ? Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n) : 0;
      const rows = db.prepare(`SELECT * FROM ${table} ORDER BY rowid LIMIT -1 OFFSET ?`).raw().iterate(skip);
      let chunk = [];
      const flush = async () => {
        if (!chunk.length) return;
        const params = [];
        const values = chunk.map((row) => `(${row.map((v, i) => (params.push(BOOLEANS.has(columns[i]) && v !== null ? v === 1 : v), `$${params.length}`)).join(', ')})`);
        const updates = columns
          .filter((c) => c !== key)
          .map((c) => `${c} = excluded.${c}`)
          .join(', ');
        await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')} ON CONFLICT (${key}) DO UPDATE SET ${updates}`, params);
        chunk = [];
      };
      for (const row of rows) {
        chunk.push(row);
        if (chunk.length >= batch) await flush();
      }
      await flush();
      if (table !== 'runs') await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce(max(id), 1)) FROM ${table}`);
    }
  } finally {
    db.close();
  }
}
