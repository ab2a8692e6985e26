import type { Db } from './db.js';

/**
 * The run ledger in the state: one entry per run, the newest MAX_LEDGER kept. Light (no schema
 * library), so the no-op path records its runs by the same code as the full path.
 */
export const MAX_LEDGER = 200;

export interface RunEntry {
  command: string;
  started: string;
  ended: string;
  result: string;
  records: number;
  bytes: number;
  llm_tokens: number;
  llm_cost_usd: number;
}

export function ledgerEntry(
  command: string,
  started: Date,
  result: string,
  read: { records: number; bytes: number },
  llm?: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; cost_usd: number | null },
): RunEntry {
  return {
    command,
    started: started.toISOString(),
    ended: new Date().toISOString(),
    result,
    records: read.records,
    bytes: read.bytes,
    llm_tokens: llm ? llm.input_tokens + llm.output_tokens + llm.cache_creation_input_tokens + llm.cache_read_input_tokens : 0,
    llm_cost_usd: llm?.cost_usd ?? 0,
  };
}

/** Appends a run to the ledger and drops the oldest past MAX_LEDGER. */
export function addRun(db: Db, e: RunEntry): void {
  db.prepare(
    'INSERT INTO ledger (command, started, ended, result, records, bytes, llm_tokens, llm_cost_usd) VALUES (@command, @started, @ended, @result, @records, @bytes, @llm_tokens, @llm_cost_usd)',
  ).run(e);
  db.prepare('DELETE FROM ledger WHERE id <= (SELECT max(id) FROM ledger) - ?').run(MAX_LEDGER);
}
