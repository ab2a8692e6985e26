import { plural, redact } from '../common/index.js';
import { PublishError } from './git.js';

/**
 * Where proposals become pull (merge) requests: the platform contract of publish/. GitHub (github.ts)
 * and GitLab (gitlab.ts) implement it; publish.ts chooses one.
 */

export interface PullRequest {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  hash: string | null;
  head: string;
}

export type PrAction = 'opened' | 'updated' | 'unchanged' | 'declined' | 'merged' | 'limit';

export interface PrOutcome {
  action: PrAction;
  pr: PullRequest | null;
  /** Things that went wrong without failing the run (a reviewer GitHub would not ask). */
  warnings: string[];
  message: string;
}

/**
 * What a forge's REST API does for a proposal branch: the calls only. What to do with them (open,
 * update, respect the limit, settle) is decided once, in ensureRequest, for every forge.
 */
export interface Platform {
  /** What its requests are called and how they are numbered: PR and # on GitHub, MR and ! on GitLab. */
  readonly noun: string;
  readonly sigil: string;
  readonly wants: { branchPrefix: string; maxOpen: number; labels: string[]; reviewers: string[]; assignees: string[] };
  /** The requests whose head is `branch`, newest first, each with the proposal hash it carries. */
  prsFor(branch: string): Promise<PullRequest[]>;
  /** The open requests of the repository, by number and head branch. */
  openRequests(): Promise<{ number: number; head: string }[]>;
  create(o: { branch: string; base: string; title: string; body: string }): Promise<{ number: number; url: string }>;
  update(number: number, o: { title: string; body: string }): Promise<void>;
  addLabels(number: number, labels: string[]): Promise<void>;
  requestReviewers(number: number, reviewers: string[]): Promise<void>;
  assign(number: number, assignees: string[]): Promise<void>;
}

/**
 * Opens the branch's request, or updates the open one when the proposal changed. The caller has
 * checked settled() first, before committing anything. A label, reviewer or assignee the forge refuses
 * (someone without access) leaves a good request: a warning, not a failure.
 */
export async function ensureRequest(api: Platform, o: { branch: string; base: string; title: string; body: string; hash: string; prs: PullRequest[] }): Promise<PrOutcome> {
  const name = (n: number) => `${api.noun} ${api.sigil}${n}`;
  const open = o.prs.find((p) => p.state === 'open');
  if (open) {
    if (open.hash === o.hash) return { action: 'unchanged', pr: open, warnings: [], message: `${name(open.number)} already holds this proposal` };
    await api.update(open.number, { title: o.title, body: o.body });
    return { action: 'updated', pr: { ...open, hash: o.hash }, warnings: [], message: `${name(open.number)} updated` };
  }
  const tuning = (await api.openRequests()).filter((p) => p.head.startsWith(api.wants.branchPrefix));
  if (tuning.length >= api.wants.maxOpen) {
    return {
      action: 'limit',
      pr: null,
      warnings: [],
      message: `${plural(tuning.length, `tuning ${api.noun}`)} open (${tuning.map((p) => `${api.sigil}${p.number}`).join(', ')}), the limit is ${api.wants.maxOpen}: no new ${api.noun}`,
    };
  }
  const created = await api.create({ branch: o.branch, base: o.base, title: o.title, body: o.body });
  const pr: PullRequest = { number: created.number, url: created.url, state: 'open', merged: false, hash: o.hash, head: o.branch };
  const warnings: string[] = [];
  const { labels, reviewers, assignees } = api.wants;
  if (labels.length) await api.addLabels(pr.number, labels).catch((e: Error) => warnings.push(e.message));
  if (reviewers.length) await api.requestReviewers(pr.number, reviewers).catch((e: Error) => warnings.push(e.message));
  if (assignees.length) await api.assign(pr.number, assignees).catch((e: Error) => warnings.push(e.message));
  return { action: 'opened', pr, warnings, message: `${name(pr.number)} opened: ${pr.url}` };
}

/** Retries of 5xx answers and network errors, with a growing pause. */
const RETRIES = 2;
const PAUSE_MS = 300;

/**
 * One API call with its own deadline, stopped at once when the run is aborted, and retried when the
 * forge had no answer or a 5xx; anything else is a PublishError in the forge's own words.
 */
export async function callForge<T>(
  o: { forge: string; what: string; timeoutMs: number; abort?: AbortSignal | undefined; statusOf: (e: unknown) => number | undefined; messageOf: (e: unknown) => string },
  f: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const signal = o.abort ? AbortSignal.any([o.abort, timeout]) : timeout;
    try {
      return await f(signal);
    } catch (e) {
      if (o.abort?.aborted) throw e;
      const status = o.statusOf(e);
      const transient = status === undefined || status >= 500 || timeout.aborted;
      if (transient && attempt < RETRIES) {
        await new Promise((r) => setTimeout(r, PAUSE_MS * (attempt + 1)));
        continue;
      }
      const words = timeout.aborted ? `no answer within ${o.timeoutMs / 1000} s` : redact(o.messageOf(e).split('\n')[0]!).slice(0, 300);
      throw new PublishError(`${o.forge}: could not ${o.what}${status ? ` (HTTP ${status})` : ''}: ${words}`);
    }
  }
}

/** The answer a reviewer already gave to this proposal: a PR with its hash that was closed. */
export function settled(prs: readonly PullRequest[], hash: string): PrOutcome | null {
  const closed = prs.find((p) => p.state === 'closed' && p.hash === hash);
  if (!closed) return null;
  return closed.merged
    ? { action: 'merged', pr: closed, warnings: [], message: `PR #${closed.number} with this proposal was merged` }
    : { action: 'declined', pr: closed, warnings: [], message: `PR #${closed.number} with this proposal was closed without merging: not reopened` };
}
