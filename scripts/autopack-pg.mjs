// Autopack's tables in Postgres, as SQLAlchemy creates them there, and a copy of an Autopack-shaped
// SQLite database (scripts/generate-autopack.mjs) into them: the same data in both, for the tests and
// the benchmark that read one against the other.
import Database from 'better-sqlite3';

export const AUTOPACK_PG_DDL = `
CREATE TABLE IF NOT EXISTS runs (
  id VARCHAR PRIMARY KEY, state VARCHAR(33) NOT NULL, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
  started_at TIMESTAMP, completed_at TIMESTAMP, safety_profile VARCHAR NOT NULL, run_scope VARCHAR NOT NULL,
  token_cap INTEGER NOT NULL, max_phases INTEGER NOT NULL, max_duration_minutes INTEGER NOT NULL,
  tokens_used INTEGER NOT NULL, ci_runs_used INTEGER NOT NULL, minor_issues_count INTEGER NOT NULL, major_issues_count INTEGER NOT NULL,
  promotion_eligible_to_main VARCHAR NOT NULL, debt_status VARCHAR, failure_reason TEXT, goal_anchor TEXT);
CREATE TABLE IF NOT EXISTS tiers (
  id SERIAL PRIMARY KEY, tier_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tier_index INTEGER NOT NULL, name VARCHAR NOT NULL, description TEXT, state VARCHAR(11) NOT NULL, token_cap INTEGER, ci_run_cap INTEGER,
  max_minor_issues_tolerated INTEGER, max_major_issues_tolerated INTEGER NOT NULL, tokens_used INTEGER NOT NULL, ci_runs_used INTEGER NOT NULL,
  minor_issues_count INTEGER NOT NULL, major_issues_count INTEGER NOT NULL, cleanliness VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, started_at TIMESTAMP, completed_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS phases (
  id SERIAL PRIMARY KEY, phase_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tier_id INTEGER NOT NULL REFERENCES tiers (id), phase_index INTEGER NOT NULL, name VARCHAR NOT NULL, description TEXT,
  state VARCHAR(10) NOT NULL, task_category VARCHAR, complexity VARCHAR, builder_mode VARCHAR, scope JSON,
  max_builder_attempts INTEGER, max_auditor_attempts INTEGER, incident_token_cap INTEGER,
  builder_attempts INTEGER NOT NULL, auditor_attempts INTEGER NOT NULL, tokens_used INTEGER NOT NULL,
  minor_issues_count INTEGER NOT NULL, major_issues_count INTEGER NOT NULL, issue_state VARCHAR NOT NULL,
  quality_level VARCHAR, quality_blocked BOOLEAN NOT NULL, retry_attempt INTEGER NOT NULL, revision_epoch INTEGER NOT NULL,
  escalation_level INTEGER NOT NULL, last_attempt_timestamp TIMESTAMP, last_failure_reason VARCHAR,
  created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, started_at TIMESTAMP, completed_at TIMESTAMP,
  CONSTRAINT uq_phases_run_id_phase_id UNIQUE (run_id, phase_id));
CREATE INDEX IF NOT EXISTS ix_phases_run_state ON phases (run_id, state);
CREATE TABLE IF NOT EXISTS phase_outcome_events (
  id SERIAL PRIMARY KEY, run_id VARCHAR NOT NULL, phase_id VARCHAR NOT NULL, phase_type VARCHAR,
  phase_outcome VARCHAR NOT NULL, stop_reason VARCHAR, stuck_decision_rationale TEXT, tokens_used INTEGER,
  duration_seconds DOUBLE PRECISION, model_used VARCHAR, timestamp TIMESTAMP NOT NULL, context_injected BOOLEAN, context_item_count INTEGER);
CREATE INDEX IF NOT EXISTS ix_phase_outcome_events_run_id ON phase_outcome_events (run_id);
CREATE TABLE IF NOT EXISTS llm_usage_events (
  id SERIAL PRIMARY KEY, provider VARCHAR NOT NULL, model VARCHAR NOT NULL, run_id VARCHAR, phase_id VARCHAR,
  role VARCHAR NOT NULL, total_tokens INTEGER NOT NULL, prompt_tokens INTEGER, completion_tokens INTEGER,
  created_at TIMESTAMP NOT NULL, client_id VARCHAR, is_doctor_call BOOLEAN NOT NULL, doctor_model VARCHAR, doctor_action VARCHAR,
  phase_type VARCHAR, intent VARCHAR);
CREATE INDEX IF NOT EXISTS ix_llm_usage_events_run_id ON llm_usage_events (run_id);
`;

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
        const updates = columns.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`).join(', ');
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
