import Database from 'better-sqlite3';
import type { CursorAdapter, CursorRow, LineResult } from './api.js';
import { LOCAL_PROVIDERS, type CallRecord, type TaskPhase, type TaskRunRecord, type TelemetryRecord } from './records.js';

/**
 * Myco's run database, read only: one task run per finished row of `agent_runs` (completed or
 * failed), with its phases from `actions_taken` (turns, cap hits, post-condition failures) and
 * `usage_data` (tokens per phase, the run's token kinds), and one call record of the run's usage.
 *
 * A row is updated in place while its run is pending or running, so only finished rows are read; the
 * cursor is the last one read by (completed_at, id), with the number of finished rows at or before
 * it. When that number changes (a run finished with an earlier completed_at, a row was deleted), the
 * database is read again from the start. Dry runs are left out: their writes never happened.
 */

const COLUMNS = [
  'id',
  'task',
  'status',
  'provider',
  'model',
  'started_at',
  'completed_at',
  'tokens_used',
  'cost_usd',
  'actual_cost_usd',
  'estimated_cost_usd',
  'cost_source',
  'usage_data',
  'actions_taken',
  'dry_run',
] as const;

export interface MycoCursor {
  completed_at: number;
  id: string;
  /** Finished rows at or before the cursor when it was set. */
  runs: number;
}

const FINISHED = "status IN ('completed', 'failed') AND completed_at IS NOT NULL AND coalesce(dry_run, 0) = 0";

/** Read where a database has it: the phases a run saved for resuming, when the other columns lack them. */
const OPTIONAL = ['checkpoints'] as const;

function open(path: string): { db: Database.Database; columns: string } {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const have = new Set((db.prepare("SELECT name FROM pragma_table_info('agent_runs')").pluck().all() as string[]).map((c) => c.toLowerCase()));
    if (!have.size) throw new Error('no table agent_runs');
    const missing = COLUMNS.find((c) => !have.has(c));
    if (missing) throw new Error(`table agent_runs has no column ${missing}`);
    return { db, columns: [...COLUMNS, ...OPTIONAL.filter((c) => have.has(c))].join(', ') };
  } catch (e) {
    db.close();
    throw e;
  }
}

const isCursor = (c: unknown): c is MycoCursor =>
  !!c && typeof c === 'object' && typeof (c as MycoCursor).completed_at === 'number' && typeof (c as MycoCursor).id === 'string' && typeof (c as MycoCursor).runs === 'number';

function finishedUpTo(db: Database.Database, c: MycoCursor): number {
  return db.prepare(`SELECT count(*) FROM agent_runs WHERE ${FINISHED} AND (completed_at < ? OR (completed_at = ? AND id <= ?))`).pluck().get(c.completed_at, c.completed_at, c.id) as number;
}

