import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { remoteProject } from '../../src/publish/gitlab.js';
import { startGitlabStub } from '../helpers/gitlab-stub.js';
import { git, tunedRepo } from '../helpers/tuned-repo.js';

const BRANCH = 'tokentune/cost-tuning';

let stub: Awaited<ReturnType<typeof startGitlabStub>>;
beforeEach(async () => {
  stub = await startGitlabStub();
});
afterEach(async () => {
  await stub.close();
});

const publishing = (extra = '') => `publish:
  remote: origin
  author: {name: tokentune-bot, email: bot@example.com}
  platform: gitlab
  gitlab:
    project: acme/platform/pipeline
    api_url: ${stub.url}
    reviewers: [build-lead]
    assignees: [jane]
${extra}`;

const failingDocs = (i: number) =>
  JSON.stringify({
    type: 'phase',
    ts: '2026-11-20T20:00:00Z',
    run_id: 'run-extra',
    tier_id: 'T1',
    phase_id: `bad${i}`,
    category: 'docs',
    complexity: 'low',
    builder_model: 'claude-sonnet-4-5',
    tokens_used: 190_000,
    incident_token_cap: 200_000,
    outcome: 'failed',
    builder_attempts: 1,
    auditor_attempts: 1,
    retries: 3,
  });

describe('tune publishes its proposal as a GitLab merge request', () => {
  it('opens one MR with labels, reviewer and assignee, leaves it on a re-run, updates it, and never reopens a closed one', async () => {
    const s = await tunedRepo(publishing());
    const env = { GITLAB_TOKEN: stub.token };
    const r = await s.run(['--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.publish).toMatchObject({ status: 'created', branch: BRANCH, pushed: true, pr: { action: 'opened', pr: { number: 1 } } });
    expect(r.stderr).toContain('MR !1 opened: https://gitlab.example/acme/platform/pipeline/-/merge_requests/1');
    expect(stub.mrs).toHaveLength(1);
    expect(stub.mrs[0]).toMatchObject({ source_branch: BRANCH, target_branch: 'main', state: 'opened', labels: ['cost-tuning'], reviewer_ids: [7], assignee_ids: [9] });
    expect(stub.mrs[0]!.title).toMatch(/^Cost tuning: /);
    expect(stub.mrs[0]!.description).toContain(`<!-- tokentune:proposal=${out.publish.hash} -->`);
    expect(stub.calls.every((c) => c.token === stub.token)).toBe(true);
    expect(stub.calls[0]!.path).toBe('/api/v4/projects/acme%2Fplatform%2Fpipeline/merge_requests');
    expect(r.stdout + r.stderr).not.toContain(stub.token);

    // The same proposal: nothing written.
    const writes = stub.writes().length;
    const again = await s.run(['--force', '--json'], env);
    expect(JSON.parse(again.stdout).publish).toMatchObject({ status: 'unchanged', pr: { action: 'unchanged' } });
    expect(stub.writes()).toHaveLength(writes);

    // New telemetry moves a decision: the open MR is updated, no second one opened.
    await appendFile(join(s.data, 'phases.jsonl'), Array.from({ length: 40 }, (_, i) => failingDocs(i)).join('\n') + '\n');
    const moved = await s.run(['--json'], env);
    expect(moved.code, moved.stderr).toBe(0);
    const next = JSON.parse(moved.stdout).publish;
    expect(next).toMatchObject({ status: 'updated', pr: { action: 'updated', pr: { number: 1 } } });
    expect(stub.mrs).toHaveLength(1);
    expect(stub.mrs[0]!.description).toContain(`<!-- tokentune:proposal=${next.hash} -->`);
    expect(await git(s.remote, 'rev-parse', BRANCH)).toBe(next.commit);

    // Closed without merging: the reviewer's answer to this proposal.
    stub.mrs[0]!.state = 'closed';
    const declined = await s.run(['--force', '--json'], env);
    expect(JSON.parse(declined.stdout).publish).toMatchObject({ status: 'declined', pr: { action: 'declined' } });
    expect(declined.stderr).toContain('closed without merging: not reopened');
  });

  it('warns about a reviewer GitLab does not know and keeps the MR; says what is missing without a token', async () => {
    const s = await tunedRepo(publishing().replace('reviewers: [build-lead]', 'reviewers: [nobody-here]'));
    const noToken = await s.run(['--json', '--no-push'], {});
    expect(noToken.stderr).toContain('--no-push: the branch was not pushed and no PR was opened');
    const r = await s.run(['--force', '--json'], { GITLAB_TOKEN: stub.token });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).publish.pr).toMatchObject({ action: 'opened', warnings: ['GitLab has no user nobody-here'] });
    expect(stub.mrs[0]).toMatchObject({ assignee_ids: [9], reviewer_ids: [] });
    const other = await tunedRepo(publishing());
    const missing = await other.run(['--json'], {});
    expect(missing.stderr).toContain('no pull request: GITLAB_TOKEN is not set');
  });

  it("reads the project and host from a remote's URL", () => {
    expect(remoteProject('git@gitlab.example.com:acme/platform/pipeline.git')).toEqual({ host: 'gitlab.example.com', path: 'acme/platform/pipeline' });
    expect(remoteProject('https://oauth2:secret@gitlab.com/acme/pipeline.git')).toEqual({ host: 'gitlab.com', path: 'acme/pipeline' });
    expect(remoteProject('ssh://git@gitlab.internal:2222/team/app')).toEqual({ host: 'gitlab.internal', path: 'team/app' });
    expect(remoteProject('/srv/git/pipeline.git')).toBeNull();
  });
});
