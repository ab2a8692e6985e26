import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { asStateError } from './db.js';

/**
 * The tuner's own LLM spend, one row per call, in `spend.db` beside the state. Every run that spends
 * money records it at once — dry runs too, and runs that fail later, because the money is spent
 * either way — so the monthly budget holds. A database of its own: the state database's changes are
 * committed only when a run succeeds, and a dry run never writes the state.
 */
export interface SpendEntry {
  ts: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number;
  dry_run: boolean;
}

function open(dir: string): Database.Database {
  const file = join(dir, 'spend.db');
  let db: Database.Database | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    db = new Database(file, { timeout: 30_000 });
    db.exec(`CREATE TABLE IF NOT EXISTS spend (
      id INTEGER PRIMARY KEY, ts TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
      cache_creation_input_tokens INTEGER NOT NULL, cache_read_input_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, dry_run INTEGER NOT NULL)`);
    return db;
  } catch (e) {
    db?.close();
    // Without it the month's spend is unknown, and the LLM budget cannot be held: no call is made.
    throw asStateError(e, file, { what: "the ledger of tokentune's own LLM spend", remedy: `Restore ${file} from a backup, or move it away to start this month's LLM budget from zero.` });
  }
}

export async function recordSpend(dir: string, e: SpendEntry): Promise<void> {
  const db = open(dir);
  try {
    db.prepare('INSERT INTO spend (ts, model, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, cost_usd, dry_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      e.ts,
      e.model,
      e.input_tokens,
      e.output_tokens,
      e.cache_creation_input_tokens,
      e.cache_read_input_tokens,
      e.cost_usd,
      e.dry_run ? 1 : 0,
    );
  } finally {
    db.close();
  }
}

/** USD spent in the UTC calendar month of `now`. */
export async function spentThisMonth(dir: string, now: Date): Promise<number> {
  const db = open(dir);
  try {
    const month = now.toISOString().slice(0, 7);
    return (db.prepare(`SELECT coalesce(sum(cost_usd), 0) FROM spend WHERE substr(ts, 1, 7) = ?`).pluck().get(month) as number) ?? 0;
  } finally {
    db.close();
  }
}
