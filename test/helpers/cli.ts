import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The `tune` command as users run it: the launcher, its fast path, then the built commands. */
export const TUNE = join(ROOT, 'bin/tune');
export const EXAMPLE = join(ROOT, 'config/tuner.example.yaml');
const exec = promisify(execFile);

/** Runs the built CLI as a user would. Async, so servers in the test process keep answering. */
export async function tune(args: string[], env: NodeJS.ProcessEnv = {}, o: { cwd?: string } = {}) {
  // A private state directory unless the test shares one between runs on purpose.
  const state = env['XDG_STATE_HOME'] ?? (await mkdtemp(join(tmpdir(), 'tokentune-xdg-')));
  const base = { ...process.env, ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: '', FORCE_COLOR: '', NO_COLOR: '', ...env, XDG_STATE_HOME: state };
  try {
    const r = await exec(TUNE, args, { cwd: o.cwd ?? ROOT, env: base, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

export const tempDir = (prefix = 'tokentune-') => mkdtemp(join(tmpdir(), prefix));

/** The example telemetry (phases, calls, CI) copied into `dir`, for a test that appends to it. */
export async function copyExampleData(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of ['phases.jsonl', 'calls.jsonl', 'ci.jsonl']) await copyFile(join(ROOT, 'fixtures/example', f), join(dir, f));
}

/** The example config with absolute paths, written to `dir`, with extra YAML appended. */
/** Keeps the example's claude-sonnet-4-5 serving: for tests of other things than its migration. */
export const NO_RETIREMENT = "  retirements: {claude-sonnet-4-5: {retires: '2099-12-31', successor: claude-sonnet-5-5}}\n";

export async function exampleConfig(dir: string, extra = '', sources = join(ROOT, 'fixtures/example'), o: { models?: string } = {}): Promise<string> {
  const text = (await readFile(EXAMPLE, 'utf8'))
    .replace('\nmodels:\n', `\nmodels:\n${o.models ?? ''}`)
    .replace('../fixtures/example', sources)
    .replace(/path: example-target/g, `path: ${join(ROOT, 'config/example-target')}`)
    .replace(/\nllm:\n( {2}.*\n)*/, '\n');
  const file = join(dir, 'tuner.yaml');
  await writeFile(file, `${text}\n${extra}`);
  return file;
}
