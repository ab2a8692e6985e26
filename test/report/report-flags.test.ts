import { execFile, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

const exec = promisify(execFile);

/** `tune report` for people who live in ccusage: its flags, its weeks, a table that fits 80 columns. */
let corpus: string;
beforeAll(async () => {
  corpus = await tempDir('tokentune-flags-');
  execFileSync(process.execPath, [join(ROOT, 'scripts/generate-claude-code.mjs'), '--out', corpus, '--sessions', '12', '--days', '21'], { stdio: 'ignore' });
}, 60_000);

const report = (args: string[], env: Record<string, string> = {}) => tune(['report', ...args], { CLAUDE_CONFIG_DIR: corpus, XDG_STATE_HOME: join(corpus, 'state'), ...env });

describe('tune report beside ccusage', () => {
  it('counts weeks as ccusage 20 does (from Monday), or from the day asked, with its keys and totals', async () => {
    const ours = JSON.parse((await report(['weekly', '--json', '--timezone', 'UTC', '--mode', 'calculate', '-O'])).stdout) as {
      weekly: { week: string; period: string; totalCost: number }[];
      totals: { totalCost: number; totalTokens: number };
    };
    const theirs = JSON.parse(
      (await exec(join(ROOT, 'node_modules/.bin/ccusage'), ['weekly', '--json', '--offline', '--timezone', 'UTC'], { env: { ...process.env, CLAUDE_CONFIG_DIR: corpus } })).stdout,
    ) as typeof ours;
    expect(ours.weekly.map((w) => w.period)).toEqual(theirs.weekly.map((w) => w.period));
    expect(ours.weekly.every((w) => w.week === w.period && new Date(`${w.week}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    // The totals are the generator's truth (ccusage's differ where docs/TELEMETRY.md says).
    const truth = JSON.parse(await readFile(join(corpus, 'truth.json'), 'utf8')) as { days: Record<string, Record<string, Record<'input' | 'output' | 'cache_creation' | 'cache_read', number>>> };
    const tokens = Object.values(truth.days)
      .flatMap((d) => Object.values(d))
      .reduce((a, t) => a + t.input + t.output + t.cache_creation + t.cache_read, 0);
    expect(ours.totals.totalTokens).toBe(tokens);
    const sunday = JSON.parse((await report(['weekly', '--json', '--timezone', 'UTC', '--start-of-week', 'sunday'])).stdout) as typeof ours;
    expect(sunday.weekly.every((w) => new Date(`${w.week}T00:00:00Z`).getUTCDay() === 0)).toBe(true);
    expect(sunday.totals.totalTokens).toBe(ours.totals.totalTokens);
  });

  it('fits 80 columns when piped with COLUMNS=80, with short model names', async () => {
    const r = await report(['daily', '--timezone', 'UTC'], { COLUMNS: '80' });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^Date\s+Models\s+Input\s+Output\s+Total\s+Cost \(USD\)$/);
    expect(r.stdout).not.toMatch(/claude-|-\d{8}\b/);
    expect(r.stdout).toMatch(/\b(opus|sonnet|haiku)-\d-\d\b/);
    const wide = await report(['daily', '--timezone', 'UTC'], { COLUMNS: '160' });
    expect(wide.stdout.split('\n')[0]).toContain('Cache write');
  });

  it("colours a terminal's table without moving a column, and never with --no-color or NO_COLOR", async () => {
    const plain = await report(['daily', '--timezone', 'UTC'], { COLUMNS: '120' });
    const forced = await report(['daily', '--timezone', 'UTC'], { COLUMNS: '120', FORCE_COLOR: '1' });
    const lines = forced.stdout.trimEnd().split('\n');
    const esc = '\x1b';
    expect(lines[0]!.startsWith(`${esc}[1;36mDate `) && lines[0]!.endsWith(`${esc}[0m`)).toBe(true);
    expect(lines.at(-1)!.startsWith(`${esc}[1;33mTotal `) && lines.at(-1)!.endsWith(`${esc}[0m`)).toBe(true);
    expect(forced.stdout.replace(new RegExp(`${esc}\\[[\\d;]*m`, 'g'), '')).toBe(plain.stdout);
    expect(plain.stdout).not.toContain('\x1b');
    expect((await report(['daily', '--timezone', 'UTC', '--no-color'], { FORCE_COLOR: '1' })).stdout).toBe(plain.stdout);
    expect((await report(['daily', '--timezone', 'UTC'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).toBe(plain.stdout);
    expect((await report(['daily', '--timezone', 'UTC'], { FORCE_COLOR: '0' })).stdout).toBe(plain.stdout);
  });

  it('refuses --since after --until, lists sessions by last activity, and says why a category report is empty', async () => {
    const bad = await report(['daily', '--since', '20261120', '--until', '20261101']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('tune: --since 2026-11-20 is after --until 2026-11-01: no day is both\n');
    const sessions = JSON.parse((await report(['session', '--json'])).stdout) as { sessions: { lastActivity: string; projectPath: string }[] };
    const last = sessions.sessions.map((s) => s.lastActivity);
    expect(last).toEqual([...last].sort());
    expect(sessions.sessions.every((s) => s.projectPath)).toBe(true);
    const category = await report(['category']);
    expect(category.code).toBe(0);
    expect(category.stderr).toContain('no phase records in the state: a category comes from the phases of a pipeline');
  });
});
