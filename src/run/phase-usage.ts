import type { LoadedConfig } from '../config/index.js';
import { computeStats } from '../stats/index.js';
import type { State, StoredUsage } from '../store/index.js';

/**
 * Phases by UTC day, category and model, for the report by category. A phase reports its tokens as one
 * total, priced as the rules price it: at its model's per-token price for the mix of kinds its calls had.
 */
export function* phaseUsage(state: State, loaded: LoadedConfig, range: { since: number; until: number }): Generator<StoredUsage> {
  const view = state.view(range.since, range.until);
  const prices = computeStats(view, { range, pricing: loaded.pricing, defaultOutputShare: loaded.config.pricing.default_output_share }).blended_price;
  for (const b of view.phases) {
    const price = prices[b.model];
    yield {
      ts: b.day * 86_400_000 + 43_200_000,
      model: b.model,
      input: 0,
      output: 0,
      cache_creation: 0,
      cache_creation_1h: 0,
      cache_read: 0,
      responses: 0,
      single: false,
      category: b.category,
      phases: b.phases,
      tokens: b.tokens_sum,
      cost: price != null ? b.tokens_sum * price : undefined,
    };
  }
}
