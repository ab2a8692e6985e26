import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyExampleData, EXAMPLE, ROOT, tempDir, tune } from './cli.js';

const exec = promisify(execFile);

/** Runs git as a person at a terminal would; returns trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Jane Lead', GIT_AUTHOR_EMAIL: 'jane@example.com', GIT_COMMITTER_NAME: 'Jane Lead', GIT_COMMITTER_EMAIL: 'jane@example.com' };
  return (await exec('git', args, { cwd, env })).stdout.trim();
}

/**
 * A pipeline repository as a user has it: the example targets committed on main (or `branch`) under
 * config/, a bare repository as its origin, the example telemetry beside it, and a tuner config
 * publishing to it.
 */
export async function tunedRepo(publish: string, opts: { branch?: string } = {}) {
  const main = opts.branch ?? 'main';
  const dir = await tempDir('tokentune-publish-');
  const remote = join(dir, 'origin.git');
  const work = join(dir, 'pipeline');
  const data = join(dir, 'data');
  await git(dir, 'init', '--quiet', '--bare', '-b', main, remote);
  await mkdir(join(work, 'config'), { recursive: true });
  await git(work, 'init', '--quiet', '-b', main);
  for (const f of ['models.yaml', 'strategy_engine_config.yaml']) await copyFile(join(ROOT, 'config/example-target', f), join(work, 'config', f));
  await writeFile(join(work, 'README.md'), '# pipeline\n');
  await git(work, 'add', '.');
  await git(work, 'commit', '--quiet', '-m', 'Pipeline config');
  await git(work, 'remote', 'add', 'origin', remote);
  await git(work, 'push', '--quiet', 'origin', main);
  await mkdir(data);
  await copyExampleData(data);
  const text = (await readFile(EXAMPLE, 'utf8'))
    .replace('../fixtures/example', data)
    .replace(/path: example-target/g, `path: ${join(work, 'config')}`)
    .replace(/\nllm:\n( {2}.*\n)*/, '\n')
    .replace(/\npublish:\n( {2}.*\n)*/, '\n');
  const config = join(dir, 'tuner.yaml');
  await writeFile(config, `${text}\n${publish}`);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  return {
    dir,
    remote,
    work,
    data,
    config,
    env,
    run: (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => tune([...args, '--config', config], { ...env, GITHUB_TOKEN: '', GH_TOKEN: '', GITHUB_REPOSITORY: '', ...extraEnv }),
  };
}

/**
 * Everything of a checkout a publishing run must leave alone: HEAD, the branch it names, the index
 * file's bytes, and every working-tree file's bytes and modification time.
 */
export async function checkoutSnapshot(work: string) {
  const files: Record<string, { text: string; mtimeMs: number }> = {};
  async function walk(rel: string): Promise<void> {
    for (const e of await readdir(join(work, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (p === '.git') continue;
      if (e.isDirectory()) await walk(p);
      else files[p] = { text: await readFile(join(work, p), 'utf8'), mtimeMs: (await stat(join(work, p))).mtimeMs };
    }
  }
  await walk('');
  const head = await readFile(join(work, '.git/HEAD'), 'utf8');
  const index = (await readFile(join(work, '.git/index'))).toString('base64');
  const main = await readFile(join(work, '.git/refs/heads/main'), 'utf8').catch(() => null);
  return { head, index, main, files };
}
