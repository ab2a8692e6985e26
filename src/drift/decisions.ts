import { changeKey, type Change } from '../targets/index.js';

/**
 * Level 3 of the drift gate: would any decision change? A decision is a key that would change and
 * its direction; its figures are the numbers in its evidence. Two runs agree when they make the same
 * decisions and no figure moved more than the tolerance.
 */
export interface DecisionSet {
  decisions: string[];
  figures: Record<string, number>;
}

export function decisionSet(changes: readonly Change[]): DecisionSet {
  const decisions: string[] = [];
  const figures: Record<string, number> = {};
  for (const c of changes) {
    const key = changeKey(c);
    decisions.push(`${key}:${c.direction}`);
    for (const [name, v] of Object.entries(c.evidence)) if (typeof v === 'number') figures[`${key}:${name}`] = v;
  }
  return { decisions: decisions.sort(), figures };
}

export function compareDecisions(previous: DecisionSet | null, now: DecisionSet, tolerance: number): { material: boolean; moved: string[] } {
  if (!previous) return { material: true, moved: ['no proposal recorded yet'] };
  const before = new Set(previous.decisions);
  const after = new Set(now.decisions);
  const moved: string[] = [];
  for (const d of now.decisions) if (!before.has(d)) moved.push(`new decision ${d}`);
  for (const d of previous.decisions) if (!after.has(d)) moved.push(`decision gone ${d}`);
  for (const [key, v] of Object.entries(now.figures)) {
    const old = previous.figures[key];
    if (old === undefined) continue;
    const change = old === 0 ? (v === 0 ? 0 : Infinity) : Math.abs(v - old) / Math.abs(old);
    if (change > tolerance) moved.push(`${key} ${old} → ${v}`);
  }
  return { material: moved.length > 0, moved };
}
