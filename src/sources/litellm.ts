import type { CursorAdapter, CursorOptions, CursorRow } from './api.js';
import type { CallRecord, TelemetryRecord } from './records.js';
import { openPostgres, withColumns, type Conn } from './sql.js';

/**
 * LiteLLM's proxy database (Postgres, `url: postgres://…`, its `DATABASE_URL`). The server sums, never
 * the tuner: its daily rollup tables are asked for one row per day, model and category, which is all
 * the state keeps. `LiteLLM_DailyUserSpend` holds each request once (its user's row): the day's
 * spend by model. `LiteLLM_DailyTagSpend` holds it again under each of its tags: a tag `category:<name>`
 * names the request's category, and what no such tag covers stays `uncategorised`. LiteLLM counts
 * cached input inside `prompt_tokens` (OpenAI's way); it is taken out here, as Anthropic bills it apart.
 *
 * A day is read once it is over; the days still open (`LAG_DAYS`, where late rows land) are read on
 * every run, and the cursor keeps their sums: when those moved, the database is read again from the
 * start (one aggregate query: it replaces what it gave before).
 */

const USERS = 'LiteLLM_DailyUserSpend';
const TAGS = 'LiteLLM_DailyTagSpend';
/** The tag prefix that names a request's category, unless the source sets its own (`category_tag`). */
const CATEGORY_TAG = 'category:';
/** Days before today whose rows may still change (the open day, and late writes of the day before). */
const LAG_DAYS = 1;

