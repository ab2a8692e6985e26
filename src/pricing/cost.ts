import type { ModelPrice, PriceTable } from './schema.js';

/** Token counts of one call or of many added up. */
export interface TokenMix {
  input: number;
  output: number;
  cache_creation: number;
  cache_read: number;
}

export interface Pricing {
  table: PriceTable;
  aliases: Record<string, string>;
  /** Model id → when it retires and its successor (retirements.ts). */
  retirements: Record<string, { retires: string; successor: string; deprecated?: string; source?: string; checked?: string }>;
}

const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;
const PROVIDER_PREFIX = /^[a-z0-9_-]+\//;

/**
 * Finds a model's price the way telemetry names models in practice: exact id, a configured alias
 * ("sonnet"), a provider prefix ("anthropic/claude-…"), a dated snapshot ("…-20250929"), or dots for
 * dashes in the version ("claude-opus-4.5"). Unknown models return undefined: they are reported as
 * unpriced, never costed at zero.
 */
export function resolveModel(pricing: Pricing, model: string): string | undefined {
  const seen = new Set<string>();
  const queue = [model];
  while (queue.length) {
    const m = queue.shift()!;
    if (seen.has(m)) continue;
    seen.add(m);
    if (pricing.table[m]) return m;
    const alias = pricing.aliases[m];
    if (alias) queue.push(alias);
    if (PROVIDER_PREFIX.test(m)) queue.push(m.replace(PROVIDER_PREFIX, ''));
    if (DATE_SUFFIX.test(m)) queue.push(m.replace(DATE_SUFFIX, ''));
    if (/\d\.\d/.test(m)) queue.push(m.replace(/(\d)\.(\d)/g, '$1-$2'));
  }
  return undefined;
}

export function priceOf(pricing: Pricing, model: string): ModelPrice | undefined {
  const id = resolveModel(pricing, model);
  return id === undefined ? undefined : pricing.table[id];
}

export function costOf(price: ModelPrice, mix: TokenMix): number {
  return (
    mix.input * price.input_cost_per_token +
    mix.output * price.output_cost_per_token +
    mix.cache_creation * (price.cache_creation_input_token_cost ?? price.input_cost_per_token) +
    mix.cache_read * (price.cache_read_input_token_cost ?? price.input_cost_per_token)
  );
}

export const mixTotal = (m: TokenMix): number => m.input + m.output + m.cache_creation + m.cache_read;

/**
 * Price per token of a model for a given mix of token kinds. Phases report one token total, so their
 * cost is that total at the blended price of the builder model's observed call mix.
 */
export function blendedPricePerToken(price: ModelPrice, mix: TokenMix): number {
  const total = mixTotal(mix);
  return total === 0 ? 0 : costOf(price, mix) / total;
}

/** One API response's tokens, with its cache writes split by how long they are kept. */
export interface ResponseTokens {
  input: number;
  output: number;
  /** All cache writes, the 1-hour ones included. */
  cache_creation: number;
  cache_creation_1h: number;
  cache_read: number;
}

/** A request whose input side is over this many tokens is billed at the long-context price, where a model has one. */
export const LONG_CONTEXT = 200_000;

/**
 * What one response cost, as Anthropic bills it: 5-minute cache writes at the write price, 1-hour ones
 * at their own (2× input by default), reads at the read price; and when the request's input side
 * (input, cache writes and reads) is over 200K tokens, every token at the long-context price, for the
 * models that have one. (ccusage applies the 200K threshold to each kind of token apart, marginally.)
 */
export function responseCost(price: ModelPrice, t: ResponseTokens, overThreshold = t.input + t.cache_creation + t.cache_read > LONG_CONTEXT): number {
  // `overThreshold` given: the tokens are several responses' sum, each of them on the same side of it.
  const long = overThreshold && price.input_cost_per_token_above_200k_tokens !== undefined;
  const input = long ? price.input_cost_per_token_above_200k_tokens! : price.input_cost_per_token;
  const output = long ? (price.output_cost_per_token_above_200k_tokens ?? price.output_cost_per_token) : price.output_cost_per_token;
  const write5m = (long ? price.cache_creation_input_token_cost_above_200k_tokens : undefined) ?? price.cache_creation_input_token_cost ?? price.input_cost_per_token;
  // The 1-hour multiple applies to the base input price of the tier in force.
  const write1h = long ? input * 2 : (price.cache_creation_input_token_cost_above_1hr ?? price.input_cost_per_token * 2);
  const read = (long ? price.cache_read_input_token_cost_above_200k_tokens : undefined) ?? price.cache_read_input_token_cost ?? price.input_cost_per_token;
  return t.input * input + t.output * output + (t.cache_creation - t.cache_creation_1h) * write5m + t.cache_creation_1h * write1h + t.cache_read * read;
}
