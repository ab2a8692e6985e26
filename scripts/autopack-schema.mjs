// Autopack's tables as SQLAlchemy creates them (a subset of the columns of each, and the indexes it
// declares on run ids), in SQLite's types; Postgres's differ only in the types named below.
const SQLITE = `
CREATE TABLE IF NOT EXISTS runs (
  id VARCHAR NOT NULL PRIMARY KEY, state VARCHAR(33) NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
  started_at DATETIME, completed_at DATETIME, safety_profile VARCHAR NOT NULL, run_scope VARCHAR NOT NULL,
  token_cap INTEGER NOT NULL, max_phases INTEGER NOT NULL, max_duration_minutes INTEGER NOT NULL,
  tokens_used INTEGER NOT NULL, ci_runs_used INTEGER NOT NULL, minor_issues_count INTEGER NOT NULL, major_issues_count INTEGER NOT NULL,
  promotion_eligible_to_main VARCHAR NOT NULL, debt_status VARCHAR, failure_reason TEXT, goal_anchor TEXT);
CREATE INDEX IF NOT EXISTS ix_runs_state_created ON runs (state, created_at);
CREATE TABLE IF NOT EXISTS tiers (
  id INTEGER NOT NULL PRIMARY KEY, tier_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tier_index INTEGER NOT NULL, name VARCHAR NOT NULL, description TEXT, state VARCHAR(11) NOT NULL, token_cap INTEGER, ci_run_cap INTEGER,
  max_minor_issues_tolerated INTEGER, max_major_issues_tolerated INTEGER NOT NULL, tokens_used INTEGER NOT NULL, ci_runs_used INTEGER NOT NULL,
  minor_issues_count INTEGER NOT NULL, major_issues_count INTEGER NOT NULL, cleanliness VARCHAR NOT NULL,
  created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, started_at DATETIME, completed_at DATETIME);
CREATE TABLE IF NOT EXISTS phases (
  id INTEGER NOT NULL PRIMARY KEY, phase_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tier_id INTEGER NOT NULL REFERENCES tiers (id), phase_index INTEGER NOT NULL, name VARCHAR NOT NULL, description TEXT,
  state VARCHAR(10) NOT NULL, task_category VARCHAR, complexity VARCHAR, builder_mode VARCHAR, scope JSON,
  max_builder_attempts INTEGER, max_auditor_attempts INTEGER, incident_token_cap INTEGER,
  builder_attempts INTEGER NOT NULL, auditor_attempts INTEGER NOT NULL, tokens_used INTEGER NOT NULL,
  minor_issues_count INTEGER NOT NULL, major_issues_count INTEGER NOT NULL, issue_state VARCHAR NOT NULL,
  quality_level VARCHAR, quality_blocked BOOLEAN NOT NULL, retry_attempt INTEGER NOT NULL, revision_epoch INTEGER NOT NULL,
  escalation_level INTEGER NOT NULL, last_attempt_timestamp DATETIME, last_failure_reason VARCHAR,
  created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, started_at DATETIME, completed_at DATETIME,
  CONSTRAINT uq_phases_run_id_phase_id UNIQUE (run_id, phase_id));
CREATE INDEX IF NOT EXISTS ix_phases_run_state ON phases (run_id, state);
CREATE TABLE IF NOT EXISTS phase_outcome_events (
  id INTEGER NOT NULL PRIMARY KEY, run_id VARCHAR NOT NULL, phase_id VARCHAR NOT NULL, phase_type VARCHAR,
  phase_outcome VARCHAR NOT NULL, stop_reason VARCHAR, stuck_decision_rationale TEXT, tokens_used INTEGER,
  duration_seconds FLOAT, model_used VARCHAR, timestamp DATETIME NOT NULL, context_injected BOOLEAN, context_item_count INTEGER);
CREATE INDEX IF NOT EXISTS ix_phase_outcome_events_run_id ON phase_outcome_events (run_id);
CREATE TABLE IF NOT EXISTS llm_usage_events (
  id INTEGER NOT NULL PRIMARY KEY, provider VARCHAR NOT NULL, model VARCHAR NOT NULL, run_id VARCHAR, phase_id VARCHAR,
  role VARCHAR NOT NULL, total_tokens INTEGER NOT NULL, prompt_tokens INTEGER, completion_tokens INTEGER,
  created_at DATETIME NOT NULL, client_id VARCHAR, is_doctor_call BOOLEAN NOT NULL, doctor_model VARCHAR, doctor_action VARCHAR,
  phase_type VARCHAR, intent VARCHAR);
CREATE INDEX IF NOT EXISTS ix_llm_usage_events_run_id ON llm_usage_events (run_id);
`;

/** The DDL of Autopack's tables, for `sqlite` or `postgres`. */
export function autopackDdl(dialect) {
  if (dialect === 'sqlite') return SQLITE;
  return SQLITE.replace(/INTEGER NOT NULL PRIMARY KEY/g, 'SERIAL PRIMARY KEY')
    .replace(/DATETIME/g, 'TIMESTAMP')
    .replace(/FLOAT/g, 'DOUBLE PRECISION');
}
