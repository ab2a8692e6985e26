import { budgetLines } from './common.js';
import { checkAnswer } from './check-answer.js';
import { termText } from '../common/index.js';
import type { CheckReport } from '../run/index.js';

/** What `tune check` prints: its answer, and with budgets set a line per budget and one per alert this check raised. */
export function checkOutput(r: CheckReport, json: boolean): string {
  if (json) return checkAnswer(r, true);
  const budget = budgetLines(r.budget)
    .map((l) => `${termText(l)}\n`)
    .join('');
  return checkAnswer(r, false) + budget;
}
