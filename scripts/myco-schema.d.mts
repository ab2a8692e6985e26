/** The agent_runs table of Myco's run database, as SQL for SQLite. */
export const MYCO_DDL: string;
