import { execFile, execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { copyExampleData, ROOT, tempDir } from '../helpers/cli.js';

const exec = promisify(execFile);

/**
 * The package as a new user gets it: `npm pack`, installed into an empty project with production
 * dependencies only (better-sqlite3 compiled if need be), run through its two commands from outside
 * any checkout of tokentune. `npm test` builds dist/ first, so the pack runs no script of its own.
 */
describe('the packed package', () => {
  it('installs into an empty project and runs: help, a Claude Code report, init and a dry run', async () => {
    const dir = await tempDir('tokentune-pack-');
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as {
      filename: string;
      files: { path: string }[];
    }[];
    const files = packed[0]!.files.map((f) => f.path);
    for (const needed of [
      'bin/tune',
      'dist/main.js',
      'dist/ingest/worker.js',
      'prompts/cost-tuning.hbs',
      'schema/tokentune.schema.json',
      'docs/CONFIG.md',
      'config/tuner.example.yaml',
      'README.md',
      'package.json',
    ])
      expect(files, needed).toContain(needed);
    expect(files.filter((f) => /^(src|test|bench|scripts|fixtures)\//.test(f))).toEqual([]);

    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    await exec('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed[0]!.filename)], { cwd: app, maxBuffer: 64 << 20 });
    const installed = await readdir(join(app, 'node_modules'));
    for (const dev of ['vitest', 'typescript', 'eslint', 'ccusage']) expect(installed, dev).not.toContain(dev);
    expect(existsSync(join(app, 'node_modules/@types'))).toBe(false);

    // Outside any checkout of tokentune, with no key, no token and no transcripts of this machine.
    const home = join(dir, 'home');
    const env = { PATH: process.env['PATH']!, HOME: home, XDG_STATE_HOME: join(dir, 'state'), CLAUDE_CONFIG_DIR: '', ANTHROPIC_API_KEY: '', GITHUB_TOKEN: '' };
    const run = async (bin: 'tokentune' | 'tune', args: string[], cwd = app, extra: Record<string, string> = {}) => {
      try {
        const r = await exec(join(app, 'node_modules/.bin', bin), args, { cwd, env: { ...env, ...extra }, maxBuffer: 64 << 20 });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, stdout: err.stdout, stderr: err.stderr };
      }
    };
    const help = await run('tokentune', ['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tokentune \[options\] \[command\]/);
    expect((await run('tune', ['--version'])).stdout.trim()).toBe(JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version);

    // A Claude Code history with known totals, found where Claude Code keeps it.
    const corpus = join(dir, 'claude');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-claude-code.mjs'), '--out', corpus, '--sessions', '8'], { stdio: 'ignore' });
    const truth = JSON.parse(await readFile(join(corpus, 'truth.json'), 'utf8')) as { cost: { calculate: Record<string, number> } };
    const daily = await run('tokentune', ['report', 'daily', '--json', '--timezone', 'UTC', '--mode', 'calculate'], app, { CLAUDE_CONFIG_DIR: corpus });
    expect(daily.code, daily.stderr).toBe(0);
    const out = JSON.parse(daily.stdout) as { daily: { date: string }[]; totals: { totalCost: number } };
    expect(out.daily.map((d) => d.date)).toEqual(Object.keys(truth.cost.calculate).sort());
    expect(out.totals.totalCost).toBeCloseTo(
      Object.values(truth.cost.calculate).reduce((a, b) => a + b, 0),
      8,
    );

    // A pipeline repository: init finds its telemetry and models.yaml, and the dry run proposes.
    const repo = join(dir, 'pipeline');
    await mkdir(join(repo, 'config'), { recursive: true });
    await mkdir(join(repo, 'telemetry'));
    await copyFile(join(ROOT, 'config/example-target/models.yaml'), join(repo, 'config/models.yaml'));
    await copyExampleData(join(repo, 'telemetry'));
    execFileSync('git', ['init', '--quiet', '-b', 'main'], { cwd: repo });
    const init = await run('tokentune', ['init'], repo);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('1 source and 1 target found');
    expect(await readFile(join(repo, 'tokentune.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/app\/node_modules\/tokentune\/schema\/tokentune\.schema\.json\n/);
    const dry = await run('tokentune', ['--dry-run'], repo);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('# Cost / Budget Tuning Report: pipeline');
    expect(dry.stdout).toMatch(/^\+\s+\w+: claude-/m);
  }, 600_000);
});
