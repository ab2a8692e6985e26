import type { TrackedChange } from '../../src/store/history.js';
import { changeKey, type Change } from '../../src/targets/change.js';

/** A change of `kind` with every other field at a neutral value unless given. */
export const changeOf = (c: Partial<Change> & Pick<Change, 'kind'>): Change => ({
  category: null,
  complexity: null,
  role: null,
  key: null,
  from: null,
  to: '',
  direction: 'down',
  source: 'rules',
  evidence: {},
  effect: { tokens_per_run: 0, usd_per_run: 0 },
  rationale: '',
  risk: '',
  confidence: 'high',
  pilot: false,
  ...c,
});

/** A change as the history holds it once proposed and applied at `ms` (epoch ms), not yet seen merged. */
export function appliedAt(change: Change, ms: number, o: { id?: number; proposal?: string; status?: TrackedChange['status'] } = {}): TrackedChange {
  const at = new Date(ms).toISOString();
  const day = Math.floor(ms / 86_400_000);
  return {
    id: o.id ?? 1,
    proposal: o.proposal ?? 'abc123',
    proposed_at: at,
    proposed_day: day,
    key: changeKey(change),
    change,
    status: o.status ?? 'applied',
    applied_at: at,
    applied_day: day,
    merged_day: null,
  };
}
