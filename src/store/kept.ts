import { LONG_CONTEXT } from '../pricing/cost.js';
import type { CallRecord, TelemetryRecord } from '../sources/index.js';
import { addRecord, emptyRollups, type Rollups } from './rollups.js';

/**
 * Records that come in versions (Claude Code's streamed and copied responses), as they travel from a
 * parsing thread to the store. The thread keeps the best version of each record it read and folds
 * them all into the range's rollups and quarter sums, as if every one were new; the store then only
 * inserts the rows and corrects the sums for the few that were seen before (State.keepBest). A row is
 * an array in the column order of kept_records, so that it crosses threads and binds to SQLite as it is.
 */

/** kept_records' columns, in the order of a KeptRow. */
export const KEPT_COLUMNS = [
  'unit',
  'key',
  'day',
  'ts',
  'model',
  'input',
  'output',
  'cache_creation',
  'cache_creation_1h',
  'cache_read',
  'cost_usd',
  'session',
  'project',
  'agent',
  'role',
  'run_id',
  'sidechain',
] as const;

/** A kept record: its unit (0 until the store sets it), key, day, time, model, counts and what it belongs to. */
export type KeptRow = [
  unit: number,
  key: string,
  day: number,
  ts: number,
  model: string,
  input: number,
  output: number,
  cache_creation: number,
  cache_creation_1h: number,
  cache_read: number,
  cost_usd: number | null,
  session: string | null,
  project: string | null,
  /** A subagent's calls name it `@<agent id>`; its type is joined later (agent_links). */
  agent: string | null,
  role: string,
  run_id: string | null,
  sidechain: 0 | 1,
];

/** Tokens by kind and the reported cost, summed. */
export interface TokenSums {
  input: number;
  output: number;
  cache_creation: number;
  cache_creation_1h: number;
  cache_read: number;
  cost: number;
}

/** The sums of kept records per quarter hour, model, long-context side and reported-cost side (kept_quarters). */
export interface QuarterSum extends TokenSums {
  q: number;
  model: string;
  long: 0 | 1;
  has_cost: 0 | 1;
  n: number;
  max_ts: number;
}

/** The best versions of a range's records, with what they add up to if none was seen before. */
export interface KeptBatch {
  rows: KeptRow[];
  rollup: Rollups;
  quarters: Map<string, QuarterSum>;
}

export function keptRow(key: string, day: number, c: CallRecord): KeptRow {
  return [
    0,
    key,
    day,
    c.ts,
    c.model,
    c.input_tokens,
    c.output_tokens,
    c.cache_creation_input_tokens,
    c.cache_creation_1h_tokens ?? 0,
    c.cache_read_input_tokens,
    c.cost_usd ?? null,
    c.session_id ?? null,
    c.project ?? null,
    c.agent_id ? `@${c.agent_id}` : (c.agent ?? null),
    c.role,
    c.run_id ?? null,
    c.sidechain ? 1 : 0,
  ];
}

/** The record a row stands for: as much of it as the rollups and an adapter's `prefer` read. */
export function keptRecord(r: KeptRow): CallRecord {
  const agent = r[13];
  const subagent = agent?.startsWith('@');
  return {
    kind: 'call',
    ts: r[3],
    run_id: r[15] ?? undefined,
    phase_id: undefined,
    role: r[14],
    provider: undefined,
    model: r[4],
    input_tokens: r[5],
    output_tokens: r[6],
    cache_creation_input_tokens: r[7],
    cache_creation_1h_tokens: r[8],
    cache_read_input_tokens: r[9],
    cost_usd: r[10] ?? undefined,
    session_id: r[11] ?? undefined,
    project: r[12] ?? undefined,
    agent: subagent ? 'subagent' : (agent ?? undefined),
    agent_id: subagent ? agent!.slice(1) : undefined,
    sidechain: r[16] === 1,
  };
}

/** Adds a kept record to its quarter's sums (requests over the long-context threshold apart), or (sign -1) takes it out. */
export function addQuarter(m: Map<string, QuarterSum>, r: KeptRow, sign: 1 | -1 = 1): void {
  const q = Math.floor(r[3] / 900_000);
  const long = r[5] + r[7] + r[9] > LONG_CONTEXT ? 1 : 0;
  const has_cost = r[10] === null ? 0 : 1;
  const k = `${q}\u0000${r[4]}\u0000${long}\u0000${has_cost}`;
  let b = m.get(k);
  if (!b) m.set(k, (b = { q, model: r[4], long, has_cost, n: 0, input: 0, output: 0, cache_creation: 0, cache_creation_1h: 0, cache_read: 0, cost: 0, max_ts: 0 }));
  b.n += sign;
  b.input += sign * r[5];
  b.output += sign * r[6];
  b.cache_creation += sign * r[7];
  b.cache_creation_1h += sign * r[8];
  b.cache_read += sign * r[9];
  b.cost += sign * (r[10] ?? 0);
  b.max_ts = Math.max(b.max_ts, r[3]);
}

/** Folds the best versions of some records as if none had been seen before. */
export function foldKept(items: Iterable<{ key: string; day: number; record: TelemetryRecord }>): KeptBatch {
  const batch: KeptBatch = { rows: [], rollup: emptyRollups(), quarters: new Map() };
  for (const { key, day, record } of items) {
    const row = keptRow(key, day, record as CallRecord);
    batch.rows.push(row);
    addRecord(batch.rollup, record);
    addQuarter(batch.quarters, row);
  }
  return batch;
}
