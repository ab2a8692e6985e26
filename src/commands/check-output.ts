import { budgetLines } from './common.js';
import { termText } from '../common/index.js';
import type { CheckReport } from '../run/index.js';

/** What `tune check` prints: one line, or with `--json` the report without the per-line details (logged apart). */
export function checkOutput(r: CheckReport, json: boolean): string {
  if (json) {
    const { skipped_details: _details, held_back: _held, ...rest } = r;
    return `${JSON.stringify(rest, null, 2)}\n`;
  }
  // A merge of our own proposal is what was asked for: said once, never drift.
  const applied = r.applied.map((a) => `applied: ${a.changes} change${a.changes === 1 ? '' : 's'} of proposal ${a.proposal} found in the targets; observing\n`).join('');
  // With budgets set, a line per budget follows, and one per alert this check raised.
  const budget = budgetLines(r.budget)
    .map((l) => `${termText(l)}\n`)
    .join('');
  if (r.result !== 'drift') return (applied || `${r.result}\n`) + budget;
  return `${applied}drift: ${termText(r.moved.slice(0, 5).join('; '))}${r.moved.length > 5 ? `; and ${r.moved.length - 5} more` : ''}\n${budget}`;
}
