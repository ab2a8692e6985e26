import { plural } from '../common/index.js';
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Change } from '../targets/index.js';
import type { LoadedConfig } from '../config/index.js';
import { applyChanges, locate } from '../targets/index.js';
import { readTargets, type TargetFile } from '../targets/index.js';
import type { Stats } from '../stats/index.js';
import { branchTip, commitFiles, commitsSince, lastChangeAt, openRepo, PublishError, pushBranch, readAt, remoteUrl, resolveBase, setBranch, checkedOutIn, type Repo } from './git.js';
import { GithubClient, githubSettings } from './github.js';
import { GitlabClient, gitlabSettings, remoteProject } from './gitlab.js';
import { ensureRequest, settled as settledBy, type Platform, type PrOutcome } from './platform.js';
import { commitMessage, prBody, prTitle, proposalHash } from '../report/index.js';

/**
 * The publishing stage: the accepted changes, applied to the target files as they are on the base
 * branch, committed on the proposal branch, pushed, and offered as a pull request. Each step is
 * skipped when the one before already holds the same proposal, so a second run changes nothing.
 */

export type PublishStatus = 'disabled' | 'no-changes' | 'created' | 'updated' | 'unchanged' | 'blocked' | 'declined' | 'merged';

export interface PublishResult {
  status: PublishStatus;
  hash: string | null;
  repo: string | null;
  branch: string | null;
  base: string | null;
  commit: string | null;
  pushed: boolean;
  pr: PrOutcome | null;
  /** One line per thing a user should know, in order. */
  notes: string[];
}

export interface PublishInput {
  loaded: LoadedConfig;
  changes: Change[];
  stats: Stats;
  report: string;
  /** The target files as the analysis read them from the checkout, in the config's order. */
  checkout: readonly TargetFile[];
  push: boolean;
  env: NodeJS.ProcessEnv;
  abort?: AbortSignal;
}

