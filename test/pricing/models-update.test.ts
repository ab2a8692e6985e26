import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLiteLlmTable, tierOf } from '../../src/pricing/litellm.js';
import { exampleConfig, tempDir, tune } from '../helpers/cli.js';

const M = 1e-6;
const entry = (input: number, output: number, extra: object = {}) => ({ litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: input * M, output_cost_per_token: output * M, ...extra });

// LiteLLM's shape, our own figures: a deprecation with no successor named, one the config names, and
// entries of other providers and modes that are left out.
const TABLE = {
  sample_spec: { litellm_provider: 'one of https://docs.litellm.ai/docs/providers', mode: 'one of: chat, embedding, completion', input_cost_per_token: 0, output_cost_per_token: 0 },
  'claude-sonnet-4-5': entry(3, 15, { deprecation_date: '2026-11-30' }),
  'claude-sonnet-4-5-20250929': entry(3, 15, { deprecation_date: '2026-11-30' }),
  'claude-sonnet-5-5': entry(2, 10),
  'claude-sonnet-6': entry(1.5, 7.5),
  'claude-opus-4-5': entry(5, 25, { deprecation_date: '2027-01-22' }),
  'claude-opus-5-5': entry(4, 20),
  'claude-haiku-4-5': entry(1, 5),
  'anthropic/claude-haiku-4-5': entry(1, 5),
  'claude-embed': { litellm_provider: 'anthropic', mode: 'embedding', input_cost_per_token: 1e-7, output_cost_per_token: 0 },
  'gemini-2.5-pro': { litellm_provider: 'vertex_ai', mode: 'chat', input_cost_per_token: 1e-6, output_cost_per_token: 1e-5 },
  'gpt-4o': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 2.5 * M, output_cost_per_token: 10 * M, deprecation_date: '2027-03-01' },
  'broken-price': { litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 'free' },
};

describe('LiteLLM table', () => {
  it('keeps chat models of the tuned providers, with deprecation dates and successors', () => {
    const s = parseLiteLlmTable(TABLE, 'http://x/table.json', new Date('2026-12-05T00:00:00Z'), { 'claude-opus-4-5': { successor: 'claude-opus-5-5' } });
    expect(Object.keys(s.prices).sort()).toEqual([
      'claude-haiku-4-5',
      'claude-opus-4-5',
      'claude-opus-5-5',
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-5-5',
      'claude-sonnet-6',
      'gpt-4o',
    ]);
    // The newest undated model of its tier that is not deprecated itself.
    expect(s.retirements['claude-sonnet-4-5']).toEqual({ retires: '2026-11-30', successor: 'claude-sonnet-6', source: 'http://x/table.json', checked: '2026-12-05' });
    expect(s.retirements['claude-opus-4-5']?.successor).toBe('claude-opus-5-5');
    // No tier to follow: named for the user to settle.
    expect(s.unmatched).toEqual(['gpt-4o']);
    expect(tierOf('claude-3-5-haiku-20241022')).toEqual({ tier: 'haiku', version: [3, 5] });
  });
});

describe('tune models update', () => {
  let server: Server;
  let url = '';
  let body = JSON.stringify(TABLE);
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/missing') {
        res.writeHead(404).end('no');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refreshes the state from a local copy of the table, and the report says which table it used', async () => {
    const dir = await tempDir('tokentune-models-');
    const config = await exampleConfig(dir);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    const before = await tune(['--dry-run', '--config', config], env);
    expect(before.stdout).toMatch(/\*\*Model table\*\*: bundled, checked against the vendors' pages on 2026-12-05/);

    const up = await tune(['models', 'update', '--url', `${url}/table.json`, '--config', config], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^model table: 8 models, 3 retirements from http:\/\/127\.0\.0\.1:\d+\/table\.json/);
    expect(up.stdout).toContain('no successor found for gpt-4o');

    const after = await tune(['--dry-run', '--json', '--config', config], env);
    const json = JSON.parse(after.stdout);
    expect(json.report).toMatch(/\*\*Model table\*\*: LiteLLM's table fetched on \d{4}-\d{2}-\d{2}/);
    // The fetched table's successor now governs the migration.
    expect(json.changes.filter((c: { from: string }) => c.from === 'claude-sonnet-4-5').every((c: { to: string }) => c.to === 'claude-sonnet-6')).toBe(true);

    // A failed fetch changes nothing and says why.
    const bad = await tune(['models', 'update', '--url', `${url}/missing`, '--config', config], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/HTTP 404/);
    body = 'not json';
    const garbled = await tune(['models', 'update', '--url', `${url}/table.json`, '--config', config], env);
    expect(garbled.stderr).toMatch(/not JSON; the model table kept is unchanged/);
    body = JSON.stringify(TABLE);
  });
});
