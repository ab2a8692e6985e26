export { asStateError, openStateCopy, openStateDb, StateError, STATE_FILE, SCHEMA_VERSION, type Db } from './db.js';
export { State, Fingerprint, LastProposal, InputStat, type BudgetAlert, type RunEntry, type Unit, type StoredUsage } from './state.js';
export type { RollupView, RunTable } from './rollup-tables.js';
export { takeLock, LockError } from './lock.js';
export { stateDir } from './paths.js';
export { ledgerEntry, MAX_LEDGER } from './run-ledger.js';
export { recordSpend, spentThisMonth, type SpendEntry } from './llm-ledger.js';
export * from './rollups.js';
export type { TrackedChange, TrackedStatus, SkippedLine } from './history.js';
