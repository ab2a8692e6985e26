import type { CallRecord, CiRecord, Complexity, Outcome, PhaseRecord, TelemetryRecord } from '../../src/sources/records.js';
import { addRecord, emptyRollups, openStateCopy, State, type Rollups } from '../../src/store/index.js';
import { computeStats } from '../../src/stats/compute.js';
import { resolveWindow } from '../../src/stats/window.js';
import { BUNDLED_PRICES } from '../../src/pricing/table.js';
import { BUNDLED_RETIREMENTS } from '../../src/pricing/retirements.js';
import type { Stats } from '../../src/stats/types.js';

export const T0 = Date.parse('2026-11-01T12:00:00Z');

let seq = 0;
export function phase(p: Partial<PhaseRecord> & { category: string }): PhaseRecord {
  seq++;
  return {
    kind: 'phase',
    ts: T0,
    run_id: 'run-1',
    tier_id: 'T1',
    phase_id: `p${seq}`,
    complexity: 'low' as Complexity,
    builder_model: 'claude-sonnet-5-5',
    auditor_model: undefined,
    tokens_used: 10_000,
    incident_token_cap: 100_000,
    outcome: 'success' as Outcome,
    builder_attempts: 1,
    auditor_attempts: 1,
    retries: 0,
    truncated: false,
    ...p,
  };
}

/**
 * n phases of one category with exactly `success` successes, `retries` retries in total (spread over
 * the first phases) and the given token values (cycled).
 */
export function phases(category: string, n: number, o: { success?: number; retries?: number; tokens?: number[]; runs?: number; extra?: Partial<PhaseRecord> } = {}): PhaseRecord[] {
  const success = o.success ?? n;
  const tokens = o.tokens ?? [10_000];
  const runs = o.runs ?? 10;
  let retriesLeft = o.retries ?? 0;
  return Array.from({ length: n }, (_, i) => {
    const r = Math.min(retriesLeft, Math.ceil((o.retries ?? 0) / n) || 0);
    retriesLeft -= r;
    return phase({
      category,
      outcome: i < success ? 'success' : 'failed',
      retries: r,
      tokens_used: tokens[i % tokens.length]!,
      run_id: `run-${i % runs}`,
      ts: T0 - (i % runs) * 86_400_000,
      ...o.extra,
    });
  });
}

export function call(c: Partial<CallRecord> & { model: string }): CallRecord {
  return {
    kind: 'call',
    ts: T0,
    run_id: 'run-1',
    phase_id: undefined,
    role: 'builder',
    provider: 'anthropic',
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cost_usd: undefined,
    ...c,
  };
}

export function ci(c: Partial<CiRecord>): CiRecord {
  return {
    kind: 'ci',
    ts: T0,
    run_id: 'run-1',
    tier_id: 'T1',
    ci_profile: 'ci_standard',
    runs: 10,
    failures_caught: 0,
    false_positives: 0,
    tokens_equivalent: 0,
    ...c,
  };
}

export function rollupsOf(records: TelemetryRecord[]): Rollups {
  const r = emptyRollups();
  for (const rec of records) addRecord(r, rec);
  return r;
}

export function statsOf(records: (PhaseRecord | CallRecord | CiRecord)[], days = 28): Stats {
  const r = rollupsOf(records);
  const range = resolveWindow({ days, maxTs: r.max_ts });
  return computeStats(viewOf(r, range), {
    range,
    pricing: { table: BUNDLED_PRICES, aliases: {}, retirements: BUNDLED_RETIREMENTS },
    defaultOutputShare: 0.2,
  });
}

/** An empty state in memory (no directory is ever created). */
export function memoryState(): State {
  return new State(openStateCopy('/nonexistent/tokentune-test'), ':memory:');
}

/** What the stats read, through a real state database: the rollup stored as one unit, read back. */
export function viewOf(r: Rollups, range: { since: number; until: number }) {
  const state = memoryState();
  state.addRollups(state.addUnit('test', 'tokentune-jsonl', 'test', null), r);
  return state.view(range.since, range.until);
}

/** A state in memory holding everything `sources` hold, read at `now` with nothing held back. */
export async function stateOf(sources: { path: string; format: string }[], now: Date): Promise<State> {
  const { catchUp } = await import('../../src/ingest/index.js');
  const state = memoryState();
  state.begin();
  await catchUp(state, sources, { now, quietMinutes: 0, retentionDays: 1000, workers: 1, parallelMinBytes: 1e12, maxFutureMinutes: 60, maxTokens: 1e9 });
  return state;
}
