import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { copyExampleData, EXAMPLE, ROOT, tempDir, tune } from '../helpers/cli.js';

/** The example with its own copy of the telemetry and of the target files, which a test may merge into. */
async function setup() {
  const dir = await tempDir('tokentune-loop-');
  for (const sub of ['data', 'targets']) await mkdir(join(dir, sub));
  await copyExampleData(join(dir, 'data'));
  for (const f of ['models.yaml', 'strategy_engine_config.yaml']) await copyFile(join(ROOT, 'config/example-target', f), join(dir, 'targets', f));
  const text = (await readFile(EXAMPLE, 'utf8')).replace('../fixtures/example', join(dir, 'data')).replace(/path: example-target/g, `path: ${join(dir, 'targets')}`);
  const config = join(dir, 'tuner.yaml');
  await writeFile(config, text);
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  const run = (...args: string[]) => tune([...args, '--config', config], env);
  return { dir, run };
}

describe('the closed loop from the command line', () => {
  it('a merged proposal is reported as applied, not as drift, and its outcome is tracked', async () => {
    const s = await setup();
    const first = await s.run('--json');
    expect(first.code, first.stderr).toBe(0);
    const proposal = JSON.parse(first.stdout);
    expect(proposal.outcomes).toEqual([]);

    // The build-lead merges the proposal as it stands.
    for (const [display, patch] of Object.entries(proposal.diffs as Record<string, string>)) {
      const file = join(s.dir, 'targets', display.split('/').pop()!);
      const merged = applyPatch(await readFile(file, 'utf8'), patch);
      expect(merged).not.toBe(false);
      await writeFile(file, merged as string);
    }
    const check = await s.run('check', '--exit-code');
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toMatch(new RegExp(`^applied: ${proposal.changes.length} changes of proposal [0-9a-f]{16} found in the targets; observing\\n$`));

    // Nothing ran under the merged values yet: every outcome says so, and nothing reverses.
    const next = await s.run('--dry-run', '--json', '--force');
    const out = JSON.parse(next.stdout);
    expect(out.outcomes).toHaveLength(proposal.changes.length);
    expect(new Set(out.outcomes.map((o: { verdict: string }) => o.verdict))).toEqual(new Set(['no-data']));
    expect(out.outcomes[0]).toMatchObject({ change: expect.objectContaining({ proposal: expect.stringMatching(/^[0-9a-f]{16}$/) }), phases_since: 0 });
    expect(out.report).toContain('## Changes already applied: projected vs realised');
    for (const c of out.changes) {
      const before = proposal.changes.find(
        (p: { kind: string; category: string; complexity: string; key: string }) => p.kind === c.kind && p.category === c.category && p.complexity === c.complexity && p.key === c.key,
      );
      if (before) expect(c.direction, `${c.kind} ${c.category ?? c.key}`).toBe(before.direction);
    }
  });

  it('shows the lines a nightly check skipped in the next report', async () => {
    const s = await setup();
    await appendFile(join(s.dir, 'data', 'phases.jsonl'), '{"type": "phase", "ts": "not a time"}\n');
    const check = await s.run('check');
    expect(check.code).toBe(0);
    const report = (await s.run('--dry-run', '--force')).stdout;
    expect(report).toMatch(/1 telemetry line was skipped by earlier checks:\n {2}- .*phases\.jsonl:609: /);
  });
});
