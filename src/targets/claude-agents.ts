import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TargetLayout } from './api.js';

/**
 * A Claude Code subagent, `.claude/agents/<name>.md` (or a plugin's `agents/<name>.md`, which Claude
 * Code and its transcripts call `<plugin>:<name>`): YAML front
 * matter over the agent's prompt. `name` (else the file's name) is the agent; `model` is an alias
 * (`haiku`, `sonnet`, `opus`), `inherit` (the session's model) or a model id; `maxTurns` bounds its
 * turns; `effort` (EFFORT_LEVELS) sets how much it reasons per turn. Only the front matter is read and edited; the prompt below it never changes.
 */
export const claudeAgents: TargetLayout = {
  name: 'claude-agents',
  description: 'a Claude Code subagent (.claude/agents/<name>.md): the model, maxTurns and effort of its YAML front matter',
  syntax: 'markdown',
  agent: { name: ['name'], model: ['model'], max_turns: ['maxTurns'], effort: ['effort'] },
};

/**
 * Claude Code's reasoning effort levels, least first (code.claude.com/docs/en/model-config, "Adjust
 * effort level", read 2026-12-05): a step down is the next entry to the left.
 */
export const EFFORT_LEVELS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

/**
 * The plugin a subagent file belongs to: the `name` in `.claude-plugin/plugin.json` of the folder
 * holding its `agents/` folder, where there is one. Its runs are dispatched as `<plugin>:<agent>`.
 */
export function pluginOf(file: string): string | undefined {
  const agents = dirname(file);
  if (basename(agents) !== 'agents') return undefined;
  const manifest = join(dirname(agents), '.claude-plugin', 'plugin.json');
  if (!existsSync(manifest)) return undefined;
  try {
    const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' && name ? name : basename(dirname(agents));
  } catch {
    // A manifest that does not parse still marks a plugin: its folder names it.
    return basename(dirname(agents));
  }
}
