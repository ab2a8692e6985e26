import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTargets } from '../../src/targets/read.js';
import { tempDir } from '../helpers/cli.js';

describe('names the targets give', () => {
  it('refuses a category named like the default model entry, naming the file and key', () => {
    const text = 'category_defaults:\n  default: {incident_token_cap: 1000, ci_profile: normal}\n';
    expect(() => readTargets([{ path: '/r/strategy.yaml', display: 'strategy.yaml', preset: 'seed-strategy', text }])).toThrow(
      "strategy.yaml: category_defaults.default: a category may not be named default: that name is the default model entry's",
    );
  });

  it("names a plugin's subagent <plugin>:<agent>, as Claude Code dispatches it", async () => {
    const root = await tempDir('tokentune-plugin-');
    await mkdir(join(root, 'tools/.claude-plugin'), { recursive: true });
    await mkdir(join(root, 'tools/agents'), { recursive: true });
    await writeFile(join(root, 'tools/.claude-plugin/plugin.json'), '{"name": "review-kit"}');
    const text = '---\nmodel: sonnet\n---\nReview.\n';
    const t = readTargets([
      { path: join(root, 'tools/agents/checker.md'), display: 'tools/agents/checker.md', preset: 'claude-agents', text },
      // Not in a plugin: its own name.
      { path: join(root, '.claude/agents/checker.md'), display: '.claude/agents/checker.md', preset: 'claude-agents', text },
    ]);
    expect(Object.keys(t.agents).sort()).toEqual(['checker', 'review-kit:checker']);
  });
});
