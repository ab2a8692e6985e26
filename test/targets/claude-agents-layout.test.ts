import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../src/targets/apply.js';
import type { Change } from '../../src/targets/change.js';
import { changeOf } from '../helpers/changes.js';
import { readTargets } from '../../src/targets/read.js';

const REVIEWER = `---
name: reviewer
description: Reviews a diff for bugs # who calls it
model: sonnet   # strong enough for reviews
maxTurns: 30
---

You review diffs. model: opus is never used here.
---
A horizontal rule above stays.
`;

const change = (to: string): Change => changeOf({ kind: 'model', category: 'reviewer', subject: 'agent', role: 'builder', from: 'claude-sonnet-5-5', to });

describe('the claude-agents layout', () => {
  it("reads a subagent's front matter and edits one line of it, the prompt untouched", () => {
    const t = readTargets([
      { path: '/r/.claude/agents/reviewer.md', display: '.claude/agents/reviewer.md', preset: 'claude-agents', text: REVIEWER },
      { path: '/r/.claude/agents/helper.md', display: '.claude/agents/helper.md', preset: 'claude-agents', text: '---\nmodel: inherit\n---\nHelps.\n' },
      { path: '/r/.claude/agents/notes.md', display: '.claude/agents/notes.md', preset: 'claude-agents', text: 'No front matter here.\n' },
    ]);
    expect(t.agents['reviewer']).toMatchObject({ model: { value: 'claude-sonnet-5-5', raw: 'sonnet', path: ['model'] }, inherits: false, maxTurns: { value: 30 } });
    expect(t.agents['helper']).toMatchObject({ model: undefined, inherits: true });
    expect(t.notes).toEqual(['.claude/agents/notes.md: no YAML front matter (--- at its first line): left alone']);

    // To the family's model of the day it is written as the alias, to another model as its id.
    const [alias] = applyChanges([change('claude-haiku-5-5')], t);
    expect(alias!.after).toBe(REVIEWER.replace('model: sonnet   #', 'model: haiku   #'));
    const [id] = applyChanges([change('claude-haiku-4-5')], t);
    expect(id!.after).toBe(REVIEWER.replace('model: sonnet   #', 'model: claude-haiku-4-5   #'));
    expect(id!.diff.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-model: sonnet   # strong enough for reviews', '+model: claude-haiku-4-5   # strong enough for reviews']);
  });

  it('is what tune init finds in .claude/agents', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tempDir } = await import('../helpers/cli.js');
    const { discover } = await import('../../src/run/init.js');
    const dir = await tempDir('tokentune-init-agents-');
    await mkdir(join(dir, '.claude/agents'), { recursive: true });
    await writeFile(join(dir, '.claude/agents/reviewer.md'), REVIEWER);
    await writeFile(join(dir, '.claude/agents/README.md'), 'How our agents work.\n');
    expect(discover(dir, {}).targets).toEqual([{ path: '.claude/agents/reviewer.md', preset: 'claude-agents', why: 'a Claude Code subagent with YAML front matter' }]);
  });
});
