import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { trailerHash } from '../report/index.js';

/**
 * Git for publishing, through plumbing only: blobs, a tree built in a private index file, commit-tree
 * and update-ref. The user's HEAD, index, working tree and file timestamps are never touched, and no
 * hook runs.
 */

export class PublishError extends Error {
  override name = 'PublishError';
}

/**
 * simple-git strips every GIT_* variable (and a few that run programs) from the environment unless
 * allowed. The user's own git environment is kept, since it is how they reach their remote
 * (GIT_SSL_CAINFO, GIT_SSH_COMMAND, …); dropped are editors and pagers, which a non-interactive run
 * must not start, and variables that would point git at another repository or index than ours.
 */
const DROPPED_ENV = /^(editor|visual|pager|git_(editor|sequence_editor|pager|external_diff|dir|work_tree|index_file|common_dir|namespace))$/i;
const OWN_ENV = ['GIT_INDEX_FILE', 'GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'GIT_TERMINAL_PROMPT'];

function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !DROPPED_ENV.test(k)) env[k] = v;
  return { ...env, GIT_TERMINAL_PROMPT: '0', ...extra };
}

const allowedEnv = (): string[] => [...OWN_ENV, ...Object.keys(childEnv({})).filter((k) => /^git_|^ssh_askpass$/i.test(k))];

export interface Repo {
  root: string;
  git: SimpleGit;
}

export async function openRepo(dir: string, abort?: AbortSignal): Promise<Repo> {
  const probe = simpleGit({ baseDir: dir, config: [] });
  let root: string;
  try {
    root = (await probe.raw(['rev-parse', '--show-toplevel'])).trim();
  } catch {
    throw new PublishError(`${dir} is not inside a git repository: set publish.repo, or publish.enabled: false to only record and print proposals`);
  }
  // No hook runs: not the commit hooks (commit-tree runs none anyway), not pre-push, not
  // reference-transaction, which git runs even for plumbing ref updates.
  const git = simpleGit({ baseDir: root, config: ['core.hooksPath=/dev/null'], unsafe: { allowUnsafeHooksPath: true }, allowEnvironment: allowedEnv(), ...(abort ? { abort } : {}) });
  return { root, git };
}

// .env() sets the instance's environment for later commands too: every command sets its own.
const exact = (repo: Repo, args: string[], env: Record<string, string> = {}): Promise<string> => repo.git.env(childEnv(env)).raw(args);
const run = async (repo: Repo, args: string[], env?: Record<string, string>): Promise<string> => (await exact(repo, args, env)).trim();

