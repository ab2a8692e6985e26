import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runTune } from '../../src/run/index.js';
import { stateDirIn } from '../helpers/state.js';
import { git, tunedRepo } from '../helpers/tuned-repo.js';

const exec = promisify(execFile);

describe("a change's outcome counts from its merge", () => {
  it('takes the day the base branch got it from git, not the day a run noticed it', async () => {
    const s = await tunedRepo('publish:\n  remote: origin\n  author: {name: tokentune-bot, email: bot@example.com}\n');
    const env = { ...s.env, GITHUB_TOKEN: '', GH_TOKEN: '', GITHUB_REPOSITORY: '' };
    const first = await runTune({ configPath: s.config, dryRun: false, now: new Date('2026-11-21T06:00:00Z'), env });
    expect(first.status).toBe('proposal');

    // The build-lead merges the branch on the 23rd; the weekly run notices on the 28th.
    await git(s.work, 'fetch', '--quiet', 'origin');
    const merged = '2026-11-23T12:00:00Z';
    await exec('git', ['merge', '--quiet', '--no-ff', '-m', 'Merge cost tuning', 'origin/tokentune/cost-tuning'], {
      cwd: s.work,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Jane Lead',
        GIT_AUTHOR_EMAIL: 'jane@example.com',
        GIT_COMMITTER_NAME: 'Jane Lead',
        GIT_COMMITTER_EMAIL: 'jane@example.com',
        GIT_AUTHOR_DATE: merged,
        GIT_COMMITTER_DATE: merged,
      },
    });
    await git(s.work, 'push', '--quiet', 'origin', 'main');
    await runTune({ configPath: s.config, dryRun: false, now: new Date('2026-11-28T06:00:00Z'), env });

    const db = new Database(join(await stateDirIn(s.env.XDG_STATE_HOME), 'state.db'), { readonly: true });
    try {
      const rows = db.prepare(`SELECT p.applied_day, m.merged_day FROM proposed_changes p LEFT JOIN change_merges m USING (id) WHERE p.status = 'applied'`).all() as {
        applied_day: number;
        merged_day: number | null;
      }[];
      expect(rows.length).toBeGreaterThan(0);
      const iso = (d: number | null) => (d === null ? null : new Date(d * 86_400_000).toISOString().slice(0, 10));
      for (const r of rows) expect([iso(r.applied_day), iso(r.merged_day)]).toEqual(['2026-11-28', '2026-11-23']);
    } finally {
      db.close();
    }
  });
});
