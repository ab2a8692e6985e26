import { plural, redact } from '../common/index.js';
import type { Octokit } from '@octokit/rest';
import { PublishError } from './git.js';
import { markerHash } from '../report/index.js';
import type { Platform, PrOutcome, PullRequest } from './platform.js';

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

/** Retries of 5xx answers and network errors, with a growing pause. */
const RETRIES = 2;
const PAUSE_MS = 300;

/** The Platform on GitHub (and GitHub Enterprise), through Octokit. */
export class GithubClient implements Platform {
  private constructor(
    private readonly s: GithubSettings,
    private readonly octokit: Octokit,
  ) {}

  static async create(s: GithubSettings): Promise<GithubClient> {
    const { Octokit } = await import('@octokit/rest');
    // Octokit's own logger would print request errors to the console; this client reports them itself.
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    return new GithubClient(s, new Octokit({ auth: s.token, baseUrl: s.apiUrl, userAgent: 'tokentune', log: quiet }));
  }

  /** PRs whose head is `branch`, newest first. */
  async prsFor(branch: string): Promise<PullRequest[]> {
    const { data } = await this.call('list pull requests', (request) =>
      this.octokit.rest.pulls.list({ owner: this.s.owner, repo: this.s.repo, state: 'all', head: `${this.s.owner}:${branch}`, per_page: 100, request }),
    );
    return data
      .filter((p) => p.head.ref === branch)
      .map((p) => ({ number: p.number, url: p.html_url, state: p.state as 'open' | 'closed', merged: Boolean(p.merged_at), hash: markerHash(p.body), head: p.head.ref }))
      .sort((a, b) => b.number - a.number);
  }

  /**
   * Opens the branch's PR, or updates the open one when the proposal changed. The caller has checked
   * settled() first, before committing anything.
   */
  async ensure(o: { branch: string; base: string; title: string; body: string; hash: string; prs: PullRequest[] }): Promise<PrOutcome> {
    const open = o.prs.find((p) => p.state === 'open');
    if (open) {
      if (open.hash === o.hash) return { action: 'unchanged', pr: open, warnings: [], message: `PR #${open.number} already holds this proposal` };
      await this.call('update the pull request', (request) =>
        this.octokit.rest.pulls.update({ owner: this.s.owner, repo: this.s.repo, pull_number: open.number, title: o.title, body: o.body, request }),
      );
      return { action: 'updated', pr: { ...open, hash: o.hash }, warnings: [], message: `PR #${open.number} updated` };
    }
    const { data: openPrs } = await this.call('list open pull requests', (request) =>
      this.octokit.rest.pulls.list({ owner: this.s.owner, repo: this.s.repo, state: 'open', per_page: 100, request }),
    );
    const tuning = openPrs.filter((p) => p.head.ref.startsWith(this.s.branchPrefix));
    if (tuning.length >= this.s.maxOpenPrs) {
      return { action: 'limit', pr: null, warnings: [], message: `${plural(tuning.length, 'tuning PR')} open (${tuning.map((p) => `#${p.number}`).join(', ')}), the limit is ${this.s.maxOpenPrs}: no new PR` };
    }
    const { data: created } = await this.call('open the pull request', (request) =>
      this.octokit.rest.pulls.create({ owner: this.s.owner, repo: this.s.repo, title: o.title, body: o.body, head: o.branch, base: o.base, request }),
    );
    const pr: PullRequest = { number: created.number, url: created.html_url, state: 'open', merged: false, hash: o.hash, head: o.branch };
    const warnings: string[] = [];
    // A label or reviewer GitHub refuses (a reviewer without access, say) leaves a good PR: warn, go on.
    if (this.s.labels.length) {
      await this.call('add labels', (request) => this.octokit.rest.issues.addLabels({ owner: this.s.owner, repo: this.s.repo, issue_number: pr.number, labels: this.s.labels, request })).catch((e: Error) =>
        warnings.push(e.message),
      );
    }
    if (this.s.reviewers.length) {
      await this.call('request reviewers', (request) =>
        this.octokit.rest.pulls.requestReviewers({ owner: this.s.owner, repo: this.s.repo, pull_number: pr.number, reviewers: this.s.reviewers, request }),
      ).catch((e: Error) => warnings.push(e.message));
    }
    return { action: 'opened', pr, warnings, message: `PR #${pr.number} opened: ${pr.url}` };
  }

  private async call<T>(what: string, f: (request: { signal: AbortSignal }) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      // Each request has its own deadline, and stops at once when the run is aborted.
      const timeout = AbortSignal.timeout(this.s.timeoutMs);
      const signal = this.s.abort ? AbortSignal.any([this.s.abort, timeout]) : timeout;
      try {
        return await f({ signal });
      } catch (e) {
        if (this.s.abort?.aborted) throw e;
        const status = (e as { status?: number }).status;
        if (timeout.aborted) (e as Error).message = `no answer within ${this.s.timeoutMs / 1000} s`;
        // A timeout or network failure reaches here without an HTTP status (Octokit reports 500 for some).
        const transient = status === undefined || status >= 500 || timeout.aborted;
        if (transient && attempt < RETRIES) {
          await new Promise((r) => setTimeout(r, PAUSE_MS * (attempt + 1)));
          continue;
        }
        throw new PublishError(`GitHub: could not ${what}${status ? ` (HTTP ${status})` : ''}: ${apiMessage(e)}`);
      }
    }
  }
}

/** GitHub's own words for a refusal: the message and, for 422, what failed validation. */
function apiMessage(e: unknown): string {
  const data = (e as { response?: { data?: { message?: string; errors?: { message?: string; code?: string; field?: string }[] } } }).response?.data;
  const details = (data?.errors ?? []).map((x) => x.message ?? [x.field, x.code].filter(Boolean).join(' ')).filter(Boolean);
  const text = data?.message ? `${data.message}${details.length ? ` (${details.join('; ')})` : ''}` : (e as Error).message;
  return redact(text.split('\n')[0]!).slice(0, 300);
}
