import { spawnSync } from 'node:child_process';
import { mkdir, stat, truncate } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExampleData, exampleConfig, ROOT, tempDir, tune } from '../helpers/cli.js';
import { stateDirIn, stateTotals } from '../helpers/state.js';

/**
 * A run killed in the middle of its commit leaves SQLite's rollback journal beside the state. Whole,
 * SQLite plays it back and nothing is lost. Cut short (a disk that acknowledged writes it had not
 * made, an image copied mid-write), the file it leaves can pass the daily quick_check while its
 * indexes disagree with its tables: the next run checks it whole and says so, dry runs included.
 */
async function killedMidCommit() {
  const dir = await tempDir('tokentune-powerloss-');
  const data = join(dir, 'data');
  await mkdir(data);
  await copyExampleData(data);
  const config = await exampleConfig(dir, '', data);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  expect((await tune(['check', '--config', config], env)).code).toBe(0);
  const before = await stateTotals(env.XDG_STATE_HOME);
  const file = join(await stateDirIn(env.XDG_STATE_HOME), 'state.db');
  // A writer with a tiny page cache spills its changes into the file before it commits, then dies.
  const script = `
    const Database = require(${JSON.stringify(join(ROOT, 'node_modules/better-sqlite3'))});
    const db = new Database(process.argv[1]);
    db.pragma('cache_size = 5');
    db.exec('BEGIN IMMEDIATE');
    db.exec('UPDATE phase_days SET phases = phases + 1000, tokens_sum = tokens_sum * 3');
    const add = db.prepare('INSERT INTO seen (key, unit, day) VALUES (?, 1, 1)');
    for (let i = 0; i < 3000; i++) add.run('zz' + i + 'x'.repeat(100));
    process.kill(process.pid, 'SIGKILL');`;
  const killed = spawnSync(process.execPath, ['-e', script, file]);
  expect(killed.signal).toBe('SIGKILL');
  expect((await stat(`${file}-journal`)).size).toBeGreaterThan(0);
  return { config, env, file, before };
}

describe('a run that stopped mid-commit', () => {
  it('is undone by its journal when the journal is whole: the state is as before', async () => {
    const s = await killedMidCommit();
    const r = await tune(['check', '--json', '--config', s.config], s.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).result).toBe('noop');
    expect(existsSync(`${s.file}-journal`)).toBe(false);
    expect(await stateTotals(s.env.XDG_STATE_HOME)).toEqual(s.before);
  });

  it('is found when the journal was cut short, by checks and dry runs alike, until --rebuild-state', async () => {
    const s = await killedMidCommit();
    await truncate(`${s.file}-journal`, (await stat(`${s.file}-journal`)).size >> 1);
    const damaged =
      /state\.db: a run stopped while writing it \(killed, or the power went\) and its journal could not undo the write: the state database fails its integrity check \(.+\)\. Run again with --rebuild-state/;
    for (const args of [['check'], ['check'], ['--dry-run']]) {
      const r = await tune([...args, '--config', s.config], s.env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(damaged);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const rebuilt = await tune(['check', '--rebuild-state', '--config', s.config], s.env);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(await stateTotals(s.env.XDG_STATE_HOME)).toEqual(s.before);
    expect((await tune(['--dry-run', '--config', s.config], s.env)).code).toBe(0);
  });
});
