import type { Pricing } from '../pricing/index.js';
import { itemCost, type CostMode, type UsageItem } from './usage.js';

/**
 * Claude's 5-hour billing windows, as ccusage counts them: a block starts at the hour of its first
 * response and lasts five hours; a response more than five hours after the block's start, or after
 * the response before it, starts the next one, and the silence between is a gap. The block the clock
 * is still in, with a response in its last five hours, is active: its burn rate and where it ends
 * at that rate are given.
 */

const BLOCK_MS = 5 * 3_600_000;

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

export interface BillingBlock {
  id: string;
  startTime: string;
  endTime: string;
  /** The last response's time; null for a gap. */
  actualEndTime: string | null;
  isActive: boolean;
  isGap: boolean;
  entries: number;
  tokenCounts: TokenCounts;
  totalTokens: number;
  costUSD: number;
  models: string[];
  /** Of the active block: tokens a minute and dollars an hour since its first response. */
  burnRate: { tokensPerMinute: number; costPerHour: number } | null;
  /** Of the active block: its totals at its end, at the burn rate. */
  projection: { totalTokens: number; totalCost: number; remainingMinutes: number } | null;
}

/** The blocks of single responses (any order), oldest first, with the gaps between them. */
export function billingBlocks(items: Iterable<UsageItem>, o: { now: Date; mode: CostMode; pricing: Pricing }): BillingBlock[] {
  const sorted = [...items].sort((a, b) => a.ts - b.ts);
  const now = o.now.getTime();
  const unpriced = new Set<string>();
  const out: BillingBlock[] = [];
  let open: { start: number; items: UsageItem[] } | null = null;
  const close = (b: { start: number; items: UsageItem[] }) => out.push(blockOf(b.start, b.items, now, (it) => itemCost(it, o.mode, o.pricing, unpriced)));
  for (const it of sorted) {
    if (open) {
      const last = open.items.at(-1)!.ts;
      if (it.ts - open.start > BLOCK_MS || it.ts - last > BLOCK_MS) {
        close(open);
        if (it.ts - last > BLOCK_MS) out.push(gap(last + BLOCK_MS, it.ts));
        open = null;
      }
    }
    if (!open) open = { start: Math.floor(it.ts / 3_600_000) * 3_600_000, items: [] };
    open.items.push(it);
  }
  if (open) close(open);
  return out;
}

function blockOf(start: number, items: UsageItem[], now: number, cost: (it: UsageItem) => number): BillingBlock {
  const t: TokenCounts = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
  let costUSD = 0;
  const models = new Set<string>();
  for (const it of items) {
    t.inputTokens += it.input;
    t.outputTokens += it.output;
    t.cacheCreationInputTokens += it.cache_creation;
    t.cacheReadInputTokens += it.cache_read;
    costUSD += cost(it);
    models.add(it.model);
  }
  const first = items[0]!.ts;
  const last = items.at(-1)!.ts;
  const end = start + BLOCK_MS;
  const totalTokens = t.inputTokens + t.outputTokens + t.cacheCreationInputTokens + t.cacheReadInputTokens;
  const isActive = now - last < BLOCK_MS && now < end;
  const minutes = (last - first) / 60_000;
  const burnRate = isActive && minutes > 0 ? { tokensPerMinute: totalTokens / minutes, costPerHour: (costUSD / minutes) * 60 } : null;
  const remainingMinutes = Math.max(0, Math.round((end - now) / 60_000));
  const projection = burnRate
    ? { totalTokens: Math.round(totalTokens + burnRate.tokensPerMinute * remainingMinutes), totalCost: costUSD + (burnRate.costPerHour / 60) * remainingMinutes, remainingMinutes }
    : null;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: iso(start),
    startTime: iso(start),
    endTime: iso(end),
    actualEndTime: iso(last),
    isActive,
    isGap: false,
    entries: items.length,
    tokenCounts: t,
    totalTokens,
    costUSD,
    models: [...models].sort(),
    burnRate,
    projection,
  };
}

function gap(from: number, to: number): BillingBlock {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: `gap-${iso(from)}`,
    startTime: iso(from),
    endTime: iso(to),
    actualEndTime: null,
    isActive: false,
    isGap: true,
    entries: 0,
    tokenCounts: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    totalTokens: 0,
    costUSD: 0,
    models: [],
    burnRate: null,
    projection: null,
  };
}
