import type { ModelPrice, PriceTable } from './schema.js';

/**
 * Bundled list prices (USD per token, standard tier; 1-hour cache writes at 2× input, and the
 * long-context tier above 200K input tokens where a model has one), checked against the
 * vendors' model pages and LiteLLM's model_prices_and_context_window.json in November 2026. Cache
 * writes cost 1.25× and cache reads 0.1× the input price on every Anthropic model listed. Override or
 * extend from the tuner config (`pricing.models`).
 */

const PER_MTOK = 1e-6;

function anthropic(input: number, output: number, longContext?: { input: number; output: number }): ModelPrice {
  return {
    litellm_provider: 'anthropic',
    input_cost_per_token: input * PER_MTOK,
    output_cost_per_token: output * PER_MTOK,
    cache_creation_input_token_cost: input * 1.25 * PER_MTOK,
    cache_read_input_token_cost: input * 0.1 * PER_MTOK,
    cache_creation_input_token_cost_above_1hr: input * 2 * PER_MTOK,
    ...(longContext && {
      input_cost_per_token_above_200k_tokens: longContext.input * PER_MTOK,
      output_cost_per_token_above_200k_tokens: longContext.output * PER_MTOK,
      cache_creation_input_token_cost_above_200k_tokens: longContext.input * 1.25 * PER_MTOK,
      cache_read_input_token_cost_above_200k_tokens: longContext.input * 0.1 * PER_MTOK,
    }),
  };
}

function openai(input: number, output: number, cachedInput: number): ModelPrice {
  return {
    litellm_provider: 'openai',
    input_cost_per_token: input * PER_MTOK,
    output_cost_per_token: output * PER_MTOK,
    // OpenAI bills no separate cache write; writes cost the normal input price.
    cache_creation_input_token_cost: input * PER_MTOK,
    cache_read_input_token_cost: cachedInput * PER_MTOK,
  };
}

export const BUNDLED_PRICES: PriceTable = {
  // Checked on 2026-12-05 against https://platform.claude.com/docs/en/models/haiku-5-5/overview, whose
  // comparison table also gives Fable 5.1, Opus 5.5 and Sonnet 5.5. Haiku 5.5 bills prompts over 100K
  // tokens at 5×; that tier is not modelled here (the long-context tier below is the 200K one).
  'claude-fable-5-1': anthropic(10, 50),
  'claude-haiku-5-5': anthropic(0.1, 0.5),
  'claude-opus-5-5': anthropic(4, 20),
  'claude-opus-5': anthropic(5, 25),
  'claude-sonnet-5-5': anthropic(2, 10),
  'claude-sonnet-5': anthropic(2, 10),
  'claude-sonnet-4-6': anthropic(3, 15, { input: 6, output: 22.5 }),
  'claude-opus-4-6': anthropic(5, 25),
  'claude-opus-4-5': anthropic(5, 25),
  'claude-opus-4-1': anthropic(15, 75),
  'claude-opus-4': anthropic(15, 75),
  'claude-sonnet-4-5': anthropic(3, 15, { input: 6, output: 22.5 }),
  'claude-sonnet-4': anthropic(3, 15, { input: 6, output: 22.5 }),
  'claude-3-7-sonnet': anthropic(3, 15),
  'claude-haiku-4-5': anthropic(1, 5),
  'claude-3-5-haiku': anthropic(0.8, 4),
  'claude-3-haiku-20240307': anthropic(0.25, 1.25),
  'claude-3-opus-20240229': anthropic(15, 75),
  'gpt-5': openai(1.25, 10, 0.125),
  // Codex CLI's models, checked on 2026-12-05: gpt-5-codex at https://developers.openai.com/api/docs/models/gpt-5-codex
  // (shut down there, still in older session files); the 5.2 and 5.3 Codex models from the OpenAI rows of
  // GitHub's models-and-pricing table (github/docs data/tables/copilot/models-and-pricing.yml).
  'gpt-5-codex': openai(1.25, 10, 0.125),
  'gpt-5.2-codex': openai(1.75, 14, 0.175),
  'gpt-5.3-codex': openai(1.75, 14, 0.175),
  'gpt-5-mini': openai(0.25, 2, 0.025),
  'gpt-5-nano': openai(0.05, 0.4, 0.005),
  'gpt-4.1': openai(2, 8, 0.5),
  'gpt-4.1-mini': openai(0.4, 1.6, 0.1),
  'gpt-4.1-nano': openai(0.1, 0.4, 0.025),
  'gpt-4o': openai(2.5, 10, 1.25),
  'gpt-4o-mini': openai(0.15, 0.6, 0.075),
  'gpt-4-turbo-2024-04-09': openai(10, 30, 10),
  o3: openai(2, 8, 0.5),
  'o3-mini': openai(1.1, 4.4, 0.55),
  'o4-mini': openai(1.1, 4.4, 0.275),
  'o1-mini': openai(1.1, 4.4, 0.55),
};
