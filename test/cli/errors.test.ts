import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, tune } from '../helpers/cli.js';

/** A mistyped command or key is answered with what was meant, in one line, exit 2. */
describe('errors that point the way', () => {
  it('names an unknown command and the one meant, for help too', async () => {
    const typo = await tune(['chek']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('tune: unknown command "chek" (did you mean check?); tune --help lists them\n');
    const help = await tune(['help', 'nonsense']);
    expect(help.code).toBe(2);
    expect(help.stderr).toBe('tune: unknown command "nonsense"; tune --help lists them\n');
    const ok = await tune(['help', 'check']);
    expect(ok.stdout).toMatch(/^Usage: tune check \[options\]/);
    // Top-level help reads as one paragraph, wrapped by the terminal's width only.
    expect((await tune(['--help'])).stdout).not.toMatch(/proposes\nchanges/);
  });

  it('explains what a target is when a config names none, instead of proposing over nothing', async () => {
    const dir = await tempDir('tokentune-notargets-');
    await writeFile(join(dir, 't.yaml'), `sources: [{path: ${join(ROOT, 'fixtures/example')}}]\n`);
    const r = await tune(['--dry-run', '--config', join(dir, 't.yaml')], { XDG_STATE_HOME: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /t\.yaml names no targets\. tune proposes changes to the config files your agents run under .*add one under targets: with its preset \(tokentune init finds them\)\. For usage and cost alone: tokentune report daily\.\n$/,
    );
  });

  it('names the format a database or a file is written in when the one configured is wrong', async () => {
    const dir = await tempDir('tokentune-format-');
    const check = async (format: string, path: string) => {
      await writeFile(join(dir, 't.yaml'), `sources: [{format: ${format}, path: ${path}}]\n`);
      const r = await tune(['check', '--config', join(dir, 't.yaml')], { XDG_STATE_HOME: dir });
      expect(r.code).toBe(2);
      return r.stderr;
    };
    const autopack = join(ROOT, 'fixtures/autopack/autopack.db');
    const myco = join(ROOT, 'fixtures/myco/myco.db');
    expect(await check('myco-db', autopack)).toBe(
      `tune: ${autopack}: cannot be read as myco-db: no table agent_runs; it has the tables autopack-db reads (runs, tiers, phases, phase_outcome_events, llm_usage_events): set format: autopack-db\n`,
    );
    expect(await check('autopack-db', myco)).toContain('cannot be read as autopack-db: no table runs; it has the tables myco-db reads (agent_runs): set format: myco-db');
    expect(await check('tokentune-sqlite', myco)).toContain('set format: myco-db');
    expect(await check('myco-db', join(ROOT, 'fixtures/example/phases.jsonl'))).toContain(
      'cannot be read as myco-db: file is not a database; 50 of its first 50 lines are tokentune-jsonl records: set format: tokentune-jsonl',
    );
    // A line format on a database: the "no records" explanation names the database's format.
    expect(await check('claude-code', myco)).toContain(`fixtures/myco/myco.db reads as myco-db: it has the tables myco-db reads (agent_runs). Set format: myco-db for ${myco}`);
  });

  it('says which key was meant for an unknown one, at any depth', async () => {
    const dir = await tempDir('tokentune-keys-');
    await writeFile(join(dir, 't.yaml'), `sources: [{path: ${join(ROOT, 'fixtures/example')}}]\ntargts: []\npublish: {gitlab: {reviewer: [a]}}\nrules: {downgrade: {max_step: 2}}\n`);
    const r = await tune(['check', '--config', join(dir, 't.yaml')], { XDG_STATE_HOME: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(top level): unknown key "targts" (did you mean "targets"?)');
    expect(r.stderr).toContain('publish.gitlab: unknown key "reviewer" (did you mean "reviewers"?)');
    expect(r.stderr).toContain('rules.downgrade: unknown key "max_step" (did you mean "max_steps"?)');
  });
});
