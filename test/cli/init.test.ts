import { execFileSync } from 'node:child_process';
import { copyFile, cp, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_RETIREMENTS } from '../../src/pricing/retirements.js';
import { renderConfig } from '../../src/run/init.js';
import { parse } from 'yaml';
import { copyExampleData, ROOT, tempDir, tune } from '../helpers/cli.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' }, encoding: 'utf8' });

/** A repository as a new user has it: their seed-layout models.yaml and a telemetry directory, on master. */
async function freshRepo() {
  const dir = await tempDir('tokentune-init-');
  await mkdir(join(dir, 'pipeline/config'), { recursive: true });
  await mkdir(join(dir, 'pipeline/telemetry'));
  await copyFile(join(ROOT, 'config/example-target/models.yaml'), join(dir, 'pipeline/config/models.yaml'));
  await copyExampleData(join(dir, 'pipeline/telemetry'));
  const repo = join(dir, 'pipeline');
  git(repo, 'init', '--quiet', '-b', 'master');
  git(repo, 'add', '.');
  git(repo, 'commit', '--quiet', '-m', 'Pipeline');
  // No Claude Code transcripts on this machine, for the test.
  const env = { XDG_STATE_HOME: join(dir, 'state'), HOME: join(dir, 'home'), CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: '' };
  return { dir, repo, env };
}

