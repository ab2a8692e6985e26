import * as z from 'zod';

/** One model's prices, in USD per token, under LiteLLM's field names so its table can be pasted in. */
export const ModelPrice = z.object({
  litellm_provider: z.string().min(1),
  input_cost_per_token: z.number().nonnegative(),
  output_cost_per_token: z.number().nonnegative(),
  cache_creation_input_token_cost: z.number().nonnegative().optional(),
  cache_read_input_token_cost: z.number().nonnegative().optional(),
  /** One-hour cache writes; default 2× the input price, as Anthropic bills them. */
  cache_creation_input_token_cost_above_1hr: z.number().nonnegative().optional(),
  /** The long-context tier: every token of a request whose input side is over 200K tokens. */
  input_cost_per_token_above_200k_tokens: z.number().nonnegative().optional(),
  output_cost_per_token_above_200k_tokens: z.number().nonnegative().optional(),
  cache_creation_input_token_cost_above_200k_tokens: z.number().nonnegative().optional(),
  cache_read_input_token_cost_above_200k_tokens: z.number().nonnegative().optional(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PriceTable = z.record(z.string().min(1), ModelPrice);
export type PriceTable = z.infer<typeof PriceTable>;
