import * as z from 'zod';
import { ChangeKind, Confidence } from '../targets/index.js';
import { Complexity, Role } from '../sources/index.js';

/**
 * The structured answer asked of the model (part of the documented contract). Kept flat — no
 * records, transforms or defaults — because the SDK's zod helper turns it into a JSON schema the API
 * enforces. For run budgets, `category` names the budget (core_build_tokens, aux_agent_tokens).
 */
export const LlmChange = z.object({
  kind: ChangeKind,
  category: z.string().nullable(),
  complexity: Complexity.nullable(),
  role: Role.nullable(),
  /** A model id, a CI profile name, or a whole number of tokens in decimal digits. */
  to: z.string(),
  rationale: z.string(),
  confidence: Confidence,
  pilot: z.boolean(),
});
export type LlmChange = z.infer<typeof LlmChange>;

export const LlmAnswer = z.object({
  summary: z.string(),
  changes: z.array(LlmChange),
  advice: z.array(z.string()),
  caveats: z.array(z.string()),
});
export type LlmAnswer = z.infer<typeof LlmAnswer>;

/** Model text is shown as rationale only: one line, no control characters, bounded. */
export function cleanText(s: string, max = 600): string {
  const one = s
    // eslint-disable-next-line no-control-regex -- control characters are what it removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
