import * as z from 'zod';
import { ModelPrice, type PriceTable } from './schema.js';
import type { Retirement } from './retirements.js';

/** Where `tune models update` reads prices and deprecation dates unless told otherwise. */
export const LITELLM_TABLE_URL = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';

/** The providers whose models the tuned systems run; the rest of LiteLLM's table is left out. */
const PROVIDERS = new Set(['anthropic', 'openai']);

/** A snapshot of LiteLLM's table as the state keeps it: what `tune models update` fetched, and when. */
export const LifecycleSnapshot = z.object({
  source: z.string(),
  fetched_at: z.string(),
  prices: z.record(z.string(), ModelPrice),
  retirements: z.record(z.string(), z.object({ retires: z.string(), successor: z.string(), deprecated: z.string().optional(), source: z.string().optional(), checked: z.string().optional() })),
  /** Deprecated models no successor could be found for: named in the update's output. */
  unmatched: z.array(z.string()),
});
export type LifecycleSnapshot = z.infer<typeof LifecycleSnapshot>;

const Entry = z.looseObject({ litellm_provider: z.string().optional(), mode: z.string().optional(), deprecation_date: z.string().optional() });
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Prices and deprecation dates from LiteLLM's model_prices_and_context_window.json. A deprecated
 * model's successor is the one `named` gives (the config's models.retirements), else the newest model
 * of its tier (haiku, sonnet, opus…) with no deprecation date. Entries that are not chat models of a
 * known provider, or whose prices do not read, are left out.
 */
export function parseLiteLlmTable(json: unknown, source: string, fetchedAt: Date, named: Readonly<Record<string, { successor: string }>> = {}): LifecycleSnapshot {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${source}: not a JSON object of models`);
  const prices: PriceTable = {};
  const deprecated = new Map<string, string>();
  for (const [id, raw] of Object.entries(json as Record<string, unknown>)) {
    const e = Entry.safeParse(raw);
    if (!e.success || !PROVIDERS.has(e.data.litellm_provider ?? '') || (e.data.mode !== undefined && e.data.mode !== 'chat')) continue;
    // Provider-prefixed duplicates ("anthropic/claude-…") resolve to the plain id anyway.
    if (id.includes('/')) continue;
    const price = ModelPrice.safeParse(pick(raw as Record<string, unknown>));
    if (!price.success) continue;
    prices[id] = price.data;
    if (e.data.deprecation_date && ISO_DAY.test(e.data.deprecation_date)) deprecated.set(id, e.data.deprecation_date);
  }
  const retirements: Record<string, Retirement> = {};
  const unmatched: string[] = [];
  for (const [id, retires] of deprecated) {
    const successor = named[id]?.successor ?? newestOfTier(id, Object.keys(prices), deprecated);
    if (!successor) unmatched.push(id);
    else retirements[id] = { retires, successor, source, checked: fetchedAt.toISOString().slice(0, 10) };
  }
  return { source, fetched_at: fetchedAt.toISOString(), prices, retirements, unmatched: unmatched.sort() };
}

const FIELDS = Object.keys(ModelPrice.shape) as (keyof typeof ModelPrice.shape)[];

function pick(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (raw[f] !== undefined) out[f] = raw[f];
  return out;
}

/** A Claude model's tier and version: `claude-sonnet-4-5-20250929` → sonnet, [4, 5]; `claude-3-5-haiku` → haiku, [3, 5]. */
export function tierOf(id: string): { tier: string; version: number[] } | undefined {
  const plain = id.replace(/-(\d{8})$/, '');
  const m = /^claude-(haiku|sonnet|opus|fable|mythos)-(\d+)(?:-(\d+))?$/.exec(plain) ?? /^claude-(\d+)(?:-(\d+))?-(haiku|sonnet|opus)$/.exec(plain);
  if (!m) return undefined;
  if (/^\d/.test(m[1]!)) return { tier: m[3]!, version: [Number(m[1]), Number(m[2] ?? 0)] };
  return { tier: m[1]!, version: [Number(m[2]), Number(m[3] ?? 0)] };
}

function newestOfTier(id: string, ids: readonly string[], deprecated: ReadonlyMap<string, string>): string | undefined {
  const own = tierOf(id);
  if (!own) return undefined;
  let best: { id: string; version: number[] } | undefined;
  for (const other of ids) {
    // Dated snapshots resolve to their undated id; the undated one is the successor to name.
    if (deprecated.has(other) || /-\d{8}$/.test(other)) continue;
    const t = tierOf(other);
    if (!t || t.tier !== own.tier || compare(t.version, own.version) <= 0) continue;
    if (!best || compare(t.version, best.version) > 0) best = { id: other, version: t.version };
  }
  return best?.id;
}

const compare = (a: number[], b: number[]): number => a[0]! - b[0]! || a[1]! - b[1]!;
