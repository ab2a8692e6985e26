import { priceOf, responseCost, type Pricing } from '../pricing/index.js';
import type { StoredUsage } from '../store/index.js';

/**
 * `tune report`: usage and cost grouped by day, week, month, session, project, model or agent. A pure
 * function of usage items (one per API response where the source keeps them, one per day, model and
 * role otherwise). The JSON follows the shapes ccusage users' scripts read (camelCase, `daily` with
 * `date`, `totals`).
 */

export const GROUPINGS = ['daily', 'weekly', 'monthly', 'session', 'project', 'model', 'agent', 'category'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** Where a cost comes from: `auto` the source's own figure where it has one, else the price table. */
export type CostMode = 'auto' | 'calculate' | 'display';

/** One item of usage: a response, or responses summed (see State.usage). */
export type UsageItem = StoredUsage;

interface Tokens {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
}

export interface ModelBreakdown extends Omit<Tokens, 'totalTokens'> {
  modelName: string;
  cost: number;
  /** By category: the phases, and their tokens (one total; the four kinds are not known). */
  phases?: number;
  totalTokens?: number;
  /** No price is known for the model: its cost here is 0, not what it cost. */
  unpriced?: true;
}

export type UsageRow = Record<string, string | number | string[] | ModelBreakdown[]> & Tokens & { totalCost: number; modelsUsed: string[]; modelBreakdowns: ModelBreakdown[] };

export interface UsageReport {
  grouping: Grouping;
  rows: UsageRow[];
  totals: Tokens & { totalCost: number };
  /** Models with no price: their cost is 0 here, and they are named. */
  unpriced: string[];
  /** The first day of per-record detail (sessions, projects, agents, models) where retention pruned older days. */
  detailSince?: string;
}

export interface UsageOptions {
  grouping: Grouping;
  timeZone: string;
  mode: CostMode;
  pricing: Pricing;
  /** Local dates, inclusive, YYYY-MM-DD. */
  since?: string;
  until?: string;
  /** The day weeks start on, 0 (Sunday) to 6; Monday (1) by default, as ccusage 20 counts weeks. */
  startOfWeek?: number;
}

/** The JSON key of each grouping's rows, and the field naming a row. */
export const SHAPE: Record<Grouping, { list: string; key: string }> = {
  daily: { list: 'daily', key: 'date' },
  weekly: { list: 'weekly', key: 'week' },
  monthly: { list: 'monthly', key: 'month' },
  session: { list: 'sessions', key: 'sessionId' },
  project: { list: 'projects', key: 'project' },
  model: { list: 'models', key: 'model' },
  agent: { list: 'agents', key: 'agent' },
  category: { list: 'categories', key: 'category' },
};

export function usageReport(items: Iterable<UsageItem>, o: UsageOptions): UsageReport {
  const dateOf = localDate(o.timeZone);
  const unpriced = new Set<string>();
  const groups = new Map<string, { row: UsageRow; models: Map<string, ModelBreakdown>; last: number }>();
  const totals = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0, totalCost: 0 };
  for (const it of items) {
    const date = dateOf(it.ts);
    if ((o.since && date < o.since) || (o.until && date > o.until)) continue;
    const key = keyOf(o.grouping, it, date, o.startOfWeek ?? 1);
    let g = groups.get(key);
    if (!g) {
      g = {
        row: {
          [SHAPE[o.grouping].key]: key,
          inputTokens: 0,
          outputTokens: 0,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          totalTokens: 0,
          totalCost: 0,
          modelsUsed: [],
          modelBreakdowns: [],
        } as UsageRow,
        models: new Map(),
        last: 0,
      };
      if (o.grouping === 'session') g.row['projectPath'] = it.project ?? 'unknown';
      if (o.grouping === 'category') g.row['phases'] = 0;
      groups.set(key, g);
    }
    const cost = it.cost ?? itemCost(it, o.mode, o.pricing, unpriced);
    const r = g.row;
    r.inputTokens += it.input;
    r.outputTokens += it.output;
    r.cacheCreationTokens += it.cache_creation;
    r.cacheReadTokens += it.cache_read;
    const tokens = it.tokens ?? it.input + it.output + it.cache_creation + it.cache_read;
    r.totalTokens += tokens;
    r.totalCost += cost;
    g.last = Math.max(g.last, it.ts);
    let m = g.models.get(it.model);
    if (!m) g.models.set(it.model, (m = { modelName: it.model, inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, cost: 0 }));
    m.inputTokens += it.input;
    m.outputTokens += it.output;
    m.cacheCreationTokens += it.cache_creation;
    m.cacheReadTokens += it.cache_read;
    m.cost += cost;
    if (unpriced.has(it.model) && it.cost === undefined) m.unpriced = true;
    if (o.grouping === 'category') {
      (r['phases'] as number) += it.phases ?? 0;
      m.phases = (m.phases ?? 0) + (it.phases ?? 0);
      m.totalTokens = (m.totalTokens ?? 0) + tokens;
    }
  }
  // Sessions as ccusage lists them: by last activity, the most recent last; everything else by its key.
  const rows = [...groups.entries()]
    .sort(([a, x], [b, y]) => (o.grouping === 'session' && x.last !== y.last ? x.last - y.last : a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => {
      g.row.modelsUsed = [...g.models.keys()].sort();
      g.row.modelBreakdowns = [...g.models.values()].sort((a, b) => b.cost - a.cost || a.modelName.localeCompare(b.modelName));
      if (o.grouping === 'session') g.row['lastActivity'] = dateOf(g.last);
      for (const k of ['inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens', 'totalTokens'] as const) totals[k] += g.row[k];
      totals.totalCost += g.row.totalCost;
      return g.row;
    });
  return { grouping: o.grouping, rows, totals, unpriced: [...unpriced].sort() };
}

/**
 * The JSON document of a report: `{<list>: rows, totals}`. Rows by category carry phases and one
 * total of tokens, since phases do not say which kinds their tokens were.
 */
export function usageJson(r: UsageReport): Record<string, unknown> {
  // A model with no price is named, so that a $0 in the figures is not read as free.
  const unpriced = r.unpriced.length ? { unpricedModels: r.unpriced } : {};
  // ccusage 20 names a day, week or month row's key `period`; earlier versions, and our own first
  // shape, `date`, `week`, `month`: both are given, so scripts written for either read it.
  const key = SHAPE[r.grouping].key;
  const listed = BY_TIME.has(r.grouping) ? r.rows.map((row) => ({ [key]: row[key], period: row[key], ...row })) : r.rows;
  if (r.grouping !== 'category') return { [SHAPE[r.grouping].list]: listed, totals: { ...r.totals, ...unpriced } };
  const rows = r.rows.map((row) => ({
    category: row['category'],
    phases: row['phases'],
    totalTokens: row.totalTokens,
    totalCost: row.totalCost,
    modelsUsed: row.modelsUsed,
    modelBreakdowns: row.modelBreakdowns.map((m) => ({ modelName: m.modelName, phases: m.phases, totalTokens: m.totalTokens, cost: m.cost })),
  }));
  return { categories: rows, totals: { phases: rows.reduce((a, x) => a + (x.phases as number), 0), totalTokens: r.totals.totalTokens, totalCost: r.totals.totalCost, ...unpriced } };
}

const BY_TIME = new Set<Grouping>(['daily', 'weekly', 'monthly']);

function keyOf(g: Grouping, it: UsageItem, date: string, startOfWeek: number): string {
  switch (g) {
    case 'daily':
      return date;
    case 'weekly':
      return weekStart(date, startOfWeek);
    case 'monthly':
      return date.slice(0, 7);
    case 'session':
      return it.session ?? 'unknown';
    case 'project':
      return it.project ?? 'unknown';
    case 'model':
      return it.model;
    case 'agent':
      return it.agent ?? 'unknown';
    case 'category':
      return it.category ?? 'unknown';
  }
}

/** What an item cost in `mode`; a model with no price costs 0 and is added to `unpriced`. */
export function itemCost(it: UsageItem, mode: CostMode, pricing: Pricing, unpriced: Set<string>): number {
  if (mode !== 'calculate' && it.cost_usd !== undefined) return it.cost_usd;
  if (mode === 'display') return 0;
  const price = priceOf(pricing, it.model);
  if (!price) {
    unpriced.add(it.model);
    return 0;
  }
  const t = { input: it.input, output: it.output, cache_creation: it.cache_creation, cache_creation_1h: it.cache_creation_1h, cache_read: it.cache_read };
  if (it.single) return responseCost(price, t);
  // Summed responses: on the side of the long-context threshold their bucket says; a day's rollup of
  // another source cannot say, and is priced below it (the tier is per request).
  return responseCost(price, t, it.long ?? false);
}

/** The calendar date of an instant in a time zone, YYYY-MM-DD; one formatter for all of them. */
export function localDate(timeZone: string): (ts: number) => string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ts) => f.format(ts);
}

/** The first day of the week of a date; weeks start on `startOfWeek` (0 Sunday … 6 Saturday). */
function weekStart(date: string, startOfWeek: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() - startOfWeek + 7) % 7));
  return d.toISOString().slice(0, 10);
}
