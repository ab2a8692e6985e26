import type { TargetLayout } from './api.js';
import { autopackModels } from './autopack-models.js';
import { autopackRuleset } from './autopack-ruleset.js';
import { claudeAgents } from './claude-agents.js';
import { litellmProxy } from './litellm-proxy.js';
import { autoskillitLayout } from './autoskillit.js';
import { myco } from './myco.js';
import { seedModels } from './seed-models.js';
import { seedStrategy } from './seed-strategy.js';

/** Every config layout tokentune can tune. A new layout is one file beside this one and a line here. */
export const LAYOUTS: readonly TargetLayout[] = [seedModels, seedStrategy, autopackModels, autopackRuleset, myco, claudeAgents, autoskillitLayout, litellmProxy];

export const LAYOUT_NAMES = LAYOUTS.map((l) => l.name) as [string, ...string[]];

export function targetLayout(name: string): TargetLayout {
  const l = LAYOUTS.find((x) => x.name === name);
  if (!l) throw new Error(`no target layout named "${name}"`);
  return l;
}
