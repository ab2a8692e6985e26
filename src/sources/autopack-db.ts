import type { CursorAdapter, CursorOptions, CursorRow, LineResult } from './api.js';
import { openPostgres, openSqlite, withColumns, type Conn } from './sql.js';
import { COMPLEXITIES, type CallRecord, type Complexity, type Outcome, type PhaseRecord, type TelemetryRecord } from './records.js';

/**
 * Autopack's own database, read only: the phases of finished runs (`phases`, their tier from
 * `tiers`, their outcome from `phase_outcome_events`) and the runs' LLM calls (`llm_usage_events`).
 *
 * Autopack updates a run's rows in place while it runs (a phase goes QUEUED → EXECUTING → COMPLETE or
 * FAILED, its tokens grow), so rows are not read as they are inserted: a run is read whole once it is
 * finished (state DONE_…), and the cursor is the last finished run read, by (completed_at, id). It also
 * holds how many finished runs lie at or before it and their latest `updated_at`: when either no longer
 * matches (a run finished with an earlier completed_at than the cursor's, a finished run was changed or
 * deleted), the database is read again from the start and replaces what it gave before.
 *
 * Runs are read a batch at a time, each query on its own: memory stays flat however many rows there
 * are, and no read transaction is held open across batches (finished runs no longer change).
 */

/** Runs whose rows are read at once. */
const BATCH = 200;
/**
 * Finished runs listed at once, in cursor order. Autopack has no index on `completed_at`, so every
 * listing sorts the finished runs: one listing per few batches keeps a full read from sorting them
 * once per batch.
 */
const LISTING = 20_000;

/** The columns read, by table: a database without one of them is an error naming it. */
export const AUTOPACK_COLUMNS: Record<string, readonly string[]> = {
  runs: ['id', 'state', 'completed_at', 'updated_at'],
  tiers: ['id', 'tier_id'],
  phases: [
    'id',
    'run_id',
    'phase_id',
    'tier_id',
    'state',
    'task_category',
    'complexity',
    'incident_token_cap',
    'builder_attempts',
    'auditor_attempts',
    'tokens_used',
    'retry_attempt',
    'last_failure_reason',
    'completed_at',
  ],
  phase_outcome_events: ['id', 'run_id', 'phase_id', 'phase_outcome', 'stop_reason', 'duration_seconds', 'model_used', 'timestamp'],
  llm_usage_events: ['id', 'provider', 'model', 'run_id', 'phase_id', 'role', 'total_tokens', 'prompt_tokens', 'completion_tokens', 'created_at'],
};

/** Where reading stands: the last finished run read, and what vouches for the runs before it. */
export interface AutopackCursor {
  completed_at: string;
  id: string;
  /** Finished runs at or before the cursor, and the latest updated_at among them, when it was set. */
  runs: number;
  updated_at: string;
}

const FINISHED = "state LIKE 'DONE%' AND completed_at IS NOT NULL";
const OUTCOMES: Record<string, Outcome> = { SUCCESS: 'success', FAILED: 'failed', TIMEOUT: 'timeout', STUCK: 'stuck' };

async function open(path: string, o: CursorOptions): Promise<Conn> {
  const conn = /^postgres(?:ql)?:\/\//.test(path) ? await openPostgres(path, o) : openSqlite(path);
  return withColumns(conn, AUTOPACK_COLUMNS);
}

function isCursor(c: unknown): c is AutopackCursor {
  return typeof c === 'object' && c !== null && typeof (c as AutopackCursor).completed_at === 'string' && typeof (c as AutopackCursor).id === 'string';
}

