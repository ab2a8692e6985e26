import Database from 'better-sqlite3';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { exampleConfig, ROOT, tempDir, TUNE, tune } from '../helpers/cli.js';

const exec = promisify(execFile);

async function setUp() {
  const dir = await tempDir('tokentune-noop-');
  const config = await exampleConfig(dir);
  // Written long enough ago that its stat() may be trusted (see RACY_MS).
  const past = new Date(Date.now() - 3600_000);
  utimesSync(config, past, past);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  const fingerprint = () => {
    const base = join(dir, 'state', 'tokentune');
    const db = new Database(join(base, readdirSync(base)[0]!, 'state.db'), { readonly: true });
    try {
      return JSON.parse(db.prepare(`SELECT value FROM meta WHERE key = 'fingerprint'`).pluck().get() as string);
    } finally {
      db.close();
    }
  };
  const check = async (...args: string[]) => tune(['check', ...args, '--config', config], env);
  return { dir, config, env, fingerprint, check };
}

describe('the no-op check', () => {
  it('records the stat() of the config it hashed, and finds a touched but unchanged config a no-op', async () => {
    const t = await setUp();
    expect((await t.check()).stdout).toMatch(/^drift/);
    expect(t.fingerprint().inputs).toHaveProperty([t.config]);
    const later = new Date(Date.now() - 1800_000);
    utimesSync(t.config, later, later);
    const touched = JSON.parse((await t.check('--json')).stdout);
    expect(touched).toMatchObject({ result: 'noop', records: 0 });
    // The next one is answered before the parser loads, in the same words as the full path.
    const quick = JSON.parse((await t.check('--json')).stdout);
    expect(quick).toMatchObject({ result: 'noop', rollup_records: null, noop_streak: touched.noop_streak + 1 });
    expect(Object.keys(quick).sort()).toEqual(Object.keys(touched).sort());
    expect((await t.check('--exit-code')).code).toBe(0);
    // Answered before the parser loads, in each form the parser takes, quiet or not.
    expect((await tune(['check', `--config=${t.config}`, '-q'], t.env)).stdout).toBe('noop\n');
    expect((await tune(['check', '--verbose', '-c', t.config], t.env)).stdout).toBe('noop\n');
    expect((await tune(['check', '-q', '--verbose', '-c', t.config], t.env)).code).toBe(2);
    // A reader gone before the answer is written: it ends quietly there too.
    const child = spawn(process.execPath, [TUNE, 'check', '--json', '--config', t.config], { env: { ...process.env, ...t.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    expect(await new Promise<number | null>((resolve) => child.on('close', resolve)), err).toBe(0);
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
  });

  it('sees an edit whose mtime was put back (touch -r), through the ctime', async () => {
    const t = await setUp();
    await t.check();
    expect((await t.check()).stdout).toBe('noop\n');
    const { mtime } = statSync(t.config);
    const text = readFileSync(t.config, 'utf8');
    const edited = text.replace(/days: (\d)/, (_m, d: string) => `days: ${(Number(d) + 1) % 10}`);
    expect(edited).not.toBe(text);
    expect(edited.length).toBe(text.length);
    writeFileSync(t.config, edited);
    utimesSync(t.config, mtime, mtime);
    expect((await t.check()).stdout).not.toBe('noop\n');
  });

  it('does not trust the stat() of a file written moments before it was hashed', async () => {
    const t = await setUp();
    // Modified "now" as far as the check can tell, however long it takes to start: a clock ahead of the hash.
    const now = new Date(Date.now() + 600_000);
    utimesSync(t.config, now, now);
    expect((await t.check()).code).toBe(0);
    expect(t.fingerprint().inputs).not.toHaveProperty([t.config]);
  });

  it('rebuilds on request and refuses flags it does not take', async () => {
    const t = await setUp();
    await t.check();
    expect((await t.check()).stdout).toBe('noop\n');
    const rebuilt = await t.check('--rebuild-state', '--json');
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout).records).toBe(2272);
    expect((await t.check('--bogus')).code).toBe(2);
    expect((await t.check('--dry-run')).code).toBe(2);
  });
});

describe('bin/tune', () => {
  it('runs through a symlink, as node_modules/.bin links it', async () => {
    const dir = await tempDir('tokentune-bin-');
    const link = join(dir, 'tune');
    symlinkSync(TUNE, link);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect((await exec(link, ['--version'])).stdout.trim()).toBe(pkg.version);
    expect(join(ROOT, pkg.bin.tune)).toBe(TUNE);
  });
});

describe('the no-op check with a configured state.dir', () => {
  it('keeps all the state in that directory and still settles a no-op', async () => {
    const dir = await tempDir('tokentune-statedir-');
    const config = await exampleConfig(dir, `state:\n  dir: ${join(dir, 'my-state')}\n`);
    const env = { XDG_STATE_HOME: join(dir, 'xdg') };
    expect((await tune(['check', '--config', config], env)).stdout).toMatch(/^drift/);
    expect((await tune(['check', '--config', config], env)).stdout).toBe('noop\n');
    expect(readdirSync(join(dir, 'my-state')).sort()).toEqual(['state.db']);
    // nothing written anywhere else
    expect(() => readdirSync(join(dir, 'xdg'))).toThrow();
  });
});
