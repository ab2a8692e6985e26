import { spawn } from 'node:child_process';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateDirIn } from '../helpers/state.js';
import { copyExampleData, exampleConfig, ROOT, tempDir, tune } from '../helpers/cli.js';

/** A process that holds a read transaction on the state (a backup, a dry run's copy) for `ms`. */
function holdRead(file: string, ms: number): Promise<void> {
  const script = `
    const Database = require(${JSON.stringify(join(ROOT, 'node_modules/better-sqlite3'))});
    const db = new Database(process.argv[1], { readonly: true });
    db.exec('BEGIN'); db.prepare('SELECT count(*) FROM units').get();
    process.stdout.write('holding\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
    db.exec('COMMIT'); db.close();`;
  const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', () => resolve()));
}

describe('a reader holding the state', () => {
  it('is waited for at commit, and the run is not lost', async () => {
    const dir = await tempDir('tokentune-reader-');
    const data = join(dir, 'data');
    await mkdir(data);
    await copyExampleData(data);
    const config = await exampleConfig(dir, '', data);
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    expect((await tune(['check', '--config', config], env)).code).toBe(0);
    // New data, and a reader that keeps the database for two seconds while the check commits.
    await appendFile(join(data, 'ci.jsonl'), '{"type":"ci","ts":"2026-11-20T23:00:00Z","run_id":"late","tier_id":"T1","ci_profile":"ci_standard","runs":1,"failures_caught":0,"false_positives":0}\n');
    await holdRead(join(await stateDirIn(env.XDG_STATE_HOME), 'state.db'), 2000);
    const r = await tune(['check', '--json', '--config', config], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 1 });
    expect((await tune(['check', '--config', config], env)).stdout).toBe('noop\n');
  });
});
