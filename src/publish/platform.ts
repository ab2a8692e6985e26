/**
 * Where proposals become pull requests: the platform contract of publish/. GitHub is the one behind it
 * today (github.ts); another forge is one more implementation, chosen in publish.ts.
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

/** What a platform does for a proposal branch. */
export interface Platform {
  /** The pull requests whose head is `branch`, newest first, each with the proposal hash it carries. */
  prsFor(branch: string): Promise<PullRequest[]>;
  /** Opens the branch's pull request, or updates the open one when the proposal changed. */
  ensure(o: { branch: string; base: string; title: string; body: string; hash: string; prs: PullRequest[] }): Promise<PrOutcome>;
}

/** The answer a reviewer already gave to this proposal: a PR with its hash that was closed. */
export function settled(prs: readonly PullRequest[], hash: string): PrOutcome | null {
  const closed = prs.find((p) => p.state === 'closed' && p.hash === hash);
  if (!closed) return null;
  return closed.merged
    ? { action: 'merged', pr: closed, warnings: [], message: `PR #${closed.number} with this proposal was merged` }
    : { action: 'declined', pr: closed, warnings: [], message: `PR #${closed.number} with this proposal was closed without merging: not reopened` };
}