describe('tune init', () => {
  it('in a fresh repository: finds the telemetry and the models.yaml, and tune --dry-run works with no editing', async () => {
    const { repo, env } = await freshRepo();
    const init = await tune(['init'], env, { cwd: repo });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`wrote ${join(repo, 'tokentune.yaml')}: 1 source and 1 target found`);
    expect(init.stdout).toMatch(/Next:\n {2}npx tokentune --dry-run .*\n {2}npx tokentune check .*\n {2}npx tokentune {2}.*/);
    const text = await readFile(join(repo, 'tokentune.yaml'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\S+schema\/tokentune\.schema\.json\n/);
    expect(text).toContain('# found: its calls.jsonl holds tokentune export records');
    expect(text).toContain('# no git remote: the proposal branch stays local, made from master');
    expect(text).toContain('# guessed: a ceiling to start from');
    expect(parse(text)).toMatchObject({ sources: [{ path: 'telemetry', format: 'tokentune-jsonl' }], targets: [{ path: 'config/models.yaml', preset: 'seed-models' }], publish: { enabled: true } });

    // Every command reads it from here without --config.
    const dry = await tune(['--dry-run'], env, { cwd: repo });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('# Cost / Budget Tuning Report: pipeline');
    expect((await tune(['check'], env, { cwd: repo })).stdout).toMatch(/^drift: no proposal recorded yet/);

    // Never over an existing config.
    const again = await tune(['init'], env, { cwd: repo });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('tokentune.yaml exists; tune init never overwrites a config');
    expect(await readFile(join(repo, 'tokentune.yaml'), 'utf8')).toBe(text);

    // .tokentune.yaml is found as well; with neither, the error says to run tune init.
    await rename(join(repo, 'tokentune.yaml'), join(repo, '.tokentune.yaml'));
    expect((await tune(['check'], env, { cwd: repo })).code).toBe(0);
    await rename(join(repo, '.tokentune.yaml'), join(repo, 'elsewhere.yaml'));
    const none = await tune(['check'], env, { cwd: repo });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('tokentune.yaml: config file not found: run `tune init` to write one here, or name a config with --config');
  });

  it('never suggests a retiring model: one the targets name is said to migrate, the ladders hold the lineup in force', () => {
    const found = { sources: [], targets: [], publish: { git: false, why: [] }, offLadder: ['claude-opus-4-5', 'claude-sonnet-4-5', 'gpt-4.1'] };
    const text = renderConfig('/r', found, undefined);
    expect(text).toContain('# found: the targets name claude-opus-4-5, which retires on 2027-01-22: the first proposal moves it to claude-opus-5-5.');
    const ladders = text.split('\n').filter((l) => /^# {5}\w+: \[/.test(l));
    expect(ladders).toEqual(['#     openai: [gpt-4o-mini, gpt-4.1, gpt-4o]']);
    const suggested = ladders.flatMap((l) => [...l.matchAll(/\b(claude-[a-z0-9-]+|gpt-[a-z0-9.-]+)/g)].map((m) => m[1]!));
    for (const m of suggested) expect(BUNDLED_RETIREMENTS[m], m).toBeUndefined();
  });

  it('finds Autopack and Myco databases and configs, and a GitHub remote', async () => {
    const { dir, repo, env } = await freshRepo();
    await cp(join(ROOT, 'config/autopack-target/config'), join(repo, 'autopack/config'), { recursive: true });
    await copyFile(join(ROOT, 'fixtures/autopack/autopack.db'), join(repo, 'autopack/autopack.db'));
    await cp(join(ROOT, 'config/myco-target/.myco'), join(repo, '.myco'), { recursive: true });
    await copyFile(join(ROOT, 'fixtures/myco/myco.db'), join(repo, '.myco/myco.db'));
    git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/pipeline.git');
    const init = await tune(['init', '--dir', repo], env, { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    const cfg = parse(await readFile(join(repo, 'tokentune.yaml'), 'utf8'));
    expect(cfg.sources).toEqual(
      expect.arrayContaining([
        { path: '.myco/myco.db', format: 'myco-db' },
        { path: 'autopack/autopack.db', format: 'autopack-db' },
        { path: 'telemetry', format: 'tokentune-jsonl' },
      ]),
    );
    expect(cfg.targets).toEqual(
      expect.arrayContaining([
        { path: '.myco/myco.yaml', preset: 'myco' },
        { path: 'autopack/config/models.yaml', preset: 'autopack' },
        { path: 'autopack/config/project_ruleset_Example.json', preset: 'autopack' },
        { path: 'config/models.yaml', preset: 'seed-models' },
      ]),
    );
    expect(cfg.publish).toEqual({ enabled: true, remote: 'origin', github: { repository: 'acme/pipeline' } });
    // The config it wrote is one tokentune reads.
    const check = await tune(['check'], env, { cwd: repo });
    expect(check.code, check.stderr).toBe(0);
  });

  it("finds AutoSkillit's recipe, its defaults and its session logs", async () => {
    const { dir, repo, env } = await freshRepo();
    const gen = join(dir, 'gen');
    execFileSync(process.execPath, [join(ROOT, 'scripts/generate-autoskillit.mjs'), '--out', gen, '--orders', '4'], { stdio: 'ignore' });
    await cp(join(gen, 'repo/recipes'), join(repo, 'recipes'), { recursive: true });
    await cp(join(gen, 'repo/config/defaults.yaml'), join(repo, 'autoskillit/defaults.yaml'));
    await cp(join(gen, 'logs'), join(dir, 'data/autoskillit/logs'), { recursive: true });
    const init = await tune(['init', '--dir', repo], { ...env, XDG_DATA_HOME: join(dir, 'data') }, { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    const text = await readFile(join(repo, 'tokentune.yaml'), 'utf8');
    const cfg = parse(text);
    // Beside the repository's own telemetry, the logs in AutoSkillit's home are offered (guessed: to uncomment).
    expect(text).toMatch(/format: autoskillit/);
    expect(text).toContain('AutoSkillit session logs in');
    expect(cfg.targets).toEqual(
      expect.arrayContaining([
        { path: 'recipes/remediation.yaml', preset: 'autoskillit' },
        { path: 'autoskillit/defaults.yaml', preset: 'autoskillit' },
      ]),
    );
  });

  it('outside a git repository, with nothing of its own found, writes placeholders and says so', async () => {
    const dir = await tempDir('tokentune-init-empty-');
    await writeFile(join(dir, 'notes.md'), '# nothing here\n');
    const r = await tune(['init'], { HOME: join(dir, 'home'), CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: '' }, { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no telemetry found here: fill in the placeholder');
    const cfg = parse(await readFile(join(dir, 'tokentune.yaml'), 'utf8'));
    expect(cfg.publish).toEqual({ enabled: false });
    expect(cfg.sources).toEqual([{ path: 'telemetry/', format: 'tokentune-jsonl' }]);
  });
});

describe("the README's walkthrough", () => {
  it('runs as written in a fresh repository, up to the first proposal branch', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Adopt it on your repository'), readme.indexOf('### FAQ'));
    const block = /```\n([\s\S]*?)```/.exec(section)![1]!;
    const commands = block
      .split('\n')
      .map((l) => l.replace(/#.*$/, '').trim())
      .filter((l) => l.startsWith('npx tokentune'));
    expect(commands).toEqual(['npx tokentune init', 'npx tokentune --dry-run', 'npx tokentune check']);
    // Nine steps at most, from init to the first weekly PR.
    expect([...section.matchAll(/^\d+\. /gm)].length).toBeLessThanOrEqual(10);
    const { repo, env } = await freshRepo();
    for (const c of commands) {
      const r = await tune(c.split(' ').slice(2), env, { cwd: repo });
      expect(r.code, `${c}: ${r.stderr}`).toBe(0);
    }
    // The weekly run, without a remote: the proposal branch, from master, the checkout untouched.
    const weekly = await tune([], env, { cwd: repo });
    expect(weekly.code, weekly.stderr).toBe(0);
    expect(weekly.stderr).toMatch(/created branch tokentune\/cost-tuning at \w+ from master/);
    expect(git(repo, 'status', '--porcelain').trim()).toBe('?? tokentune.yaml');
  });
});
