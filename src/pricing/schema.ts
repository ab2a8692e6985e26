import * as z from 'zod';

/** One model's prices, in USD per token, under LiteLLM's field names so its table can be pasted in. */
export const ModelPrice = z.object({
  litellm_provider: z.string().min(1),
  input_cost_per_token: z.number().nonnegative(),
  output_cost_per_token: z.number().nonnegative(),
  cache_creation_input_token_cost: z.number().nonnegative().optional(),
  cache_read_input_token_cost: z.number().nonnegative().optional(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PriceTable = z.record(z.string().min(1), ModelPrice);
export type PriceTable = z.infer<typeof PriceTable>;