export async function publishProposal(p: PublishInput): Promise<PublishResult> {
  const cfg = p.loaded.config.publish;
  const branch = `${cfg.branch_prefix}${cfg.branch}`;
  const result: PublishResult = { status: 'disabled', hash: null, repo: null, branch: null, base: null, commit: null, pushed: false, pr: null, notes: [] };
  if (!cfg.enabled) return { ...result, notes: ['publishing is off (publish.enabled: false): the proposal is recorded in the run state only'] };
  if (!p.changes.length) return { ...result, status: 'no-changes', notes: ['no change to publish'] };
  if (!p.loaded.targets.length) throw new PublishError('publishing needs targets: none is configured');

  const first = await realpath(p.loaded.targets[0]!.path);
  const repo = await openRepo(cfg.repo ? resolve(dirname(p.loaded.file), cfg.repo) : dirname(first), p.abort);
  const hash = proposalHash(p.changes);
  Object.assign(result, { hash, repo: repo.root, branch });
  const base = await resolveBase(repo, { base: cfg.base, remote: cfg.remote, proposalBranch: branch });
  result.base = base.name;

  // The edits land on the files as the base branch has them, not as the user's checkout has them.
  const onBase = await baseTargets(repo, p.loaded, base.commit, base.name);
  for (const [i, f] of onBase.entries()) {
    if (p.checkout[i]?.text !== f.text) result.notes.push(`${f.display} in your checkout differs from ${base.name}: the proposal is computed from and applied to ${base.name}'s version`);
  }
  const targets = readTargets(onBase);
  const files = applyChanges(p.changes, targets).filter((f) => f.after !== f.before);
  if (!files.length) return { ...result, status: 'no-changes', notes: [...result.notes, `${base.name} already holds every proposed value`] };

  const found = await platformFor(cfg, p.env, await remoteUrl(repo, cfg.remote), p.abort);
  const client = 'missing' in found ? null : found;
  const prs = client ? await client.prsFor(branch) : [];
  const settled = settledBy(prs, hash);
  if (settled) return { ...result, status: settled.action as 'declined' | 'merged', pr: settled, notes: [...result.notes, settled.message] };

  const holder = await checkedOutIn(repo, branch);
  if (holder) throw new PublishError(`${branch} is checked out in ${holder}: tokentune moves that branch, so switch that checkout to another branch`);
  const { localTip, remoteTip, current, currentHash, foreign } = await branchState(repo, base.commit, branch, cfg.remote);
  if (foreign) return { ...result, status: 'blocked', commit: foreign.tip, notes: [...result.notes, foreign.note] };

  let commit = current;
  // The same proposal on a branch whose files no longer match what it would write on the base today
  // (someone changed them on the base since): its pull request would conflict or undo that change, so
  // it is made again on the new base, as Renovate rebases. A branch with others' commits never gets here.
  const moved = current && currentHash === hash ? await filesMoved(repo, current, files) : [];
  if (current && currentHash === hash && !moved.length) {
    result.status = 'unchanged';
    result.notes.push(`${branch} already holds this proposal (${hash})`);
  } else {
    if (moved.length) result.notes.push(`${base.name} changed ${moved.join(', ')} since ${branch} was made: the proposal is made again on ${base.name} (${base.commit.slice(0, 7)})`);
    // A file's display name is its path in the repository (baseTargets).
    commit = await commitFiles(
      repo,
      base.commit,
      files.map((f) => ({ path: f.display, text: f.after })),
      commitMessage(p.loaded.config.project, p.stats, p.changes, hash),
      cfg.author,
    );
    result.status = current ? 'updated' : 'created';
    result.notes.push(`${result.status} branch ${branch} at ${commit.slice(0, 7)} from ${base.name} (${base.commit.slice(0, 7)}) in ${repo.root}: ${files.map((f) => f.display).join(', ')}`);
  }
  result.commit = commit;
  if (commit && localTip !== commit) await setBranch(repo, branch, commit, localTip);

  if (!cfg.remote) {
    result.notes.push(`no remote configured (publish.remote): the branch stays local; review it with: git -C ${repo.root} diff ${base.name}...${branch}`);
    return result;
  }
  if (!p.push) {
    result.notes.push('--no-push: the branch was not pushed and no PR was opened');
    return result;
  }
  if (commit && remoteTip !== commit) {
    await pushBranch(repo, cfg.remote, branch, commit, remoteTip);
    result.pushed = true;
    result.notes.push(`pushed ${branch} to ${cfg.remote}`);
  }
  if (!client) {
    result.notes.push(`no pull request: ${(found as { missing: string }).missing}`);
    return result;
  }
  const keyOf = (c: Change) => {
    const at = locate(c, targets);
    const file = onBase.find((f) => f.path === at?.file);
    return at && file ? `${file.display}: ${at.path.join('.')}` : c.kind;
  };
  result.pr = await ensureRequest(client, {
    branch,
    base: base.name,
    title: prTitle(p.stats, p.changes),
    body: prBody({ stats: p.stats, changes: p.changes, keyOf, report: p.report, hash }),
    hash,
    prs,
  });
  result.notes.push(result.pr.message, ...result.pr.warnings.map((w) => `warning: ${w}`));
  return result;
}

/**
 * The forge the request is opened on: as configured, else GitLab when the remote's host says so or
 * publish.gitlab names a project or an API, else GitHub. What is missing to reach it, without a token or a project.
 */
async function platformFor(cfg: LoadedConfig['config']['publish'], env: NodeJS.ProcessEnv, remote: string | null, abort?: AbortSignal): Promise<Platform | { missing: string }> {
  const host = remote ? remoteProject(remote)?.host : undefined;
  const platform = cfg.platform !== 'auto' ? cfg.platform : cfg.gitlab.project || cfg.gitlab.api_url || /gitlab/i.test(host ?? '') ? 'gitlab' : 'github';
  if (platform === 'none') return { missing: 'publish.platform is none' };
  if (platform === 'gitlab') {
    const gl = gitlabSettings(cfg.gitlab, cfg.branch_prefix, env, remote, abort);
    return 'missing' in gl ? gl : new GitlabClient(gl);
  }
  const gh = githubSettings(cfg.github, cfg.branch_prefix, env, abort);
  return 'missing' in gh ? gh : GithubClient.create(gh);
}

