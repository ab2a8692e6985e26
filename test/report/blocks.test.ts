import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PRICES } from '../../src/pricing/index.js';
import { billingBlocks } from '../../src/report/blocks.js';
import type { UsageItem } from '../../src/report/usage.js';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

const exec = promisify(execFile);
const H = 3_600_000;
const T = Date.UTC(2026, 11, 5, 9, 20);
const response = (ts: number, output = 1000): UsageItem => ({ ts, model: 'claude-sonnet-5-5', input: 10, output, cache_creation: 0, cache_creation_1h: 0, cache_read: 0, responses: 1, single: true });
const pricing = { table: BUNDLED_PRICES, aliases: {} } as never;

describe('billing blocks', () => {
  it('start at the hour of their first response, last five hours, break on five silent hours, and show the active one with its burn rate', () => {
    const items = [response(T - 20 * H), response(T - 19 * H), response(T - 14.5 * H), response(T - 40 * 60_000, 3000), response(T - 10 * 60_000, 3000)];
    const blocks = billingBlocks(items, { now: new Date(T), mode: 'calculate', pricing });
    expect(blocks.map((b) => [b.startTime, b.isGap, b.entries])).toEqual([
      ['2026-12-04T13:00:00.000Z', false, 2],
      // 5 h 30 min after the block's start: a block of its own, and no gap (the response before is 4.5 h back).
      ['2026-12-04T18:00:00.000Z', false, 1],
      ['2026-12-04T23:50:00.000Z', true, 0],
      ['2026-12-05T08:00:00.000Z', false, 2],
    ]);
    const active = blocks.at(-1)!;
    expect(active).toMatchObject({ isActive: true, endTime: '2026-12-05T13:00:00.000Z', totalTokens: 6020 });
    // 6,020 tokens over the 30 minutes between its first and last response.
    expect(active.burnRate!.tokensPerMinute).toBeCloseTo(6020 / 30, 6);
    expect(active.projection).toMatchObject({ remainingMinutes: 220, totalTokens: Math.round(6020 + (6020 / 30) * 220) });
    expect(blocks.filter((b) => b.isActive)).toHaveLength(1);
  });

  it('are cut where ccusage 20 cuts them, on a generated Claude Code history', async () => {
    const corpus = await tempDir('tokentune-blocks-');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-claude-code.mjs'), '--out', corpus, '--sessions', '12', '--days', '21'], { stdio: 'ignore' });
    const env = { CLAUDE_CONFIG_DIR: corpus, XDG_STATE_HOME: join(corpus, 'state') };
    const r = await tune(['report', 'blocks', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const ours = JSON.parse(r.stdout).blocks as { id: string; isGap: boolean; totalTokens: number; isActive: boolean }[];
    const theirs = JSON.parse((await exec(join(ROOT, 'node_modules/.bin/ccusage'), ['blocks', '--json', '--offline'], { env: { ...process.env, CLAUDE_CONFIG_DIR: corpus } })).stdout)
      .blocks as typeof ours;
    expect(ours.map((b) => [b.id, b.isGap])).toEqual(theirs.map((b) => [b.id, b.isGap]));
    expect(ours.some((b) => b.isActive)).toBe(false);
    // Every token of the history falls in one block.
    const daily = JSON.parse((await tune(['report', 'daily', '--json'], env)).stdout) as { totals: { totalTokens: number } };
    expect(ours.reduce((a, b) => a + b.totalTokens, 0)).toBe(daily.totals.totalTokens);
    const table = await tune(['report', 'blocks'], { ...env, COLUMNS: '80' });
    expect(table.stdout.split('\n')[0]).toMatch(/^Block start \(UTC\)\s+Status\s+Models\s+Tokens\s+Cost \(USD\)$/);
    expect(table.stdout).toMatch(/^2026-\d\d-\d\d \d\d:\d\d {3}gap$/m);
    const active = await tune(['report', 'blocks', '--active'], env);
    expect(active.stderr).toContain('no active block: no response in the last five hours');
  });
});
