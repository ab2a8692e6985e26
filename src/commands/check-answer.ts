import { termText } from '../common/escape.js';
import type { CheckReport } from '../run/index.js';

/**
 * What `tune check` answers, before any budget line: one line, or with `--json` the report without the
 * per-line details (logged apart). The no-op check prints this and nothing else, so it imports nothing
 * the answer does not need: each module loaded costs the nightly check about a millisecond.
 */
export function checkAnswer(r: CheckReport, json: boolean): string {
  if (json) {
    const { skipped_details: _details, held_back: _held, ...rest } = r;
    return `${JSON.stringify(rest, null, 2)}\n`;
  }
  // A merge of our own proposal is what was asked for: said once, never drift.
  const applied = r.applied.map((a) => `applied: ${a.changes} change${a.changes === 1 ? '' : 's'} of proposal ${a.proposal} found in the targets; observing\n`).join('');
  if (r.result !== 'drift') return applied || `${r.result}\n`;
  return `${applied}drift: ${termText(r.moved.slice(0, 5).join('; '))}${r.moved.length > 5 ? `; and ${r.moved.length - 5} more` : ''}\n`;
}
