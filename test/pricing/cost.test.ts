import { describe, expect, it } from 'vitest';
import { costOf, priceOf, resolveModel } from '../../src/pricing/cost.js';
import { BUNDLED_PRICES } from '../../src/pricing/table.js';

const pricing = { table: BUNDLED_PRICES, aliases: { sonnet: 'claude-sonnet-4-5' }, retirements: {} };

describe('pricing', () => {
  it('resolves the names telemetry uses for a model', () => {
    expect(resolveModel(pricing, 'claude-sonnet-4-5')).toBe('claude-sonnet-4-5');
    expect(resolveModel(pricing, 'sonnet')).toBe('claude-sonnet-4-5');
    expect(resolveModel(pricing, 'claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(resolveModel(pricing, 'anthropic/claude-opus-4-5')).toBe('claude-opus-4-5');
    expect(resolveModel(pricing, 'claude-haiku-4.5')).toBe('claude-haiku-4-5');
    expect(resolveModel(pricing, 'no-such-model')).toBeUndefined();
  });

  it('costs all four token kinds at LiteLLM-style per-token prices', () => {
    const p = priceOf(pricing, 'claude-sonnet-4-5')!;
    // 1M each: $3 input + $15 output + $3.75 cache write + $0.30 cache read
    expect(costOf(p, { input: 1e6, output: 1e6, cache_creation: 1e6, cache_read: 1e6 })).toBeCloseTo(22.05, 9);
  });
});
