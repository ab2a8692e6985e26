// Myco's agent_runs table as tokentune's generators and tests create it: the columns Myco's run store
// has (packages/myco/src/db/queries/runs.ts), the ones tokentune reads and the ones it does not.
export const MYCO_DDL = `CREATE TABLE agent_runs (
  id TEXT PRIMARY KEY, agent_id TEXT, task TEXT, instruction TEXT, status TEXT NOT NULL, runtime TEXT, provider TEXT, model TEXT,
  session_ref TEXT, resumable INTEGER DEFAULT 0, resume_count INTEGER DEFAULT 0, checkpoints TEXT, usage_data TEXT,
  started_at INTEGER, completed_at INTEGER, tokens_used INTEGER, cost_usd REAL, actual_cost_usd REAL, estimated_cost_usd REAL,
  cost_source TEXT, cost_data TEXT, actions_taken TEXT, error TEXT, dry_run INTEGER DEFAULT 0, evaluation_id TEXT,
  reasoning_level TEXT, execution_overrides TEXT);
CREATE INDEX idx_agent_runs_task ON agent_runs (task, started_at);`;
