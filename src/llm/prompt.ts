import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PromptView } from './view.js';

/** prompts/ sits beside dist/ and src/ alike, so this resolves in the built CLI and under vitest. */
export const PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));

export interface RenderedPrompt {
  system: string;
  user: string;
}

/**
 * Renders the system and cost-tuning prompts. Strict mode makes a missing field an error instead of
 * an empty string; noEscape because the output is plain text for a model, not HTML. Handlebars is
 * loaded here only, so runs that never build a prompt never pay for it.
 */
export async function renderPrompt(view: PromptView, dir = PROMPTS_DIR): Promise<RenderedPrompt> {
  const { default: Handlebars } = await import('handlebars');
  const hb = Handlebars.create();
  const valid = PromptView.parse(view);
  const compile = async (name: string) => hb.compile(await readFile(`${dir}${name}`, 'utf8'), { strict: true, noEscape: true, knownHelpersOnly: true });
  const [system, user] = await Promise.all([compile('system.hbs'), compile('cost-tuning.hbs')]);
  return { system: system(valid).trim() + '\n', user: user(valid).trim() + '\n' };
}
