import { changeKey, type Change } from '../targets/index.js';
import { cleanText, type LlmAnswer } from './answer.js';
import { isMandatory, lowersRisk } from '../rules/index.js';
import type { Guarded, Rejection } from './guardrails.js';

export interface Merged {
  changes: Change[];
  /** Rule candidates the model left out, with its stated reason where it gave one. */
  considered: Rejection[];
}

/**
 * Accepted model changes replace the rule candidate for the same key. A rule candidate whose key the
 * model proposed but the guardrails rejected stays: a bad value falls back to the mechanical one. A
 * rule candidate the model did not mention is "considered, not proposed".
 */
export function mergeWithRules(rules: readonly Change[], guarded: Guarded, answer: LlmAnswer): Merged {
  // Migrations and reverts rest on a date or a measured outcome: they stand, and hold their keys.
  const mandatory = rules.filter(isMandatory);
  const mandatoryKeys = new Set(mandatory.map(changeKey));
  const accepted = guarded.accepted.filter((c) => !mandatoryKeys.has(changeKey(c)));
  const acceptedKeys = new Set(accepted.map(changeKey));
  const changes: Change[] = [...mandatory, ...accepted];
  const considered: Rejection[] = [];
  for (const r of rules) {
    const key = changeKey(r);
    if (mandatoryKeys.has(key)) continue;
    if (acceptedKeys.has(key)) continue;
    if (guarded.proposedKeys.has(key)) {
      changes.push({ ...r, rationale: `${r.rationale} [the model's value for this key was rejected; the mechanical proposal stands]` });
      continue;
    }
    // A raise against truncation or cap hits is proposed whatever the model left out.
    if (lowersRisk(r)) {
      changes.push({ ...r, rationale: `${r.rationale} [not in the model's answer; kept: it lowers risk]` });
      continue;
    }
    considered.push({ change: r, reason: statedReason(r, answer) });
  }
  const order = { model: 0, token_cap: 1, ci_profile: 2, run_budget: 3, turn_budget: 4, schedule: 5, effort: 6 };
  changes.sort((a, b) => order[a.kind] - order[b.kind]);
  return { changes, considered };
}

function statedReason(r: Change, answer: LlmAnswer): string {
  const name = r.category ?? r.key ?? '';
  const said = [...answer.caveats, ...answer.advice].find((t) => name && t.includes(name));
  return said ? `not proposed by the model, which said: "${cleanText(said, 300)}"` : 'not proposed by the model (no reason given)';
}