async function revParse(repo: Repo, ref: string): Promise<string | null> {
  try {
    return await run(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    return null;
  }
}

/** The URL of a remote, or null when it has none. */
export async function remoteUrl(repo: Repo, remote: string | undefined): Promise<string | null> {
  if (!remote) return null;
  try {
    return (await run(repo, ['remote', 'get-url', remote])) || null;
  } catch {
    return null;
  }
}

export interface Base {
  name: string;
  ref: string;
  commit: string;
}

/**
 * The branch proposals start from: the configured one, else the remote's default branch, else the
 * branch checked out (a repository whose default is `master` works without a setting) unless it is
 * the proposal branch, else main.
 * With a remote, its refs are fetched first, so the base and the branch are the remote's.
 */
export async function resolveBase(repo: Repo, opts: { base?: string; remote?: string; proposalBranch?: string }): Promise<Base> {
  let name = opts.base;
  if (opts.remote) {
    try {
      await run(repo, ['fetch', '--quiet', '--prune', opts.remote]);
    } catch (e) {
      throw new PublishError(`git fetch ${opts.remote} failed: ${firstLine(e)}`);
    }
    if (!name) {
      const head = await run(repo, ['ls-remote', '--symref', opts.remote, 'HEAD']).catch(() => '');
      name = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(head)?.[1];
    }
  }
  if (!name && !opts.remote) {
    const current = (await run(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim();
    // The proposal branch itself checked out is no base: proposals would start from themselves.
    if (current && current !== opts.proposalBranch) name = current;
  }
  name ??= 'main';
  const ref = opts.remote ? `refs/remotes/${opts.remote}/${name}` : `refs/heads/${name}`;
  const commit = await revParse(repo, ref);
  if (!commit) throw new PublishError(`base branch ${name} not found (${ref}); set publish.base to the branch proposals start from`);
  return { name, ref, commit };
}

/**
 * When the branch at `commit` last changed `path`: along its first parents, so that a merge counts as
 * the moment its branch's changes arrived. Null when no commit touched it.
 */
export async function lastChangeAt(repo: Repo, commit: string, path: string): Promise<string | null> {
  const out = (await exact(repo, ['log', '-1', '--first-parent', '--format=%cI', commit, '--', path])).trim();
  return out || null;
}

/** A file's text at a commit; null when the commit has no such file. */
export async function readAt(repo: Repo, commit: string, path: string): Promise<string | null> {
  try {
    return await exact(repo, ['cat-file', 'blob', `${commit}:${path}`]);
  } catch {
    return null;
  }
}

export interface BranchCommit {
  sha: string;
  author: string;
  subject: string;
  /** The proposal hash of the trailer, for commits tokentune made. */
  hash: string | null;
}

/** Commits on `tip` that are not on `base`, newest first. */
export async function commitsSince(repo: Repo, base: string, tip: string): Promise<BranchCommit[]> {
  const out = await run(repo, ['log', '--format=%H%x00%an <%ae>%x00%s%x00%B%x1e', `${base}..${tip}`]);
  return out
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [sha, author, subject, body] = r.split('\x00') as [string, string, string, string];
      return { sha, author, subject, hash: trailerHash(body) };
    });
}

export const branchTip = (repo: Repo, ref: string): Promise<string | null> => revParse(repo, ref);

export interface Author {
  name: string;
  email: string;
}

/**
 * A commit of `files` (repo-relative path → new text) on top of `parent`, made in a private index;
 * returns its sha. Files keep their mode at `parent`.
 */
export async function commitFiles(repo: Repo, parent: string, files: { path: string; text: string }[], message: string, author: Author): Promise<string> {
  const tmp = await mkdtemp(join(tmpdir(), 'tokentune-git-'));
  try {
    const env = { GIT_INDEX_FILE: join(tmp, 'index') };
    await run(repo, ['read-tree', parent], env);
    for (const [i, f] of files.entries()) {
      const blobFile = join(tmp, `blob-${i}`);
      await writeFile(blobFile, f.text);
      // --path applies the repository's attributes (eol, filters) as if the file were checked in there.
      const blob = await run(repo, ['hash-object', '-w', `--path=${f.path}`, blobFile], env);
      const listed = await run(repo, ['ls-tree', parent, '--', f.path], env);
      const mode = /^(\d{6}) blob /.exec(listed)?.[1] ?? '100644';
      await run(repo, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${f.path}`], env);
    }
    const tree = await run(repo, ['write-tree'], env);
    const messageFile = join(tmp, 'message');
    await writeFile(messageFile, message);
    const who = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email };
    return await run(repo, ['commit-tree', tree, '-p', parent, '-F', messageFile], { ...env, ...who });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Points `refs/heads/<branch>` at `commit` if it still points at `expected` (null: must not exist). */
export async function setBranch(repo: Repo, branch: string, commit: string, expected: string | null): Promise<void> {
  await run(repo, ['update-ref', '-m', 'tokentune: proposal', `refs/heads/${branch}`, commit, expected ?? '0'.repeat(commit.length)]);
}

/** Pushes `commit` to the remote branch, only if that still is where the fetch saw it. */
export async function pushBranch(repo: Repo, remote: string, branch: string, commit: string, expected: string | null): Promise<void> {
  try {
    await run(repo, ['push', '--quiet', '--no-verify', `--force-with-lease=refs/heads/${branch}:${expected ?? ''}`, remote, `${commit}:refs/heads/${branch}`]);
  } catch (e) {
    throw new PublishError(`git push ${remote} ${branch} failed: ${firstLine(e)}`);
  }
}

/** The checkout (main or linked worktree) that has `branch` checked out, if any. */
export async function checkedOutIn(repo: Repo, branch: string): Promise<string | null> {
  const list = await run(repo, ['worktree', 'list', '--porcelain']);
  for (const block of list.split(/\n\n+/)) {
    if (block.split('\n').includes(`branch refs/heads/${branch}`)) return /^worktree (.*)$/m.exec(block)?.[1] ?? repo.root;
  }
  return null;
}

function firstLine(e: unknown): string {
  return String((e as Error).message ?? e)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 2)
    .join(' ');
}
