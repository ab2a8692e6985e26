import { createServer, type Server } from 'node:http';
import { appendFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetLine } from '../../src/budget/index.js';
import { runCheck } from '../../src/run/index.js';
import { tempDir } from '../helpers/cli.js';

/** A webhook that records what it is posted, answering each post with the next status given (then 200). */
async function webhook(statuses: number[] = []): Promise<{ url: string; posts: string[]; server: Server }> {
  const posts: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) posts.push((JSON.parse(body) as { text: string }).text);
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, posts, server };
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A call that cost $10 by its source's own figure, on a day of November 2026. */
const call = (day: number) =>
  `${JSON.stringify({ type: 'call', ts: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`, run_id: `run-${day}`, phase_id: 'p', role: 'builder', provider: 'anthropic', model: 'claude-sonnet-4-5', input_tokens: 1000, output_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cost_usd: 10 })}\n`;

async function month(budget: string) {
  const dir = await tempDir('tokentune-budget-');
  const data = join(dir, 'calls.jsonl');
  await writeFile(data, '');
  const config = join(dir, 'tokentune.yaml');
  await writeFile(config, `sources: [{path: ${data}}]\nbudgets:\n${budget}`);
  return { dir, data, config };
}

describe('monthly budgets', () => {
  it('posts each threshold once as a simulated month crosses 80% and 95%', async () => {
    const hook = await webhook();
    servers.push(hook.server);
    const m = await month('  monthly_usd: 310\n  webhook_backoff_seconds: 0\n');
    const env = { ...process.env, XDG_STATE_HOME: join(m.dir, 'state'), TOKENTUNE_WEBHOOK_URL: hook.url };
    const raisedOn: Record<number, string[]> = {};
    for (let day = 1; day <= 30; day++) {
      await appendFile(m.data, call(day));
      const r = await runCheck(m.config, { env, now: new Date(`2026-11-${String(day).padStart(2, '0')}T23:00:00Z`) });
      const line = r.budget!.lines[0]!;
      expect(line.spent).toBeCloseTo(10 * day, 9);
      if (r.budget!.raised.length) raisedOn[day] = r.budget!.raised.map((a) => `${a.threshold}`);
      expect(r.budget!.problems).toEqual([]);
    }
    // $248 is 80% of $310 (day 25: $250); $294.50 is 95% (day 30: $300); 100% is never reached.
    expect(raisedOn).toEqual({ 25: ['0.8'], 30: ['0.95'] });
    expect(hook.posts).toHaveLength(2);
    expect(hook.posts[0]).toBe("tokentune: the fleet reached 80% of its $310.00 budget for 2026-11: $250.00 spent in 25 of 30 days, $300.00 projected by the month's end");
    expect(hook.posts[1]).toMatch(/^tokentune: the fleet reached 95% of its \$310\.00 budget for 2026-11: \$300\.00 spent in 30 of 30 days/);
  });

  it('retries a failing webhook, and posts an alert it could not deliver on the next run', async () => {
    const hook = await webhook([500, 503]);
    servers.push(hook.server);
    const m = await month('  monthly_usd: 20\n  thresholds: [0.5]\n  webhook_retries: 1\n  webhook_backoff_seconds: 0\n');
    const env = { ...process.env, XDG_STATE_HOME: join(m.dir, 'state'), TOKENTUNE_WEBHOOK_URL: hook.url };
    await appendFile(m.data, call(3));
    const first = await runCheck(m.config, { env, now: new Date('2026-11-03T23:00:00Z') });
    // Two attempts (one retry), both refused: said, not fatal; the alert waits.
    expect(first.budget!.raised).toHaveLength(1);
    expect(first.budget!.problems).toEqual(['the budget alert webhook (TOKENTUNE_WEBHOOK_URL) failed: HTTP 503; it is posted again on the next run']);
    expect(hook.posts).toEqual([]);
    await appendFile(m.data, call(4));
    const second = await runCheck(m.config, { env, now: new Date('2026-11-04T23:00:00Z') });
    expect(second.budget!.raised).toEqual([]);
    expect(second.budget!.posted).toBe(1);
    expect(hook.posts).toHaveLength(1);
    expect(hook.posts[0]).toContain('reached 50% of its $20.00 budget for 2026-11: $10.00 spent in 3 of 30 days');
  });

  it('projects by day of week once there are two weeks of history, linearly before', () => {
    const days = new Map<string, number>();
    // October and November: $100 on weekdays, nothing at weekends (no data those days).
    for (let d = Date.UTC(2026, 9, 1); d <= Date.UTC(2026, 10, 10); d += 86_400_000) {
      const w = new Date(d).getUTCDay();
      if (w !== 0 && w !== 6) days.set(new Date(d).toISOString().slice(0, 10), 100);
    }
    const l = budgetLine({ scope: 'fleet', budget: 3000, days }, new Date('2026-11-10T12:00:00Z'), [0.8]);
    // Spent on November's weekdays so far: the 2nd to the 6th, the 9th and the 10th. The 20 days left hold
    // 14 weekdays and 6 weekend days, which spent nothing in the four weeks before and are projected so.
    expect(l.spent).toBe(700);
    expect(l.projection).toBe('weekday');
    expect(l.projected).toBe(700 + 14 * 100);
    const linear = budgetLine({ scope: 'fleet', budget: 3000, days: new Map([['2026-11-01', 50]]) }, new Date('2026-11-10T12:00:00Z'), [0.8]);
    expect({ projection: linear.projection, projected: linear.projected }).toEqual({ projection: 'linear', projected: 150 });
  });
});
