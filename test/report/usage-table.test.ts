import { describe, expect, it } from 'vitest';
import { table } from '../../src/commands/report.js';
import { usageReport, type UsageItem } from '../../src/report/usage.js';
import { BUNDLED_PRICES } from '../../src/pricing/table.js';

const item = (o: Partial<UsageItem>): UsageItem => ({
  ts: Date.parse('2026-11-20T23:30:00Z'),
  model: 'claude-sonnet-4-5-20250929',
  input: 10,
  output: 100,
  cache_creation: 1000,
  cache_creation_1h: 0,
  cache_read: 10_000,
  responses: 1,
  single: true,
  ...o,
});
const pricing = { table: BUNDLED_PRICES, aliases: {}, retirements: {} };

describe('tune report', () => {
  it('counts days in the time zone asked for, and prices 1-hour writes and long contexts', () => {
    const items = [item({}), item({ ts: Date.parse('2026-11-21T01:00:00Z') })];
    const utc = usageReport(items, { grouping: 'daily', timeZone: 'UTC', mode: 'calculate', pricing });
    expect(utc.rows.map((r) => r['date'])).toEqual(['2026-11-20', '2026-11-21']);
    const tokyo = usageReport(items, { grouping: 'daily', timeZone: 'Asia/Tokyo', mode: 'calculate', pricing });
    expect(tokyo.rows.map((r) => r['date'])).toEqual(['2026-11-21']);
    // 1 000 cache writes at 5 minutes ($3.75/M) against 1 hour ($6/M); a request over 200K input-side
    // tokens pays the long-context price ($6/M input) on all of its tokens.
    const cost = (o: Partial<UsageItem>) => usageReport([item(o)], { grouping: 'daily', timeZone: 'UTC', mode: 'calculate', pricing }).totals.totalCost;
    expect(cost({ cache_creation_1h: 1000 }) - cost({})).toBeCloseTo(1000 * (6 - 3.75) * 1e-6, 12);
    expect(cost({ input: 0, output: 0, cache_creation: 0, cache_read: 0, cache_creation_1h: 0 })).toBe(0);
    expect(cost({ input: 210_000, output: 0, cache_creation: 0, cache_read: 0 })).toBeCloseTo(210_000 * 6e-6, 12);
    expect(cost({ input: 190_000, output: 0, cache_creation: 0, cache_read: 0 })).toBeCloseTo(190_000 * 3e-6, 12);
    // auto takes a recorded cost; display shows only recorded costs.
    expect(usageReport([item({ cost_usd: 42 })], { grouping: 'daily', timeZone: 'UTC', mode: 'auto', pricing }).totals.totalCost).toBe(42);
    expect(usageReport([item({})], { grouping: 'daily', timeZone: 'UTC', mode: 'display', pricing }).totals.totalCost).toBe(0);
  });

  it('fits the terminal: the models column gives way, and hostile names are inert', () => {
    const items = ['claude-sonnet-4-5', 'claude-opus-4-5', 'claude-haiku-4-5', 'model-\u001b[31mred'].map((model) => item({ model }));
    const r = usageReport(items, { grouping: 'daily', timeZone: 'UTC', mode: 'calculate', pricing });
    const text = table(r, true, 80);
    for (const line of text.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).not.toContain('\u001b');
    expect(r.unpriced).toEqual(['model-\u001b[31mred']);
  });
});