type Row = Record<(typeof COLUMNS)[number], unknown> & Partial<Record<(typeof OPTIONAL)[number], unknown>>;

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function json(text: unknown, column: string): unknown {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    return JSON.parse(String(text));
  } catch (e) {
    throw new Error(`${column}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * The phases of a run: their order and tokens from usage_data, their flags from actions_taken, and
 * from the checkpoints a run saved where neither lists them.
 */
function phasesOf(usage: Record<string, unknown> | undefined, actions: Record<string, unknown> | undefined, checkpoints: Record<string, unknown> | undefined): TaskPhase[] {
  const flagged = new Map<string, Record<string, unknown>>();
  for (const p of Array.isArray(actions?.phases) ? actions.phases : []) {
    const o = obj(p);
    if (o && typeof o.name === 'string') flagged.set(o.name, o);
  }
  const saved = new Map(Object.entries(obj(checkpoints?.phases) ?? {}).flatMap(([name, v]) => (obj(v) ? [[name, obj(v)!] as const] : [])));
  const listed = (Array.isArray(usage?.phases) ? usage.phases : []).map(obj).filter((o): o is Record<string, unknown> => !!o && typeof o.name === 'string');
  const names = listed.length ? listed.map((o) => o.name as string) : flagged.size ? [...flagged.keys()] : [...saved.keys()];
  return names.map((name) => {
    const u = listed.find((o) => o.name === name) ?? {};
    const a = flagged.get(name) ?? saved.get(name) ?? {};
    const turns = num(u.turnsUsed) ?? num(a.turnsUsed) ?? num(a.observedTurns);
    const tokens = num(u.tokensUsed) ?? num(a.tokensUsed) ?? 0;
    if ((turns !== undefined && turns < 0) || tokens < 0) throw new Error(`phase ${name}: negative turns or tokens`);
    return {
      name,
      turns,
      tokens,
      cap_hit: a.capHit === true,
      allowed_turns: num(a.allowedTurns),
      failed: a.status === 'failed' || a.postConditionFailed === true,
      idle: a.status === 'skipped' || turns === 0,
    };
  });
}

/** USD of a run as Myco resolved it: the actual cost where it had one, else its estimate. */
function costOf(r: Row, local: boolean): number | undefined {
  if (local) return 0;
  const source = r.cost_source;
  const v =
    source === 'actual'
      ? (num(r.actual_cost_usd) ?? num(r.cost_usd))
      : source === 'estimated'
        ? (num(r.estimated_cost_usd) ?? num(r.cost_usd))
        : source === 'unavailable'
          ? undefined
          : num(r.cost_usd);
  if (v !== undefined && v < 0) throw new Error(`cost ${v} is negative`);
  return v;
}

export function parseMycoRun(r: Row): LineResult {
  const parsed = parseRow(r);
  return 'error' in parsed ? { error: `run ${String(r.id)}${typeof r.task === 'string' ? ` (${r.task})` : ''}: ${parsed.error}` } : parsed;
}

function parseRow(r: Row): LineResult {
  try {
    const id = String(r.id);
    if (typeof r.task !== 'string' || !r.task) return { error: 'no task' };
    if (typeof r.model !== 'string' || !r.model) return { error: 'no model' };
    const started = num(r.started_at);
    const completed = num(r.completed_at);
    if (started === undefined || completed === undefined) return { error: 'started_at or completed_at is not epoch seconds' };
    const usage = obj(json(r.usage_data, 'usage_data'));
    const actions = obj(json(r.actions_taken, 'actions_taken'));
    const phases = phasesOf(usage, actions, obj(json(r.checkpoints, 'checkpoints')));
    const run = obj(usage?.run);
    const tokens = num(r.tokens_used) ?? num(run?.totalTokens) ?? 0;
    if (tokens < 0) return { error: `tokens_used ${tokens} is negative` };
    const provider = typeof r.provider === 'string' ? r.provider : undefined;
    const local = provider !== undefined && LOCAL_PROVIDERS.has(provider);
    const cost = costOf(r, local);
    const ts = Math.round(completed * 1000);
    const idleAfterFirst = phases.length > 1 && phases.slice(1).every((p) => p.idle);
    const task: TaskRunRecord = {
      kind: 'task_run',
      ts,
      started_ts: Math.round(started * 1000),
      run_id: id,
      task: r.task,
      provider,
      model: r.model,
      outcome: r.status === 'completed' ? 'success' : 'failed',
      tokens,
      cost_usd: cost,
      local,
      noop: tokens === 0 || idleAfterFirst || (phases.length > 0 && phases.every((p) => p.idle)),
      phases,
    };
    const records: TelemetryRecord[] = [task];
    if (tokens > 0) {
      // Input counts include cached input, as the runtimes report it; the rest of a total is output.
      const cached = num(run?.cachedTokens) ?? 0;
      const input = num(run?.inputTokens) ?? tokens;
      const output = num(run?.outputTokens) ?? Math.max(0, tokens - input);
      const call: CallRecord = {
        kind: 'call',
        ts,
        run_id: id,
        phase_id: undefined,
        role: r.task,
        provider,
        model: r.model,
        input_tokens: Math.max(0, input - cached),
        output_tokens: output,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: Math.min(cached, input),
        cost_usd: cost,
        agent: r.task,
        duration_ms: num(run?.durationMs),
      };
      records.push(call);
    }
    return { records };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export const mycoDb: CursorAdapter = {
  format: 'myco-db',
  description: "Myco's run database: finished rows of agent_runs, with their phases' turns and cap hits (*.db, *.sqlite)",
  shape: 'cursor',
  tables: ['agent_runs'],
  extensions: ['.db', '.sqlite'],
  companions: ['-wal'],
  dedupeKey: (r) => `myco:${r.kind}:${'run_id' in r ? r.run_id : ''}`,
  resumable(path, cursor) {
    if (!isCursor(cursor)) return false;
    const { db } = open(path);
    try {
      return finishedUpTo(db, cursor) === cursor.runs;
    } finally {
      db.close();
    }
  },
  *rows(path, cursor): Iterable<CursorRow> {
    const { db, columns } = open(path);
    try {
      const from = isCursor(cursor) ? cursor : { completed_at: -Infinity, id: '', runs: 0 };
      let runs = from.runs;
      // One read transaction: rows finishing meanwhile wait for the next run.
      const rows = db
        .prepare(`SELECT ${columns} FROM agent_runs WHERE ${FINISHED} AND (completed_at > ? OR (completed_at = ? AND id > ?)) ORDER BY completed_at, id`)
        .iterate(from.completed_at, from.completed_at, from.id) as Iterable<Row>;
      let position = 0;
      for (const r of rows) {
        runs++;
        position++;
        const c: MycoCursor = { completed_at: Number(r.completed_at), id: String(r.id), runs };
        yield { cursor: c, position, parsed: parseMycoRun(r) };
      }
    } finally {
      db.close();
    }
  },
};
