import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, ROOT, tempDir, tune } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'fixtures/example');

describe('tune report on the tokentune export', () => {
  it('reports phases by category, priced as the rules price them, beside calls by day and model', async () => {
    const env = { XDG_STATE_HOME: await tempDir('tokentune-cat-') };
    const config = EXAMPLE;
    const report = async (...args: string[]) => {
      const r = await tune(['report', ...args, '--json', '--mode', 'calculate', '--config', config], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    // What the export holds, summed here from its lines.
    const truth: Record<string, { phases: number; tokens: number; model: string }> = {};
    for (const line of (await readFile(join(FIXTURES, 'phases.jsonl'), 'utf8')).split('\n').filter(Boolean)) {
      const p = JSON.parse(line) as { type: string; category: string; tokens_used: number; builder_model: string };
      if (p.type !== 'phase') continue;
      const t = (truth[p.category] ??= { phases: 0, tokens: 0, model: p.builder_model });
      t.phases++;
      t.tokens += p.tokens_used;
    }
    const byCategory = (await report('category')) as {
      categories: { category: string; phases: number; totalTokens: number; totalCost: number; modelBreakdowns: { modelName: string }[] }[];
      totals: { phases: number };
    };
    expect(Object.fromEntries(byCategory.categories.map((c) => [c.category, [c.phases, c.totalTokens]]))).toEqual(Object.fromEntries(Object.entries(truth).map(([k, t]) => [k, [t.phases, t.tokens]])));
    expect(byCategory.totals.phases).toBe(Object.values(truth).reduce((a, t) => a + t.phases, 0));
    // A phase's tokens cost its model's price per token at the mix of kinds its model's calls had.
    const models = (await report('model')) as { models: { model: string; totalTokens: number; totalCost: number }[] };
    const perToken = Object.fromEntries(models.models.map((m) => [m.model, m.totalCost / m.totalTokens]));
    for (const c of byCategory.categories) expect(c.totalCost, c.category).toBeCloseTo(c.totalTokens * perToken[c.modelBreakdowns[0]!.modelName]!, 6);
    // By day, the calls, with their four kinds of token.
    const daily = (await report('daily')) as { daily: { inputTokens: number; cacheReadTokens: number }[] };
    expect(daily.daily.length).toBeGreaterThan(20);
    expect(daily.daily.every((d) => d.inputTokens > 0 && d.cacheReadTokens > 0)).toBe(true);
  });
});
