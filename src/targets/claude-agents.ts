import type { TargetLayout } from './api.js';

/**
 * A Claude Code subagent, `.claude/agents/<name>.md` (or a plugin's `agents/<name>.md`): YAML front
 * matter over the agent's prompt. `name` (else the file's name) is the agent; `model` is an alias
 * (`haiku`, `sonnet`, `opus`), `inherit` (the session's model) or a model id; `maxTurns` bounds its
 * turns. Only the front matter is read and edited; the prompt below it never changes.
 */
export const claudeAgents: TargetLayout = {
  name: 'claude-agents',
  description: 'a Claude Code subagent (.claude/agents/<name>.md): the model and maxTurns of its YAML front matter',
  syntax: 'markdown',
  agent: { name: ['name'], model: ['model'], max_turns: ['maxTurns'] },
};
