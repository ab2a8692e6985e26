import type { Octokit } from '@octokit/rest';
import { markerHash } from '../report/index.js';
import { callForge, type Platform, type PullRequest } from './platform.js';

/**
 * Pull requests on GitHub through Octokit: one PR per proposal branch, found by its head branch and
 * told apart by the proposal hash hidden in its body. Like Renovate, a PR closed without merging is
 * the reviewer's answer to that proposal: it is never reopened, and the same proposal never opens a
 * new one.
 */

export interface GithubSettings {
  token: string;
  owner: string;
  repo: string;
  apiUrl: string;
  labels: string[];
  reviewers: string[];
  maxOpenPrs: number;
  branchPrefix: string;
  timeoutMs: number;
  /** The run's abort signal (the daemon stopping). */
  abort?: AbortSignal;
}

/** Settings from config and environment; null (no PRs, the branch is the output) without a token or repository. */
export function githubSettings(
  cfg: { repository?: string; api_url?: string; labels: string[]; reviewers: string[]; max_open_prs: number; timeout_seconds: number },
  branchPrefix: string,
  env: NodeJS.ProcessEnv,
  abort?: AbortSignal,
): GithubSettings | { missing: string } {
  const token = env['GITHUB_TOKEN'] || env['GH_TOKEN'];
  const repository = cfg.repository ?? env['GITHUB_REPOSITORY'];
  if (!token) return { missing: 'GITHUB_TOKEN is not set' };
  if (!repository) return { missing: 'no repository: set publish.github.repository (owner/name)' };
  const [owner, repo] = repository.split('/') as [string, string];
  return {
    token,
    owner,
    repo,
    apiUrl: (cfg.api_url ?? env['GITHUB_API_URL'] ?? 'https://api.github.com').replace(/\/$/, ''),
    labels: cfg.labels,
    reviewers: cfg.reviewers,
    maxOpenPrs: cfg.max_open_prs,
    branchPrefix,
    timeoutMs: cfg.timeout_seconds * 1000,
    abort,
  };
}

/** The Platform on GitHub (and GitHub Enterprise), through Octokit. */
export class GithubClient implements Platform {
  readonly noun = 'PR';
  readonly sigil = '#';
  readonly wants: Platform['wants'];

  private constructor(
    private readonly s: GithubSettings,
    private readonly octokit: Octokit,
  ) {
    this.wants = { branchPrefix: s.branchPrefix, maxOpen: s.maxOpenPrs, labels: s.labels, reviewers: s.reviewers, assignees: [] };
  }

  static async create(s: GithubSettings): Promise<GithubClient> {
    const { Octokit } = await import('@octokit/rest');
    // Octokit's own logger would print request errors to the console; this client reports them itself.
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    return new GithubClient(s, new Octokit({ auth: s.token, baseUrl: s.apiUrl, userAgent: 'tokentune', log: quiet }));
  }

  async prsFor(branch: string): Promise<PullRequest[]> {
    const { data } = await this.call('list pull requests', (request) =>
      this.octokit.rest.pulls.list({ owner: this.s.owner, repo: this.s.repo, state: 'all', head: `${this.s.owner}:${branch}`, per_page: 100, request }),
    );
    return data
      .filter((p) => p.head.ref === branch)
      .map((p) => ({ number: p.number, url: p.html_url, state: p.state as 'open' | 'closed', merged: Boolean(p.merged_at), hash: markerHash(p.body), head: p.head.ref }))
      .sort((a, b) => b.number - a.number);
  }

  async openRequests(): Promise<{ number: number; head: string }[]> {
    const { data } = await this.call('list open pull requests', (request) => this.octokit.rest.pulls.list({ owner: this.s.owner, repo: this.s.repo, state: 'open', per_page: 100, request }));
    return data.map((p) => ({ number: p.number, head: p.head.ref }));
  }

  async create(o: { branch: string; base: string; title: string; body: string }): Promise<{ number: number; url: string }> {
    const { data } = await this.call('open the pull request', (request) =>
      this.octokit.rest.pulls.create({ owner: this.s.owner, repo: this.s.repo, title: o.title, body: o.body, head: o.branch, base: o.base, request }),
    );
    return { number: data.number, url: data.html_url };
  }

  async update(number: number, o: { title: string; body: string }): Promise<void> {
    await this.call('update the pull request', (request) => this.octokit.rest.pulls.update({ owner: this.s.owner, repo: this.s.repo, pull_number: number, title: o.title, body: o.body, request }));
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await this.call('add labels', (request) => this.octokit.rest.issues.addLabels({ owner: this.s.owner, repo: this.s.repo, issue_number: number, labels, request }));
  }

  async requestReviewers(number: number, reviewers: string[]): Promise<void> {
    await this.call('request reviewers', (request) => this.octokit.rest.pulls.requestReviewers({ owner: this.s.owner, repo: this.s.repo, pull_number: number, reviewers, request }));
  }

  async assign(number: number, assignees: string[]): Promise<void> {
    await this.call('assign the pull request', (request) => this.octokit.rest.issues.addAssignees({ owner: this.s.owner, repo: this.s.repo, issue_number: number, assignees, request }));
  }

  private call<T>(what: string, f: (request: { signal: AbortSignal }) => Promise<T>): Promise<T> {
    // A timeout or network failure reaches the caller without an HTTP status (Octokit reports 500 for some).
    return callForge({ forge: 'GitHub', what, timeoutMs: this.s.timeoutMs, abort: this.s.abort, statusOf: (e) => (e as { status?: number }).status, messageOf: apiMessage }, (signal) => f({ signal }));
  }
}

/** GitHub's own words for a refusal: the message and, for 422, what failed validation. */
function apiMessage(e: unknown): string {
  const data = (e as { response?: { data?: { message?: string; errors?: { message?: string; code?: string; field?: string }[] } } }).response?.data;
  const details = (data?.errors ?? []).map((x) => x.message ?? [x.field, x.code].filter(Boolean).join(' ')).filter(Boolean);
  return data?.message ? `${data.message}${details.length ? ` (${details.join('; ')})` : ''}` : (e as Error).message;
}