/** The columns read, by table (lower case): a database without one is an error naming it. */
export const LITELLM_COLUMNS: Record<string, readonly string[]> = {
  [USERS.toLowerCase()]: ['date', 'model', 'prompt_tokens', 'completion_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'spend', 'api_requests'],
  [TAGS.toLowerCase()]: ['tag', 'date', 'model', 'prompt_tokens', 'completion_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'spend', 'api_requests'],
};

/** Where reading stands: the last day read, the sums of the days still open then, and the category tag read by. */
interface LiteLlmCursor {
  day: string;
  open: Record<string, string>;
  tag?: string;
}
const isCursor = (c: unknown): c is LiteLlmCursor => !!c && typeof c === 'object' && typeof (c as LiteLlmCursor).day === 'string' && typeof (c as LiteLlmCursor).open === 'object';

async function open(url: string, o: CursorOptions): Promise<Conn> {
  if (!/^postgres(?:ql)?:\/\//.test(url)) throw new Error("LiteLLM keeps its data in Postgres: give the proxy's DATABASE_URL (postgres://user@host/db)");
  return withColumns(await openPostgres(url, o), LITELLM_COLUMNS, (t) => `no table ${t}: LiteLLM's daily rollups (a proxy of mid-2025 or later) are what is read`);
}

const today = (): string => new Date().toISOString().slice(0, 10);
const openFrom = (): string => new Date(Date.now() - LAG_DAYS * 86_400_000).toISOString().slice(0, 10);

/** Each day's sums from `from` on, as the cursor keeps those of the days still open. */
async function daySums(db: Conn, from: string): Promise<Record<string, string>> {
  const rows = await db.all<{ date: string; spend: number; n: number }>(`SELECT date, sum(spend) AS spend, sum(api_requests) AS n FROM "${USERS}" WHERE date >= ? GROUP BY date`, [from]);
  return Object.fromEntries(rows.map((r) => [r.date, `${Number(r.spend).toFixed(9)}|${r.n}`]));
}

interface Sums {
  date: string;
  model: string;
  category: string | null;
  prompt: number;
  completion: number;
  cache_read: number;
  cache_creation: number;
  spend: number;
  requests: number;
}

const SUMS = `sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion, sum(cache_read_input_tokens) AS cache_read,
  sum(cache_creation_input_tokens) AS cache_creation, sum(spend) AS spend, sum(api_requests) AS requests`;

/** One call record of a day, model and category: the sums of its requests. */
function record(s: Sums): CallRecord {
  const read = Number(s.cache_read);
  const write = Number(s.cache_creation);
  return {
    kind: 'call',
    // Noon of its day, as daily rollups are stamped; the open day's an hour before now at the latest,
    // and never before its own start: neither in the future nor among the newest records ingest holds back.
    ts: Math.max(Date.parse(`${s.date}T00:00:00Z`), Math.min(Date.parse(`${s.date}T12:00:00Z`), Date.now() - 3_600_000)),
    run_id: undefined,
    phase_id: undefined,
    role: s.category ?? 'uncategorised',
    provider: undefined,
    model: s.model,
    input_tokens: Math.max(0, Number(s.prompt) - read - write),
    output_tokens: Number(s.completion),
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cost_usd: Number(s.spend),
    calls: Number(s.requests),
  };
}

export const litellm: CursorAdapter = {
  format: 'litellm',
  description: "LiteLLM's proxy database (url: postgres://…): its daily spend rollups by model and category tag, summed by the server",
  shape: 'cursor',
  tables: Object.keys(LITELLM_COLUMNS),
  extensions: [],
  dedupeKey: (r: TelemetryRecord) => `ll:${Math.floor(r.ts / 86_400_000)}:${(r as CallRecord).model}:${(r as CallRecord).role}`,
  async resumable(path, cursor, o) {
    // Categories read by another tag prefix: read again from the start, by this one.
    if (!isCursor(cursor) || (cursor.tag ?? CATEGORY_TAG) !== (o.categoryTag ?? CATEGORY_TAG)) return false;
    const db = await open(path, o);
    try {
      // Days that were open when last read, as they are now: a change reads everything again.
      const seen = await daySums(db, Object.keys(cursor.open).sort()[0] ?? cursor.day);
      return Object.entries(cursor.open).every(([d, v]) => seen[d] === v) && Object.keys(seen).every((d) => d > cursor.day || d in cursor.open);
    } finally {
      await db.close();
    }
  },
  async *rows(path, from, o): AsyncIterable<CursorRow> {
    const db = await open(path, o);
    try {
      const prefix = o.categoryTag ?? CATEGORY_TAG;
      const after = isCursor(from) && (from.tag ?? CATEGORY_TAG) === prefix ? from.day : '';
      const totals = await db.all<Sums>(`SELECT date, model, NULL AS category, ${SUMS} FROM "${USERS}" WHERE date > ? AND date <= ? GROUP BY date, model ORDER BY date, model`, [after, today()]);
      const tagged = await db.all<Sums>(
        `SELECT date, model, substr(tag, ?) AS category, ${SUMS} FROM "${TAGS}"
          WHERE substr(tag, 1, ?) = ? AND length(tag) > ? AND date > ? AND date <= ? GROUP BY date, model, tag ORDER BY date, model, tag`,
        [prefix.length + 1, prefix.length, prefix, prefix.length, after, today()],
      );
      const open = await daySums(db, openFrom());
      const cursor: LiteLlmCursor = { day: after, open, tag: prefix };
      // What the category rows leave of a day and model's total is its uncategorised part.
      const rest = new Map(totals.map((t) => [`${t.date}\u0000${t.model}`, { ...t }]));
      for (const t of tagged) {
        const r = rest.get(`${t.date}\u0000${t.model}`);
        if (!r) continue;
        for (const k of ['prompt', 'completion', 'cache_read', 'cache_creation', 'spend', 'requests'] as const) r[k] = Number(r[k]) - Number(t[k]);
      }
      // Day by day: the cursor moves past a day with its last row, so a read stopped within a day
      // reads that day again (its rows already counted are known by their keys).
      const all = [...tagged, ...[...rest.values()].filter((r) => Number(r.requests) > 0 || Number(r.spend) > 1e-9)].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      let done = after;
      let position = 0;
      for (const [i, s] of all.entries()) {
        const lastOfDay = all[i + 1]?.date !== s.date;
        yield { cursor: lastOfDay ? { ...cursor, day: s.date } : { ...cursor, day: done }, position: ++position, parsed: { records: [record(s)] } };
        if (lastOfDay) done = s.date;
      }
    } finally {
      await db.close();
    }
  },
};