/** A timestamp as SQLAlchemy stores it (naive UTC text), with a zone, or epoch seconds. */
export function timeOf(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v * 1000;
  if (typeof v !== 'string') return NaN;
  // Postgres writes a whole-hour zone as `+00`.
  const iso = v
    .trim()
    .replace(' ', 'T')
    .replace(/(T[\d:.]+[+-]\d{2})$/, '$1:00');
  return Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`);
}

interface PhaseRow {
  id: number;
  run_id: string;
  phase_id: string;
  tier: string | null;
  state: string;
  task_category: string | null;
  complexity: string | null;
  incident_token_cap: number | null;
  builder_attempts: number | null;
  auditor_attempts: number | null;
  tokens_used: number | null;
  retry_attempt: number | null;
  last_failure_reason: string | null;
  completed_at: unknown;
  /** The model that used the most of the phase's builder (auditor) tokens, chosen by the server. */
  builder_model: string | null;
  auditor_model: string | null;
}
interface ModelRow {
  run_id: string;
  phase_id: string;
  role: string;
  model: string;
}
interface OutcomeRow {
  run_id: string;
  phase_id: string;
  phase_outcome: string;
  stop_reason: string | null;
  duration_seconds: number | null;
  model_used: string | null;
  timestamp: unknown;
}
/** A run's calls of one role and model on one day, summed by the server. */
interface UsageRow {
  /** The group's first and last event ids, to say where a bad group lies. */
  first_id: number;
  last_id: number;
  provider: string;
  model: string;
  run_id: string;
  role: string;
  calls: number;
  total_tokens: number;
  output_tokens: number;
  created_at: unknown;
}
interface RunRow {
  id: string;
  completed_at: string;
  updated_at: string;
}

/** The records of one finished run, one result per phase and per group of calls (a bad row is skipped alone). */
export function runRecords(
  run: { id: string; completed_at: unknown },
  phases: readonly PhaseRow[],
  outcomes: readonly OutcomeRow[],
  usage: readonly UsageRow[],
): { position: number; parsed: LineResult }[] {
  const lastOutcome = new Map<string, OutcomeRow>();
  for (const o of outcomes) lastOutcome.set(o.phase_id, o);
  const runEnd = timeOf(run.completed_at);
  const out: { position: number; parsed: LineResult }[] = [];
  for (const p of phases) {
    const where = `phases row ${p.id} (run ${run.id}, phase ${p.phase_id})`;
    const o = lastOutcome.get(p.phase_id);
    const outcome = o ? OUTCOMES[o.phase_outcome.toUpperCase()] : p.state === 'COMPLETE' ? 'success' : 'failed';
    const ts = o ? timeOf(o.timestamp) : Number.isFinite(timeOf(p.completed_at)) ? timeOf(p.completed_at) : runEnd;
    const error = !p.task_category
      ? 'task_category: empty'
      : !COMPLEXITIES.includes(p.complexity as Complexity)
        ? `complexity: expected low, medium or high, found ${JSON.stringify(p.complexity)}`
        : !outcome
          ? `phase_outcome: expected SUCCESS, FAILED, TIMEOUT or STUCK, found ${JSON.stringify(o?.phase_outcome)}`
          : !Number.isFinite(ts)
            ? 'timestamp: not a time'
            : undefined;
    if (error) {
      out.push({ position: p.id, parsed: { error: `${where}: ${error}` } });
      continue;
    }
    const record: PhaseRecord = {
      kind: 'phase',
      ts,
      run_id: run.id,
      tier_id: p.tier ?? 'unknown',
      phase_id: p.phase_id,
      category: p.task_category!,
      complexity: p.complexity as Complexity,
      builder_model: o?.model_used ?? p.builder_model ?? 'unknown',
      auditor_model: p.auditor_model ?? undefined,
      tokens_used: p.tokens_used ?? 0,
      incident_token_cap: p.incident_token_cap ?? 0,
      outcome: outcome!,
      builder_attempts: p.builder_attempts ?? 0,
      auditor_attempts: p.auditor_attempts ?? 0,
      retries: p.retry_attempt ?? 0,
      truncated: (o?.stop_reason ?? p.last_failure_reason) === 'max_tokens',
      duration_ms: o?.duration_seconds != null ? Math.round(o.duration_seconds * 1000) : undefined,
    };
    out.push({ position: p.id, parsed: { records: [record] } });
  }
  for (const u of usage) {
    const ts = timeOf(u.created_at);
    if (!Number.isFinite(ts)) {
      const rows = u.first_id === u.last_id ? `row ${u.first_id}` : `rows ${u.first_id}…${u.last_id} (${u.calls} of them)`;
      out.push({ position: u.last_id, parsed: { error: `llm_usage_events ${rows} (run ${run.id}, ${u.role}, ${u.model}): created_at: not a time` } });
      continue;
    }
    const output = Number(u.output_tokens);
    const record: CallRecord = {
      kind: 'call',
      ts,
      run_id: run.id,
      phase_id: undefined,
      role: u.role.startsWith('agent:') ? u.role.slice('agent:'.length) : u.role,
      provider: u.provider,
      model: u.model,
      input_tokens: Number(u.total_tokens) - output,
      output_tokens: output,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cost_usd: undefined,
      calls: Number(u.calls),
    };
    out.push({ position: u.last_id, parsed: { records: [record] } });
  }
  return out;
}

export const autopackDb: CursorAdapter = {
  format: 'autopack-db',
  description: "Autopack's database (url: sqlite:///autopack.db or postgres://user@host/db): phases of finished runs and their LLM calls",
  shape: 'cursor',
  tables: Object.keys(AUTOPACK_COLUMNS),
  extensions: ['.db', '.sqlite'],
  companions: ['-wal'],
  dedupeKey: (r: TelemetryRecord) =>
    r.kind === 'phase'
      ? `ap:phase:${r.run_id}:${r.phase_id}`
      : r.kind === 'call'
        ? `ap:call:${r.run_id}:${r.ts}:${r.role}:${r.provider ?? ''}:${r.model}:${r.calls ?? 1}:${r.input_tokens}:${r.output_tokens}`
        : `ap:ci:${r.run_id}:${r.ts}`,
  async resumable(path, cursor, o) {
    if (!isCursor(cursor)) return false;
    const db = await open(path, o);
    try {
      const [at] = await db.all<{ runs: number | string; updated_at: unknown }>(
        `SELECT count(*) AS runs, max(updated_at) AS updated_at FROM runs WHERE ${FINISHED} AND (completed_at < ? OR (completed_at = ? AND id <= ?))`,
        [cursor.completed_at, cursor.completed_at, cursor.id],
      );
      return Number(at!.runs) === cursor.runs && String(at!.updated_at) === cursor.updated_at;
    } finally {
      await db.close();
    }
  },
  async *rows(path, from, o): AsyncIterable<CursorRow> {
    const db = await open(path, o);
    try {
      const nextRuns = `SELECT id, completed_at, updated_at FROM runs WHERE ${FINISHED} AND (completed_at > ? OR (completed_at = ? AND id > ?)) ORDER BY completed_at, id LIMIT ${LISTING}`;
      const phases = `SELECT p.id, p.run_id, p.phase_id, t.tier_id AS tier, p.state, p.task_category, p.complexity, p.incident_token_cap, p.builder_attempts,
        p.auditor_attempts, p.tokens_used, p.retry_attempt, p.last_failure_reason, p.completed_at
        FROM phases p LEFT JOIN tiers t ON t.id = p.tier_id WHERE p.run_id ${db.inList} AND p.state IN ('COMPLETE', 'FAILED') ORDER BY p.id`;
      // The model of each role in a phase is the one that used the most of its tokens (the first
      // used, on a tie), chosen by the server: the calls themselves never leave it. A query of its own,
      // not a join into the phases': a planner that cannot size the ranking would scan the tiers each time.
      const models = `SELECT run_id, phase_id, role, model FROM (
          SELECT run_id, phase_id, role, model, ROW_NUMBER() OVER (PARTITION BY run_id, phase_id, role ORDER BY sum(total_tokens) DESC, min(id)) AS k
          FROM llm_usage_events WHERE run_id ${db.inList} AND phase_id IS NOT NULL AND role IN ('builder', 'auditor')
          GROUP BY run_id, phase_id, role, model) ranked
        WHERE k = 1`;
      const outcomes = `SELECT run_id, phase_id, phase_outcome, stop_reason, duration_seconds, model_used, timestamp FROM phase_outcome_events WHERE run_id ${db.inList} ORDER BY id`;
      // A run's calls summed by role, model and day: what the state keeps of them. A call with the
      // total only (no prompt/completion split) counts as input: the split is not known.
      const usage = `SELECT min(id) AS first_id, max(id) AS last_id, provider, model, run_id, role, count(*) AS calls, sum(total_tokens) AS total_tokens,
          sum(COALESCE(completion_tokens, total_tokens - prompt_tokens, 0)) AS output_tokens, max(created_at) AS created_at
        FROM llm_usage_events WHERE run_id ${db.inList}
        GROUP BY run_id, role, provider, model, ${db.day('created_at')} ORDER BY max(id)`;
      let cursor: AutopackCursor = isCursor(from) ? from : { completed_at: '', id: '', runs: 0, updated_at: '' };
      let listed: RunRow[] = [];
      for (;;) {
        if (!listed.length) {
          // The first listing has no cursor time to compare with: every finished run comes after it.
          const since = cursor.completed_at || '0001-01-01 00:00:00';
          listed = await db.all<RunRow>(nextRuns, [since, since, cursor.id]);
          if (!listed.length) return;
        }
        const runs = listed.splice(0, BATCH);
        const list = db.list(runs.map((r) => r.id));
        const byRun = <T extends { run_id: string }>(rows: T[]) => {
          const m = new Map<string, T[]>();
          for (const r of rows) (m.get(r.run_id) ?? m.set(r.run_id, []).get(r.run_id)!).push(r);
          return m;
        };
        const chosen = new Map<string, string>();
        for (const m of await db.all<ModelRow>(models, [list])) chosen.set(`${m.run_id}\u0000${m.phase_id}\u0000${m.role}`, m.model);
        const p = byRun(
          (await db.all<PhaseRow>(phases, [list])).map((r) => ({
            ...r,
            builder_model: chosen.get(`${r.run_id}\u0000${r.phase_id}\u0000builder`) ?? null,
            auditor_model: chosen.get(`${r.run_id}\u0000${r.phase_id}\u0000auditor`) ?? null,
          })),
        );
        const oc = byRun(await db.all<OutcomeRow>(outcomes, [list]));
        const u = byRun(await db.all<UsageRow>(usage, [list]));

        for (const run of runs) {
          const before = cursor;
          cursor = { completed_at: String(run.completed_at), id: run.id, runs: cursor.runs + 1, updated_at: String(run.updated_at) > cursor.updated_at ? String(run.updated_at) : cursor.updated_at };
          const results = runRecords(run, p.get(run.id) ?? [], oc.get(run.id) ?? [], u.get(run.id) ?? []);
          // Every row but the run's last leaves the cursor before the run: a read stopped inside a
          // run reads it again whole.
          if (!results.length) yield { cursor, position: 0, parsed: { records: [] } };
          for (let i = 0; i < results.length; i++) yield { cursor: i === results.length - 1 ? cursor : before, ...results[i]! };
        }
      }
    } finally {
      await db.close();
    }
  },
};
