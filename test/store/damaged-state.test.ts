import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExampleData, exampleConfig, ROOT, tempDir, tune, TUNE } from '../helpers/cli.js';
import { stateDirIn, stateTotals } from '../helpers/state.js';

/**
 * A state that cannot be used as it is: each case ends the run with one line naming the file and
 * the fix, exit 2, never a stack; what can be kept is kept.
 */
async function withState(extra = '') {
  const dir = await tempDir('tokentune-damaged-');
  const data = join(dir, 'data');
  await mkdir(data);
  await copyExampleData(data);
  const config = await exampleConfig(dir, extra, data);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  expect((await tune(['check', '--config', config], env)).code).toBe(0);
  const stateDir = await stateDirIn(env.XDG_STATE_HOME);
  return { dir, data, config, env, stateDir, file: join(stateDir, 'state.db') };
}

const NEW_CI = '{"type":"ci","ts":"2026-11-20T23:00:00Z","run_id":"late","tier_id":"T1","ci_profile":"ci_standard","runs":1,"failures_caught":0,"false_positives":0}\n';

function expectOneLine(r: { code: number; stderr: string }, ...patterns: (string | RegExp)[]) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:|SyntaxError/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  for (const p of patterns) expect(r.stderr).toMatch(p);
}

const edit = (file: string, sql: string, ...params: unknown[]) => {
  const db = new Database(file);
  db.prepare(sql).run(...params);
  db.close();
};

describe('a damaged state', () => {
  it('names a directory where state.db should be', async () => {
    const s = await withState();
    await rm(s.file);
    await mkdir(s.file);
    for (const args of [['check'], ['--dry-run']]) expectOneLine(await tune([...args, '--config', s.config], s.env), `${s.file}: is a directory, not the state database: move it away`);
  });

  it('names a truncated file and the fix, in a check and in a dry run (which never asks for memory it cannot fill)', async () => {
    const s = await withState();
    await truncate(s.file, (await stat(s.file)).size >> 1);
    for (const args of [['check'], ['--dry-run']]) expectOneLine(await tune([...args, '--config', s.config], s.env), `${s.file}: the state database is damaged`, '--rebuild-state');
    const rebuilt = await tune(['check', '--rebuild-state', '--config', s.config], s.env);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
  });

  it('names a meta value or a read position that is not JSON', async () => {
    const s = await withState();
    edit(s.file, "UPDATE meta SET value = '{not json' WHERE key = 'fingerprint'");
    for (const args of [['check'], ['--dry-run']]) expectOneLine(await tune([...args, '--config', s.config], s.env), `${s.file}: meta "fingerprint" is not JSON`, '--rebuild-state');

    const t = await withState();
    edit(t.file, "UPDATE units SET cursor = '{not json'");
    await appendFile(join(t.data, 'ci.jsonl'), NEW_CI);
    expectOneLine(await tune(['check', '--config', t.config], t.env), new RegExp(`${t.file}: the read position of .*\\.jsonl is not JSON`), '--rebuild-state');
  });

  it('names a damaged ledger of the LLM spend before any call is made', async () => {
    const s = await withState('llm: {monthly_budget_usd: 20}\n');
    const env = { ...s.env, ANTHROPIC_API_KEY: 'sk-ant-test-key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
    await writeFile(join(s.stateDir, 'spend.db'), 'this is not a database '.repeat(300));
    expectOneLine(await tune(['--dry-run', '--config', s.config], env), `${join(s.stateDir, 'spend.db')}: the ledger of tokentune's own LLM spend is damaged`, 'move it away');
    await rm(join(s.stateDir, 'spend.db'));
    await mkdir(join(s.stateDir, 'spend.db'));
    expectOneLine(await tune(['--dry-run', '--config', s.config], env), `${join(s.stateDir, 'spend.db')}: is a directory`);
  });

  it('names a state it may not write, and a dry run still reads it', async () => {
    const s = await withState();
    await appendFile(join(s.data, 'ci.jsonl'), NEW_CI);
    const asRoot = process.getuid?.() === 0;
    // Permissions do not bind root: the run goes as an unprivileged user there.
    const run = (args: string[]) => {
      try {
        const cmd = asRoot ? ['runuser', '-u', 'nobody', '--', process.execPath, TUNE] : [process.execPath, TUNE];
        const stdout = execFileSync(cmd[0]!, [...cmd.slice(1), ...args, '--config', s.config], { env: { ...process.env, ...s.env, ANTHROPIC_API_KEY: '' }, stdio: 'pipe', cwd: ROOT });
        return { code: 0, stdout: stdout.toString(), stderr: '' };
      } catch (e) {
        const err = e as { status: number; stdout: Buffer; stderr: Buffer };
        return { code: err.status, stdout: err.stdout.toString(), stderr: err.stderr.toString() };
      }
    };
    // Everyone may read the files on the way; nobody but the owner may write the state.
    for (let d = s.stateDir; d.length > 1 && d !== '/tmp'; d = join(d, '..')) await chmod(d, 0o755);
    await chmod(s.file, 0o444);
    await chmod(s.stateDir, 0o555);
    expectOneLine(run(['check']), 'cannot be written', 'check the permissions');
    const dry = run(['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    await chmod(s.stateDir, 0o755);
    await chmod(s.file, 0o644);
  });
});

describe('a full disk at commit', () => {
  it('says so with the path, and keeps the state as it was', async () => {
    const s = await withState();
    const before = await stateTotals(s.env.XDG_STATE_HOME);
    const size = (await stat(s.file)).size;
    // Enough new runs to grow the state past the file size limit set just above its size.
    const phases = (await readFile(join(s.data, 'phases.jsonl'), 'utf8')).split('\n').filter(Boolean);
    await appendFile(join(s.data, 'phases.jsonl'), `${phases.map((l) => l.replace(/"run_id":"/, '"run_id":"more-')).join('\n')}\n`);
    let r: { code: number; stderr: string };
    try {
      execFileSync('bash', ['-c', `ulimit -f ${Math.ceil(size / 1024) + 4}; exec "$0" check --config "$1"`, TUNE, s.config], {
        env: { ...process.env, ...s.env, ANTHROPIC_API_KEY: '' },
        stdio: 'pipe',
        cwd: ROOT,
      });
      r = { code: 0, stderr: '' };
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      r = { code: err.status, stderr: err.stderr.toString() };
    }
    expectOneLine(r, `${s.file}: could not be written`, 'nothing of this run was saved');
    expect(await stateTotals(s.env.XDG_STATE_HOME)).toEqual(before);
    // With room again, the same run reads the new data.
    const again = await tune(['check', '--json', '--config', s.config], s.env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).records).toBe(phases.length);
  });
});