/** The files whose text on `commit` differs from what the proposal writes on the base now. */
async function filesMoved(repo: Repo, commit: string, files: readonly { display: string; after: string }[]): Promise<string[]> {
  const moved: string[] = [];
  for (const f of files) if ((await readAt(repo, commit, f.display)) !== f.after) moved.push(f.display);
  return moved;
}

/**
 * Where the proposal branch is, locally and on the remote; the proposal hash of its newest commit; and
 * the first commit on it that tokentune did not make, if any (then it is not ours to move).
 */
async function branchState(repo: Repo, baseCommit: string, branch: string, remote: string | undefined) {
  const localTip = await branchTip(repo, `refs/heads/${branch}`);
  const remoteTip = remote ? await branchTip(repo, `refs/remotes/${remote}/${branch}`) : null;
  const current = remoteTip ?? localTip;
  let currentHash: string | null = null;
  for (const tip of new Set([localTip, remoteTip])) {
    if (!tip) continue;
    const commits = await commitsSince(repo, baseCommit, tip);
    if (tip === current) currentHash = commits[0]?.hash ?? null;
    const others = commits.filter((c) => c.hash === null);
    if (!others.length) continue;
    const c = others[0]!;
    const where = tip === remoteTip && tip !== localTip ? `${remote}/${branch}` : branch;
    const note = `${where} holds ${plural(others.length, 'commit')} tokentune did not make (${c.sha.slice(0, 7)} by ${c.author}: "${c.subject}"): left alone. Merge or delete the branch to get new proposals.`;
    return { localTip, remoteTip, current, currentHash, foreign: { tip, note } };
  }
  return { localTip, remoteTip, current, currentHash, foreign: null };
}

/** A file's path with its folder's symlinks resolved, as git names the repository's root. */
async function realpathOf(path: string): Promise<string> {
  return join(await realpath(dirname(path)), basename(path));
}

/**
 * The target files as the base branch has them: what a published proposal is computed from, so that
 * its "current" values are the ones its pull request changes, whatever the checkout holds.
 */
export async function targetsOnBase(loaded: LoadedConfig, abort?: AbortSignal): Promise<TargetFile[]> {
  const cfg = loaded.config.publish;
  const first = await realpath(loaded.targets[0]!.path);
  const repo = await openRepo(cfg.repo ? resolve(dirname(loaded.file), cfg.repo) : dirname(first), abort);
  const base = await resolveBase(repo, { base: cfg.base, remote: cfg.remote, proposalBranch: `${cfg.branch_prefix}${cfg.branch}` });
  return baseTargets(repo, loaded, base.commit, base.name);
}

async function baseTargets(repo: Repo, loaded: LoadedConfig, commit: string, baseName: string): Promise<TargetFile[]> {
  return Promise.all(
    loaded.targets.map(async (t, i) => {
      const abs = await realpathOf(t.path);
      const rel = relative(repo.root, abs);
      if (rel.startsWith('..') || isAbsolute(rel)) throw new PublishError(`targets[${i}].path: ${t.path} is outside the repository ${repo.root}`);
      const text = await readAt(repo, commit, rel);
      if (text === null) throw new PublishError(`targets[${i}].path: ${rel} is not on ${baseName}: commit it there first`);
      const changedAt = await lastChangeAt(repo, commit, rel);
      return { path: abs, display: rel, preset: t.preset, text, ...(changedAt ? { changedAt } : {}) };
    }),
  );
}
