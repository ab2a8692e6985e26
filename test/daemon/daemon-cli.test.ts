import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnthropicStub } from '../helpers/anthropic-stub.js';
import { TUNE, exampleConfig, ROOT, tempDir, tune } from '../helpers/cli.js';

/** `tune daemon` as a child process, with its JSON lines collected as they come. */
function startDaemon(config: string, env: NodeJS.ProcessEnv) {
  const child = spawn(TUNE, ['daemon', '--config', config], { cwd: ROOT, env: { ...process.env, ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: '', ...env } });
  const lines: any[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const parts = stdout.split('\n');
    stdout = parts.pop()!;
    for (const p of parts) lines.push(JSON.parse(p));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, stderr: () => stderr, exited };
}

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let daemon: { child: ChildProcess } | undefined;
afterEach(() => {
  daemon?.child.kill('SIGKILL');
  daemon = undefined;
});

describe('tune daemon', () => {
  it('runs the check and the tuning run on their schedules, backs off after no-ops, one JSON line per run', async () => {
    const dir = await tempDir('tokentune-daemon-');
    const config = await exampleConfig(dir, 'schedule:\n  check: "* * * * * *"\n  tune: "*/4 * * * * *"\n');
    const d = (daemon = startDaemon(config, { XDG_STATE_HOME: join(dir, 'state') }));
    await until('a proposal, then no-op checks and a no-op tuning run', () => {
      const t = d.lines.findIndex((l) => l.job === 'tune' && l.result === 'proposal');
      const after = t >= 0 ? d.lines.slice(t + 1) : [];
      return after.filter((l) => l.job === 'check' && l.result === 'noop').length >= 2 && after.some((l) => l.job === 'tune' && l.result === 'noop');
    });
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(d.stderr()).toMatch(/^tune daemon: check "\* \* \* \* \* \*" \(next [\d-]+T[\d:.]+Z\), tune "\*\/4 \* \* \* \* \*" .*time zone UTC/);
    expect(d.stderr()).toContain('tune daemon: stopped');

    // The first run reads everything: a check finding drift, or the tuning run when both fire in that second.
    const first = d.lines[0];
    expect(first).toMatchObject({ level: 'info', records: 2272 });
    if (first.job === 'check') expect(first).toMatchObject({ result: 'drift', moved: ['no proposal recorded yet'] });
    else expect(first).toMatchObject({ job: 'tune', result: 'proposal' });
    for (const l of d.lines) expect(Object.keys(l).slice(0, 4)).toEqual(['time', 'level', 'job', 'duration_ms']);
    expect(d.lines.find((l) => l.job === 'tune' && l.result === 'proposal')).toMatchObject({ changes: 15, llm: 'skipped', publish: 'disabled' });
    // Back-off: after n no-ops in a row the next check waits 2^n seconds, capped at the 4 s of the tuning schedule.
    const checks = d.lines.filter((l) => l.job === 'check');
    for (let i = 1; i < checks.length; i++) {
      const prev = checks[i - 1];
      if (prev.result !== 'noop') continue;
      const between = d.lines.slice(d.lines.indexOf(prev) + 1, d.lines.indexOf(checks[i]));
      if (between.some((l) => l.job === 'tune')) continue; // a tuning run resets what the check saw
      const gap = Date.parse(checks[i].time) - Date.parse(prev.time);
      expect(gap).toBeGreaterThanOrEqual(Math.min(2 ** prev.noop_streak, 4) * 1000 - 600);
    }
    expect(checks.some((c) => c.noop_streak >= 2)).toBe(true);
    // Ticks skipped by the back-off leave no line: fewer check lines than the seconds that passed.
    const seconds = (Date.parse(d.lines.at(-1).time) - Date.parse(d.lines[0].time)) / 1000;
    expect(checks.length).toBeLessThan(seconds);
  }, 30_000);

  it('shares the state lock with the CLI, and a signal mid-run abandons the run cleanly', async () => {
    const stub = await startAnthropicStub({ replies: [{ hang: true }] });
    try {
      const dir = await tempDir('tokentune-daemon-');
      const config = await exampleConfig(dir, 'schedule:\n  check: "0 0 1 1 *"\n  tune: "* * * * * *"\nllm:\n  timeout_seconds: 60\n');
      const env = { XDG_STATE_HOME: join(dir, 'state'), ANTHROPIC_API_KEY: 'sk-ant-test-key', ANTHROPIC_BASE_URL: stub.url };
      const d = (daemon = startDaemon(config, env));
      await until('the tuning run to wait on the LLM', () => stub.messages().length > 0);

      // A cron-started CLI run meanwhile is refused, naming the daemon.
      const cli = await tune(['check', '--config', config], env);
      expect(cli.code).toBe(4);
      expect(cli.stderr).toMatch(/another tokentune run holds .*state\.db: "tune daemon \(tune\)", pid \d+/);

      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      expect(d.stderr()).toContain('SIGTERM: stopping after abandoning the current run');
      expect(d.lines).toEqual([expect.objectContaining({ job: 'tune', result: 'aborted' })]);
      // Nothing half-done is left: no lock note, and nothing of the abandoned run in the state.
      const stateRoot = join(dir, 'state', 'tokentune');
      const [stateDir] = await readdir(stateRoot);
      expect(existsSync(join(stateRoot, stateDir!, 'lock.json'))).toBe(false);
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(stateRoot, stateDir!, 'state.db'), { readonly: true });
      expect(db.prepare('SELECT count(*) FROM units').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM ledger').pluck().get()).toBe(0);
      db.close();
      // and the CLI runs again at once.
      expect(await tune(['check', '--config', config], env)).toMatchObject({ code: 0, stdout: 'drift: no proposal recorded yet\n' });
    } finally {
      await stub.close();
    }
  }, 30_000);

  it('names a bad schedule in the config', async () => {
    const dir = await tempDir('tokentune-daemon-');
    const config = await exampleConfig(dir, 'schedule:\n  check: "every night"\n');
    const r = await tune(['daemon', '--config', config], { XDG_STATE_HOME: join(dir, 'state') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('schedule.check: "every night" is not a cron expression');
    const tz = await exampleConfig(await tempDir('tokentune-daemon-'), 'schedule:\n  timezone: Mars/Olympus\n');
    expect((await tune(['daemon', '--config', tz], { XDG_STATE_HOME: join(dir, 'state') })).stderr).toContain('schedule.timezone: "Mars/Olympus" is not an IANA time zone');
  });
});
