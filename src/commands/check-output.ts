import { termText } from '../common/index.js';
import type { CheckReport } from '../run/index.js';

/** What `tune check` prints: one line, or with `--json` the report without the per-line details (logged apart). */
export function checkOutput(r: CheckReport, json: boolean): string {
  if (json) {
    const { skipped_details: _details, held_back: _held, ...rest } = r;
    return `${JSON.stringify(rest, null, 2)}\n`;
  }
  if (r.result !== 'drift') return `${r.result}\n`;
  return `drift: ${termText(r.moved.slice(0, 5).join('; '))}${r.moved.length > 5 ? `; and ${r.moved.length - 5} more` : ''}\n`;
}
