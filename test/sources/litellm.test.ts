import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillLiteLlm } from '../../scripts/generate-litellm.mjs';
import { tempDir, tune } from '../helpers/cli.js';
import { startRealPostgres, type RealPostgres } from '../helpers/pg.js';

let server: RealPostgres;
beforeAll(async () => {
  server = await startRealPostgres();
}, 120_000);
afterAll(async () => server?.stop());

type Truth = Awaited<ReturnType<typeof fillLiteLlm>>;
const sum = (t: Truth, f: (x: Truth[string], key: string) => number) => Object.entries(t).reduce((a, [k, x]) => a + f(x, k), 0);

describe("LiteLLM's proxy database", () => {
  it('is summed by the server, by day, model and category tag, each request once; an open day that grows is read again', async () => {
    const c = await server.client();
    // Up to yesterday: still an open day (late rows land there), and well past any hold on the newest records.
    const end = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    let truth: Truth;
    try {
      await c.query('CREATE DATABASE litellm');
    } finally {
      await c.end();
    }
    const url = server.url.replace(/\/[^/]*$/, '/litellm');
    const pg = (await import('pg')).default;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      truth = await fillLiteLlm(db, { days: 10, end, seed: 3 });
    } finally {
      await db.end();
    }
    const dir = await tempDir('tokentune-litellm-');
    const config = join(dir, 't.yaml');
    await writeFile(config, `sources: [{format: litellm, url: '${url}'}]\n`);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const daily = async () => {
      const r = await tune(['report', 'daily', '--json', '--timezone', 'UTC', '--config', config], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { totals: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number; totalCost: number } };
    };
    const first = await daily();
    expect(first.totals).toMatchObject({
      inputTokens: sum(truth, (x) => x.input),
      outputTokens: sum(truth, (x) => x.output),
      cacheReadTokens: sum(truth, (x) => x.cache_read),
      cacheCreationTokens: sum(truth, (x) => x.cache_creation),
    });
    expect(first.totals.totalCost).toBeCloseTo(
      sum(truth, (x) => x.spend),
      6,
    );

    // By category: the tag's name, and what no category tag covers.
    const agents = JSON.parse((await tune(['report', 'agent', '--json', '--config', config], env)).stdout) as { agents: { agent: string; totalCost: number; inputTokens: number }[] };
    for (const category of ['backend', 'docs', 'tests', 'uncategorised']) {
      const row = agents.agents.find((a) => a.agent === category);
      expect(row?.inputTokens, category).toBe(sum(truth, (x, k) => (k.endsWith(`|${category}`) ? x.input : 0)));
    }

    // Yesterday's rows grow: the open day is read again, and nothing counts twice.
    const more = new pg.Client({ connectionString: url });
    await more.connect();
    try {
      await more.query(
        `UPDATE "LiteLLM_DailyUserSpend" SET prompt_tokens = prompt_tokens + 1000, spend = spend + 1 WHERE date = $1 AND id = (SELECT min(id) FROM "LiteLLM_DailyUserSpend" WHERE date = $1)`,
        [end],
      );
    } finally {
      await more.end();
    }
    const second = await daily();
    expect(second.totals.inputTokens).toBe(first.totals.inputTokens + 1000);
    expect(second.totals.totalCost).toBeCloseTo(first.totals.totalCost + 1, 6);
    // And with nothing new, the same totals.
    expect((await daily()).totals).toEqual(second.totals);

    // Categories by another tag prefix: the state is read again by it, and the totals stand.
    await writeFile(config, `sources: [{format: litellm, url: '${url}', category_tag: 'team:'}]\n`);
    expect((await daily()).totals).toEqual(second.totals);
    const teams = JSON.parse((await tune(['report', 'agent', '--json', '--config', config], env)).stdout) as { agents: { agent: string; inputTokens: number }[] };
    expect(teams.agents.map((a) => a.agent).sort()).toEqual(['platform', 'uncategorised']);
    expect(teams.agents.reduce((n, a) => n + a.inputTokens, 0)).toBe(second.totals.inputTokens);
    await writeFile(config, `sources: [{format: autopack-db, url: '${url}', category_tag: 'team:'}]\n`);
    const wrong = await tune(['check', '--config', config], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('sources[0].category_tag: only format litellm reads category tags');
  }, 120_000);
});
