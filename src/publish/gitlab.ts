import { markerHash } from '../report/index.js';
import { callForge, type Platform, type PullRequest } from './platform.js';

/**
 * Merge requests on GitLab (gitlab.com or self-managed) through its REST API v4, with Node's fetch:
 * the same proposal branch and hidden proposal hash as on GitHub, the MR's description as the body.
 */

export interface GitlabSettings {
  token: string;
  /** The project's path, `group/subgroup/name`. */
  project: string;
  apiUrl: string;
  labels: string[];
  reviewers: string[];
  assignees: string[];
  maxOpenMrs: number;
  branchPrefix: string;
  timeoutMs: number;
  abort?: AbortSignal;
}

/** The host and project path a remote's URL names (`git@host:group/name.git`, `https://host/group/name`). */
export function remoteProject(url: string): { host: string; path: string } | null {
  const m = /^(?:[\w+.-]+:\/\/)?(?:[^@/]+@)?([^:/]+)(?::\d+)?[:/](.+?)(?:\.git)?\/?$/.exec(url.trim());
  return m && m[2]!.includes('/') ? { host: m[1]!, path: m[2]!.replace(/^\/+/, '') } : null;
}

/** Settings from config, environment and the remote's URL; what is missing, without a token or a project. */
export function gitlabSettings(
  cfg: { project?: string; api_url?: string; labels: string[]; reviewers: string[]; assignees: string[]; max_open_mrs: number; timeout_seconds: number },
  branchPrefix: string,
  env: NodeJS.ProcessEnv,
  remoteUrl: string | null,
  abort?: AbortSignal,
): GitlabSettings | { missing: string } {
  const token = env['GITLAB_TOKEN'];
  const remote = remoteUrl ? remoteProject(remoteUrl) : null;
  const project = cfg.project ?? remote?.path;
  if (!token) return { missing: 'GITLAB_TOKEN is not set' };
  if (!project) return { missing: 'no project: set publish.gitlab.project (group/name), or a remote whose URL names it' };
  const apiUrl = cfg.api_url ?? env['CI_API_V4_URL'] ?? (remote ? `https://${remote.host}/api/v4` : 'https://gitlab.com/api/v4');
  return {
    token,
    project,
    apiUrl: apiUrl.replace(/\/$/, ''),
    labels: cfg.labels,
    reviewers: cfg.reviewers,
    assignees: cfg.assignees,
    maxOpenMrs: cfg.max_open_mrs,
    branchPrefix,
    timeoutMs: cfg.timeout_seconds * 1000,
    ...(abort ? { abort } : {}),
  };
}

interface MergeRequest {
  iid: number;
  web_url: string;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  description: string | null;
  source_branch: string;
}

class GitlabError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class GitlabClient implements Platform {
  readonly noun = 'MR';
  readonly sigil = '!';
  readonly wants: Platform['wants'];
  private readonly base: string;

  constructor(private readonly s: GitlabSettings) {
    this.wants = { branchPrefix: s.branchPrefix, maxOpen: s.maxOpenMrs, labels: s.labels, reviewers: s.reviewers, assignees: s.assignees };
    this.base = `${s.apiUrl}/projects/${encodeURIComponent(s.project)}/merge_requests`;
  }

  async prsFor(branch: string): Promise<PullRequest[]> {
    const mrs = await this.call<MergeRequest[]>('list merge requests', 'GET', `${this.base}?source_branch=${encodeURIComponent(branch)}&state=all&per_page=100`);
    return mrs
      .filter((m) => m.source_branch === branch)
      .map((m) => ({
        number: m.iid,
        url: m.web_url,
        state: m.state === 'opened' || m.state === 'locked' ? ('open' as const) : ('closed' as const),
        merged: m.state === 'merged',
        hash: markerHash(m.description),
        head: m.source_branch,
      }))
      .sort((a, b) => b.number - a.number);
  }

  async openRequests(): Promise<{ number: number; head: string }[]> {
    const mrs = await this.call<MergeRequest[]>('list open merge requests', 'GET', `${this.base}?state=opened&per_page=100`);
    return mrs.map((m) => ({ number: m.iid, head: m.source_branch }));
  }

  async create(o: { branch: string; base: string; title: string; body: string }): Promise<{ number: number; url: string }> {
    const mr = await this.call<MergeRequest>('open the merge request', 'POST', this.base, {
      source_branch: o.branch,
      target_branch: o.base,
      title: o.title,
      description: o.body,
      remove_source_branch: true,
    });
    return { number: mr.iid, url: mr.web_url };
  }

  async update(number: number, o: { title: string; body: string }): Promise<void> {
    await this.call('update the merge request', 'PUT', `${this.base}/${number}`, { title: o.title, description: o.body });
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await this.call('add labels', 'PUT', `${this.base}/${number}`, { add_labels: labels.join(',') });
  }

  async requestReviewers(number: number, reviewers: string[]): Promise<void> {
    await this.call('ask reviewers', 'PUT', `${this.base}/${number}`, { reviewer_ids: await this.userIds(reviewers) });
  }

  async assign(number: number, assignees: string[]): Promise<void> {
    await this.call('assign the merge request', 'PUT', `${this.base}/${number}`, { assignee_ids: await this.userIds(assignees) });
  }

  /** GitLab takes people by id: each username looked up. */
  private async userIds(names: string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const name of names) {
      const users = await this.call<{ id: number }[]>(`find the user ${name}`, 'GET', `${this.s.apiUrl}/users?username=${encodeURIComponent(name)}`);
      if (!users[0]) throw new Error(`GitLab has no user ${name}`);
      ids.push(users[0].id);
    }
    return ids;
  }

  private call<T = unknown>(what: string, method: string, url: string, body?: unknown): Promise<T> {
    return callForge(
      { forge: 'GitLab', what, timeoutMs: this.s.timeoutMs, abort: this.s.abort, statusOf: (e) => (e instanceof GitlabError ? e.status : undefined), messageOf: (e) => (e as Error).message },
      async (signal) => {
        const res = await fetch(url, {
          method,
          signal,
          headers: { 'PRIVATE-TOKEN': this.s.token, accept: 'application/json', 'user-agent': 'tokentune', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        let data: unknown = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch {
          // A proxy's HTML error page: the status says enough.
        }
        if (!res.ok) {
          // GitLab's words: `message` (a string, a list, or field → errors), else `error`.
          const m = (data as { message?: unknown; error?: unknown } | null) ?? {};
          const words = typeof m.message === 'string' ? m.message : m.message ? JSON.stringify(m.message) : typeof m.error === 'string' ? m.error : res.statusText;
          throw new GitlabError(words, res.status);
        }
        return data as T;
      },
    );
  }
}
