import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnthropicStub } from '../helpers/anthropic-stub.js';
import { exampleConfig, ROOT, tempDir, TUNE, tune } from '../helpers/cli.js';

const exec = promisify(execFile);

/** The state directory a config's runs share in these tests, and its files. */
async function setUp() {
  const dir = await tempDir('tokentune-launcher-');
  const config = await exampleConfig(dir);
  // Written long enough ago that its stat() may be trusted (see RACY_MS).
  const past = new Date(Date.now() - 3600_000);
  utimesSync(config, past, past);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  const stateDir = () => {
    const base = join(dir, 'state', 'tokentune');
    return join(base, readdirSync(base)[0]!);
  };
  const state = () => JSON.parse(readFileSync(join(stateDir(), 'state.json'), 'utf8'));
  // Rollups the full path would have to read: garbage, so a run that reads them fails.
  const spoilRollups = () => {
    for (const f of readdirSync(stateDir()).filter((n) => n.endsWith('.bin'))) writeFileSync(join(stateDir(), f), 'not rollups');
  };
  const check = async (...args: string[]) => tune(['check', ...args, '--config', config], env);
  return { dir, config, env, state, spoilRollups, check };
}

describe('bin/tune, the launcher', () => {
  it('settles a no-op check from stat() alone, with the same report as the full path', async () => {
    const t = await setUp();
    expect((await t.check()).stdout).toMatch(/^drift/);
    expect(t.state().fingerprint.inputs).toHaveProperty([t.config]);

    // Same content, new mtime: the fast path cannot tell, so the full path hashes it and finds a no-op.
    const later = new Date(Date.now() - 1800_000);
    utimesSync(t.config, later, later);
    const full = await t.check('--json');
    expect(full.code).toBe(0);
    const fullJson = JSON.parse(full.stdout);
    expect(fullJson.result).toBe('noop');

    // Now stat() matches what was recorded: the fast path answers without reading any rollup.
    t.spoilRollups();
    const fast = await t.check('--json');
    expect(fast.code).toBe(0);
    expect(JSON.parse(fast.stdout)).toEqual({ ...fullJson, noop_streak: fullJson.noop_streak + 1 });
    expect((await t.check('--exit-code')).stdout).toBe('noop\n');
    expect(t.state().ledger.slice(-3).map((e: { result: string }) => e.result)).toEqual(['noop', 'noop', 'noop']);

    // A touched config sends the check down the full path, which meets the spoilt rollups and says so.
    utimesSync(t.config, new Date(), new Date());
    const spoilt = await t.check();
    expect(spoilt.code).not.toBe(0);
    expect(spoilt.stderr).toContain('--rebuild-state');
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
    const now = new Date();
    utimesSync(t.config, now, now);
    expect((await t.check()).code).toBe(0);
    expect(t.state().fingerprint.inputs).not.toHaveProperty([t.config]);
    t.spoilRollups();
    // Unchanged on disk, but its stat() was never recorded: hashed again, on the full path.
    expect((await t.check()).stderr).toContain('--rebuild-state');
  });

  it('goes to the full path for options the fast path does not serve', async () => {
    const t = await setUp();
    await t.check();
    expect((await t.check()).stdout).toBe('noop\n');
    const rebuilt = await t.check('--rebuild-state', '--json');
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout).records).toBeGreaterThan(0);
    expect((await t.check('--bogus')).code).toBe(2);
  });

  it('keeps NODE_EXTRA_CA_CERTS for the commands that open TLS connections', async () => {
    const dir = await tempDir('tokentune-tls-');
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await exec('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    const answer = { summary: 'Nothing to add.', changes: [], advice: [], caveats: [] };
    const stub = await startAnthropicStub({ replies: [{ answer }], tls: { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') } });
    cleanup.push(stub.close);
    const config = await exampleConfig(dir, 'llm:\n  model: claude-sonnet-4-5\n  timeout_seconds: 5\n  max_retries: 0\n');
    const env = { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: stub.url };

    const trusted = await tune(['--dry-run', '--json', '--config', config], { ...env, NODE_EXTRA_CA_CERTS: cert });
    expect(trusted.code).toBe(0);
    expect(JSON.parse(trusted.stdout).llm).toMatchObject({ used: true, outcome: 'answered' });
    expect(stub.messages()).toHaveLength(1);

    // The control: without the certificate the same call fails TLS and the run falls back.
    const untrusted = await tune(['--dry-run', '--json', '--config', config], { ...env, NODE_EXTRA_CA_CERTS: '' });
    expect(untrusted.code).toBe(0);
    expect(JSON.parse(untrusted.stdout).llm.outcome).not.toBe('answered');
    expect(stub.messages()).toHaveLength(1);
  });

  it('gives the same proposal through the bundled commands as through main.js, the unbundled build', async () => {
    const dir = await tempDir('tokentune-builds-');
    const config = await exampleConfig(dir);
    const env = { ...process.env, XDG_STATE_HOME: join(dir, 'state'), ANTHROPIC_API_KEY: '' };
    const opts = { env, maxBuffer: 64 << 20 };
    const bundled = JSON.parse((await exec(TUNE, ['--dry-run', '--json', '--config', config], opts)).stdout);
    const plain = JSON.parse((await exec(process.execPath, [join(ROOT, 'dist/cli/main.js'), '--dry-run', '--json', '--config', config], opts)).stdout);
    expect(bundled.changes.length).toBeGreaterThan(0);
    expect(plain.changes).toEqual(bundled.changes);
    expect(plain.diffs).toEqual(bundled.diffs);
  });

  it('runs through a symlink, as node_modules/.bin links it, and main.js runs without it', async () => {
    const dir = await tempDir('tokentune-bin-');
    const link = join(dir, 'tune');
    symlinkSync(TUNE, link);
    expect((await exec(link, ['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(join(ROOT, pkg.bin.tune)).toBe(TUNE);
    expect((await exec(join(ROOT, 'dist/cli/main.js'), ['--version'])).stdout.trim()).toBe(pkg.version);
  });
});

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});
