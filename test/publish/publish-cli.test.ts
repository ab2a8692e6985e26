import { appendFile, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGithubStub, type GithubStub } from '../helpers/github-stub.js';
import { checkoutSnapshot, git, tunedRepo } from '../helpers/tuned-repo.js';
import { tempDir, tune } from '../helpers/cli.js';

const BRANCH = 'tokentune/cost-tuning';

let stub: GithubStub;
beforeEach(async () => {
  stub = await startGithubStub();
});
afterEach(async () => {
  await stub.close();
});

const publishing = (extra = '') => `publish:
  remote: origin
  author: {name: tokentune-bot, email: bot@example.com}
  github:
    repository: acme/pipeline
    api_url: ${stub.url}
    reviewers: [build-lead]
${extra}`;
const TOKEN = { GITHUB_TOKEN: 't0ken' };

/** Telemetry that changes a decision: docs starts failing and retrying. */
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

/** The +/- lines of a unified diff: what changed, whatever the line numbers around it. */
const changedLines = (diff: string) =>
  diff
    .split('\n')
    .filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l))
    .sort();

describe('tune publishes its proposal as a branch and a pull request', () => {
  it('commits on a branch without touching the checkout, opens one PR, does nothing new on a re-run, and leaves a human edit alone', async () => {
    const s = await tunedRepo(publishing());
    // The user is mid-work: an edited target, a staged change, an untracked file, and hooks that must not run.
    await appendFile(join(s.work, 'config/models.yaml'), '# local note, not committed\n');
    await appendFile(join(s.work, 'README.md'), 'staged line\n');
    await git(s.work, 'add', 'README.md');
    await writeFile(join(s.work, 'notes.txt'), 'untracked\n');
    for (const hook of ['pre-commit', 'commit-msg', 'post-commit', 'pre-push', 'reference-transaction']) {
      await writeFile(join(s.work, '.git/hooks', hook), `#!/bin/sh\necho ran > "${join(s.dir, `hook-${hook}`)}"\nexit 1\n`);
      await chmod(join(s.work, '.git/hooks', hook), 0o755);
    }
    const before = await checkoutSnapshot(s.work);

    const r = await s.run(['--json'], TOKEN);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.publish).toMatchObject({ status: 'created', branch: BRANCH, base: 'main', pushed: true, pr: { action: 'opened' } });
    expect(await checkoutSnapshot(s.work)).toEqual(before);
    for (const hook of ['pre-commit', 'commit-msg', 'post-commit', 'pre-push', 'reference-transaction']) expect(existsSync(join(s.dir, `hook-${hook}`))).toBe(false);

    // The branch, on the remote, is main plus exactly the proposal.
    const sha = out.publish.commit as string;
    expect(await git(s.remote, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(sha);
    expect(await git(s.work, 'rev-parse', `${sha}^`)).toBe(await git(s.work, 'rev-parse', 'main'));
    const changedFiles = (await git(s.work, 'diff', '--name-only', 'main', sha)).split('\n').sort();
    const proposed = Object.entries(out.diffs as Record<string, string>);
    expect(changedFiles).toEqual(proposed.map(([f]) => f.replace(/^.*(config\/[^/]+)$/, '$1')).sort());
    for (const [file, diff] of proposed) {
      const rel = file.replace(/^.*(config\/[^/]+)$/, '$1');
      expect(changedLines(await git(s.work, 'diff', 'main', sha, '--', rel))).toEqual(changedLines(diff));
    }
    expect(await git(s.work, 'show', `${sha}:config/models.yaml`)).not.toContain('local note');
    const message = await git(s.work, 'log', '-1', '--format=%an <%ae>%n%B', sha);
    expect(message).toMatch(/^tokentune-bot <bot@example.com>\nCost tuning for example-app: /);
    expect(message).toContain(`Tokentune-Proposal: ${out.publish.hash}`);
    // A reviewer of the bare branch sees, per change, what moves, why, on what evidence, to what effect.
    expect(message).toMatch(
      /\n- docs \(low\) model: claude-sonnet-4-5 → claude-haiku-4-5\n {2}Why: docs \(low\) succeeds 99% of the time.*\n {2}Evidence: model claude-sonnet-4-5, phases 112, success rate 99\.1%.*\n {2}Effect per run: −\$0\.\d\d, a saving; confidence high\n/,
    );
    expect(message.match(/^- /gm)).toHaveLength(out.changes.length);

    // One PR, as the issue describes it.
    expect(stub.prs).toHaveLength(1);
    const pr = stub.prs[0]!;
    expect(pr).toMatchObject({ head: BRANCH, base: 'main', state: 'open', labels: ['cost-tuning'], reviewers: ['build-lead'] });
    expect(pr.title).toMatch(/^Cost tuning: [−+][\d.]+% cost\/run, \d+ changes$/);
    expect(pr.body).toContain(`<!-- tokentune:proposal=${out.publish.hash} -->`);
    expect(pr.body).toContain('| Key | Current | Proposed | Evidence | Expected effect per run | Confidence |');
    expect(pr.body).toMatch(/−\$[\d.]+, a saving \|/);
    expect(pr.body).toMatch(/\| `config\/models\.yaml: [\w.]+` \|/);
    expect(pr.body).toContain('# Cost / Budget Tuning Report: example-app');
    expect(stub.calls.every((c) => c.auth === 'token t0ken')).toBe(true);
    expect(r.stderr).toContain(`PR #${pr.number} opened`);
    expect(r.stderr).not.toContain('t0ken');

    // Again, forced past the gate: the same proposal, so nothing is written anywhere.
    const writes = stub.writes().length;
    const again = await s.run(['--force', '--json'], TOKEN);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).publish).toMatchObject({ status: 'unchanged', pushed: false, pr: { action: 'unchanged' } });
    expect(await git(s.remote, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(sha);
    expect(stub.writes()).toHaveLength(writes);

    // A reviewer pushes a fix to the branch: tokentune never overwrites it.
    const human = join(s.dir, 'human');
    await git(s.dir, 'clone', '--quiet', '--branch', BRANCH, s.remote, human);
    await appendFile(join(human, 'config/models.yaml'), '# reviewed by Jane\n');
    await git(human, 'commit', '--quiet', '-am', 'Keep docs on sonnet for now');
    await git(human, 'push', '--quiet', 'origin', BRANCH);
    const humanSha = await git(human, 'rev-parse', 'HEAD');
    const blocked = await s.run(['--force', '--json'], TOKEN);
    expect(blocked.code, blocked.stderr).toBe(0);
    expect(JSON.parse(blocked.stdout).publish).toMatchObject({ status: 'blocked', pushed: false, pr: null });
    expect(blocked.stderr).toMatch(/holds 1 commit tokentune did not make \(\w{7} by Jane Lead <jane@example.com>: "Keep docs on sonnet for now"\): left alone/);
    expect(await git(s.remote, 'rev-parse', `refs/heads/${BRANCH}`)).toBe(humanSha);
    expect(stub.writes()).toHaveLength(writes);
  });

  it('makes the same proposal again on main when someone edits a file it changes there, and not for an unrelated edit', async () => {
    const s = await tunedRepo(publishing());
    const first = JSON.parse((await s.run(['--json'], TOKEN)).stdout).publish;
    expect(first.status).toBe('created');
    const human = join(s.dir, 'human-main');
    await git(s.dir, 'clone', '--quiet', '--branch', 'main', s.remote, human);

    // An edit elsewhere: the branch still merges as it is.
    await appendFile(join(human, 'README.md'), 'more words\n');
    await git(human, 'commit', '--quiet', '-am', 'Document the pipeline');
    await git(human, 'push', '--quiet', 'origin', 'main');
    const same = JSON.parse((await s.run(['--force', '--json'], TOKEN)).stdout).publish;
    expect(same).toMatchObject({ status: 'unchanged', commit: first.commit, pushed: false });

    // A comment written right under a line the proposal changes: the old branch would conflict.
    const file = join(human, 'config/models.yaml');
    const proposedOld = (await git(s.work, 'diff', 'main', first.commit, '--', 'config/models.yaml'))
      .split('\n')
      .find((l) => /^-\s/.test(l))!
      .slice(1);
    const text = await readFile(file, 'utf8');
    expect(text).toContain(`${proposedOld}\n`);
    await writeFile(file, text.replace(`${proposedOld}\n`, `${proposedOld}\n# kept as is until the audit in March\n`));
    await git(human, 'commit', '--quiet', '-am', 'Note the audit');
    await git(human, 'push', '--quiet', 'origin', 'main');
    const mainTip = await git(human, 'rev-parse', 'HEAD');

    const r = await s.run(['--force', '--json'], TOKEN);
    expect(r.code, r.stderr).toBe(0);
    const again = JSON.parse(r.stdout).publish;
    expect(again).toMatchObject({ status: 'updated', hash: first.hash, pushed: true });
    expect(r.stderr).toMatch(/main changed config\/models\.yaml since tokentune\/cost-tuning was made: the proposal is made again on main/);
    const tip = await git(s.remote, 'rev-parse', `refs/heads/${BRANCH}`);
    expect(tip).toBe(again.commit);
    expect(await git(s.remote, 'rev-parse', `${tip}^`)).toBe(mainTip);
    expect(await git(s.remote, 'show', `${tip}:config/models.yaml`)).toContain('# kept as is until the audit in March');
    expect(stub.prs).toHaveLength(1);
    // Once rebuilt, nothing more to do.
    expect(JSON.parse((await s.run(['--force', '--json'], TOKEN)).stdout).publish).toMatchObject({ status: 'unchanged', commit: tip });
  });

  it('updates an open PR of an older proposal, and rewrites its own branch when the proposal changes', async () => {
    const s = await tunedRepo(publishing());
    stub.addPr({ head: BRANCH, title: 'Cost tuning: old', body: 'old\n<!-- tokentune:proposal=00000000000000aa -->' });
    const r = await s.run(['--json'], TOKEN);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.publish.pr).toMatchObject({ action: 'updated', pr: { number: 1 } });
    expect(stub.prs).toHaveLength(1);
    expect(stub.prs[0]!.body).toContain(`<!-- tokentune:proposal=${out.publish.hash} -->`);
    expect(stub.prs[0]!.title).toMatch(/^Cost tuning: .*changes$/);
    expect(stub.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/pulls'))).toHaveLength(0);

    // New telemetry changes a decision: docs starts failing and retrying.
    await appendFile(join(s.data, 'phases.jsonl'), Array.from({ length: 40 }, (_, i) => failingDocs(i)).join('\n') + '\n');
    const moved = await s.run(['--json'], TOKEN);
    expect(moved.code, moved.stderr).toBe(0);
    const next = JSON.parse(moved.stdout).publish;
    expect(next).toMatchObject({ status: 'updated', pushed: true, pr: { action: 'updated', pr: { number: 1 } } });
    expect(next.hash).not.toBe(out.publish.hash);
    // Rebuilt from main, not stacked on the old proposal.
    expect(await git(s.remote, 'rev-parse', `${BRANCH}^`)).toBe(await git(s.remote, 'rev-parse', 'main'));
    expect(await git(s.remote, 'rev-parse', BRANCH)).toBe(next.commit);
    expect(stub.prs[0]!.body).toContain(`<!-- tokentune:proposal=${next.hash} -->`);
  });

  it('never reopens a PR closed without merging, and respects the limit of open tuning PRs', async () => {
    // First learn the proposal's hash from a run without a token: the branch is then the only output.
    const s = await tunedRepo(publishing());
    const first = await s.run(['--json']);
    expect(first.code, first.stderr).toBe(0);
    const { hash, pushed, pr } = JSON.parse(first.stdout).publish;
    expect({ pushed, pr }).toEqual({ pushed: true, pr: null });
    expect(first.stderr).toContain('no pull request: GITHUB_TOKEN is not set');

    stub.addPr({ head: BRANCH, state: 'closed', body: `<!-- tokentune:proposal=${hash} -->` });
    const declined = await s.run(['--force', '--json'], TOKEN);
    expect(declined.code, declined.stderr).toBe(0);
    expect(JSON.parse(declined.stdout).publish).toMatchObject({ status: 'declined', pr: { action: 'declined' } });
    expect(declined.stderr).toContain('closed without merging: not reopened');
    expect(stub.writes()).toHaveLength(0);

    // A different proposal may open a new PR.
    await appendFile(join(s.data, 'phases.jsonl'), Array.from({ length: 40 }, (_, i) => failingDocs(i)).join('\n') + '\n');
    const fresh = await s.run(['--json'], TOKEN);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout).publish).toMatchObject({ status: 'updated', pr: { action: 'opened' } });
    expect(stub.prs.map((p) => p.state)).toEqual(['closed', 'open']);
    stub.calls.length = 0;

    // Another repository with the same data, and a different tuning PR already open.
    const other = await tunedRepo(publishing());
    stub.prs.length = 0;
    stub.addPr({ head: 'tokentune/other-proposal', state: 'open' });
    const limited = await other.run(['--json'], TOKEN);
    expect(limited.code, limited.stderr).toBe(0);
    expect(JSON.parse(limited.stdout).publish).toMatchObject({ status: 'created', pushed: true, pr: { action: 'limit' } });
    expect(limited.stderr).toMatch(/1 tuning PR open \(#\d+\), the limit is 1: no new PR/);
    expect(stub.writes()).toHaveLength(0);
  });

  it("retries a 5xx and a request without an answer; a 422 fails the run with GitHub's words and the next run publishes again", async () => {
    const s = await tunedRepo(publishing('    timeout_seconds: 1\n'));
    stub.failures.push({ method: 'POST', path: /\/pulls$/, status: 502, times: 1 }, { method: 'POST', path: /\/pulls$/, status: 0, hang: true, times: 1 });
    const retried = await s.run(['--json'], TOKEN);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout).publish.pr).toMatchObject({ action: 'opened' });
    expect(stub.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/pulls'))).toHaveLength(3);

    const t = await tunedRepo(publishing());
    stub.prs.length = 0;
    stub.failures.push({ method: 'POST', path: /\/pulls$/, status: 422, body: { message: 'Validation Failed', errors: [{ message: 'No commits between main and tokentune/cost-tuning' }] } });
    const failed = await t.run([], TOKEN);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('tune: publishing failed: GitHub: could not open the pull request (HTTP 422): Validation Failed (No commits between main and tokentune/cost-tuning)');
    // The report is not lost with the publication, and the user is told what to fix.
    expect(failed.stdout).toContain('# Cost / Budget Tuning Report');
    expect(failed.stderr).toMatch(
      /the report above was not published and nothing was recorded: fix the cause \(the publish block of .*tuner\.yaml, the git remote or the token\), and the next run publishes it/,
    );
    // The run state was not written, so the next run finds the same drift and tries again.
    expect((await t.run(['check'])).stdout).toMatch(/^drift: no proposal recorded yet/);
    // A server that echoes the credential it refused: the token never reaches our output.
    stub.failures.length = 0;
    const token = 'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    stub.failures.push({ method: 'POST', path: /\/pulls$/, status: 401, body: { message: `Bad credentials: ${token}` } });
    const refused = await t.run([], { GITHUB_TOKEN: token });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Bad credentials: [redacted]');
    expect(refused.stdout + refused.stderr).not.toContain(token);
    stub.failures.length = 0;
    const next = await t.run(['--json'], TOKEN);
    expect(next.code, next.stderr).toBe(0);
    // The branch was pushed by the failed run: this one only opens the PR.
    expect(JSON.parse(next.stdout).publish).toMatchObject({ status: 'unchanged', pushed: false, pr: { action: 'opened' } });
  });

  it("starts from the remote's default branch when publish.base is not set", async () => {
    const s = await tunedRepo('publish:\n  remote: origin\n', { branch: 'trunk' });
    const r = await s.run(['--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).publish).toMatchObject({ status: 'created', base: 'trunk', pushed: true });
    expect(await git(s.remote, 'rev-parse', `${BRANCH}^`)).toBe(await git(s.remote, 'rev-parse', 'trunk'));
  });

  it('starts from the branch checked out when there is no remote and no publish.base (a master repository)', async () => {
    const s = await tunedRepo('publish:\n  enabled: true\n', { branch: 'master' });
    const r = await s.run(['--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).publish).toMatchObject({ status: 'created', base: 'master', pushed: false });
    expect(await git(s.work, 'rev-parse', `${BRANCH}^`)).toBe(await git(s.work, 'rev-parse', 'master'));
  });

  it('keeps the branch local without a remote or with --no-push', async () => {
    const s = await tunedRepo('publish:\n  branch_prefix: tuning/\n  branch: weekly\n');
    const r = await s.run(['--json'], TOKEN);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).publish).toMatchObject({ status: 'created', branch: 'tuning/weekly', pushed: false, pr: null });
    expect(r.stderr).toContain(`review it with: git -C ${await git(s.work, 'rev-parse', '--show-toplevel')} diff main...tuning/weekly`);
    expect(await git(s.work, 'branch', '--list', 'tuning/weekly')).toContain('tuning/weekly');
    expect(await git(s.remote, 'branch', '--list')).not.toContain('tuning');
    // The proposal branch checked out: tokentune will not move it under the user's feet.
    await git(s.work, 'checkout', '--quiet', 'tuning/weekly');
    const busy = await s.run(['--force'], TOKEN);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`tune: publishing failed: tuning/weekly is checked out in ${await git(s.work, 'rev-parse', '--show-toplevel')}`);
    await git(s.work, 'checkout', '--quiet', 'main');
    // A target edited in the checkout: the run says the two differ.
    await appendFile(join(s.work, 'config/models.yaml'), '# local\n');
    const differs = await s.run(['--force'], TOKEN);
    expect(differs.code, differs.stderr).toBe(0);
    expect(differs.stderr).toContain("config/models.yaml in your checkout differs from main: the proposal is computed from and applied to main's version");

    const t = await tunedRepo(publishing());
    const noPush = await t.run(['--json', '--no-push'], TOKEN);
    expect(noPush.code, noPush.stderr).toBe(0);
    expect(JSON.parse(noPush.stdout).publish).toMatchObject({ status: 'created', pushed: false, pr: null });
    expect(await git(t.remote, 'branch', '--list')).not.toContain('tokentune');
    expect(stub.writes()).toHaveLength(0);
  });

  it("computes the proposal from the base branch's targets, not from an edited checkout", async () => {
    const s = await tunedRepo('publish:\n  branch_prefix: tuning/\n  branch: weekly\n');
    // The checkout holds an uncommitted cap for docs that main does not have.
    const file = join(s.work, 'config/strategy_engine_config.yaml');
    const { readFile } = await import('node:fs/promises');
    await writeFile(file, (await readFile(file, 'utf8')).replace('incident_token_cap: 200_000', 'incident_token_cap: 150_000'));
    const r = await s.run(['--json', '--force']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    // docs' model moves in this proposal, so its cap is held back: its "current" value is main's.
    expect(out.findings.map((f: { message: string }) => f.message)).toContain(
      "docs: cap 200,000 → 110,000 held back: this proposal changes the category's model, and the cap follows once the new model has data",
    );
    expect(Object.values(out.diffs).join('\n')).not.toContain('150_000');
    expect(out.report).toMatch(/\| docs \| 200K \|/);
  });

  it('says what to do when the targets are not in a git repository', async () => {
    const dir = await tempDir('tokentune-nogit-');
    await mkdir(join(dir, 'state'));
    const s = await tunedRepo('');
    // The same config, pointed at a copy of the targets outside any repository.
    const { readFile, cp } = await import('node:fs/promises');
    await cp(join(s.work, 'config'), join(dir, 'config'), { recursive: true });
    const config = join(dir, 'tuner.yaml');
    await writeFile(config, (await readFile(s.config, 'utf8')).replaceAll(join(s.work, 'config'), join(dir, 'config')));
    const r = await tune(['--config', config], { XDG_STATE_HOME: join(dir, 'state') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not inside a git repository: set publish.repo, or publish.enabled: false to only record and print proposals');
  });
});
