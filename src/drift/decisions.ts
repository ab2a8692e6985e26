import { fmtPct } from '../common/index.js';
import type { RuleContext } from '../rules/index.js';
import { changeKey, isDefaultEntry, type Change } from '../targets/index.js';

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

/**
 * What moved since the last proposal, in words ("docs (low) builder: the downgrade is no longer
 * indicated: success 88%, was 93%"). `ctx` gives a gone decision's figure as it stands now.
 */
export function compareDecisions(previous: DecisionSet | null, now: DecisionSet, tolerance: number, ctx?: RuleContext): { material: boolean; moved: string[] } {
  if (!previous) return { material: true, moved: ['no proposal recorded yet'] };
  const before = new Set(previous.decisions);
  const after = new Set(now.decisions);
  const moved: string[] = [];
  for (const d of now.decisions) {
    if (before.has(d)) continue;
    const { key, direction } = split(d);
    const main = mainFigure(key);
    const v = main === undefined ? undefined : now.figures[`${key}:${main}`];
    moved.push(`${label(key)}: ${article(what(key, direction))} is now indicated${v === undefined ? '' : ` (${figure(main!, v)})`}`);
  }
  for (const d of previous.decisions) {
    if (after.has(d)) continue;
    const { key, direction } = split(d);
    const main = mainFigure(key);
    const was = main === undefined ? undefined : previous.figures[`${key}:${main}`];
    const is = main === undefined || !ctx ? undefined : current(ctx, key, main);
    const basis = was === undefined ? '' : is === undefined ? `: it rested on ${figure(main!, was)}` : `: ${figure(main!, is)}, was ${fmt(main!, was)}`;
    moved.push(`${label(key)}: the ${what(key, direction)} is no longer indicated${basis}`);
  }
  for (const [k, v] of Object.entries(now.figures)) {
    const old = previous.figures[k];
    if (old === undefined) continue;
    const change = old === 0 ? (v === 0 ? 0 : Infinity) : Math.abs(v - old) / Math.abs(old);
    if (change <= tolerance) continue;
    const at = k.lastIndexOf(':');
    const key = k.slice(0, at);
    const name = k.slice(at + 1);
    moved.push(`${label(key)}: ${nameOf(name)} ${fmt(name, old)} → ${fmt(name, v)}`);
  }
  return { material: moved.length > 0, moved };
}

type Kind = Change['kind'];
interface Key {
  kind: Kind;
  category: string | null;
  complexity: string | null;
  role: string | null;
  key: string | null;
}

function split(decision: string): { key: string; direction: 'up' | 'down' } {
  const at = decision.lastIndexOf(':');
  return { key: decision.slice(0, at), direction: decision.slice(at + 1) as 'up' | 'down' };
}

/** A subagent's name from a key's category (`agent/<name>`). */
const agentName = (category: string | null): string => (category ?? '').replace(/^agent\//, '');

/** A change key (kind:category:complexity:role:key, `*` for none) back into its parts. */
function parts(key: string): Key {
  const [kind, category, complexity, role, k] = key.split(':');
  const v = (x: string | undefined) => (x === undefined || x === '*' ? null : x);
  return { kind: kind as Kind, category: v(category), complexity: v(complexity), role: v(role), key: v(k) };
}

/** A decision's value, as the report names it. */
function label(key: string): string {
  const p = parts(key);
  switch (p.kind) {
    case 'model':
      if (isDefaultEntry(p.category)) return `default ${p.role ?? 'builder'} model${p.complexity ? ` at ${p.complexity} complexity` : ''}`;
      return `${p.category}${p.complexity ? ` (${p.complexity})` : ''} ${p.complexity ? (p.role ?? 'builder') : 'model'}`;
    case 'token_cap':
      return `${p.category} cap`;
    case 'ci_profile':
      return `${p.category} CI profile`;
    case 'run_budget':
      return `${p.key}`;
    case 'turn_budget':
      return p.key === null ? `${agentName(p.category)} maxTurns` : `${p.category} ${p.key} turn budget`;
    case 'schedule':
      return `${p.category} interval`;
    case 'effort':
      return `${agentName(p.category)} effort`;
  }
}

const WHAT: Record<Kind, { up: string; down: string }> = {
  model: { up: 'upgrade', down: 'downgrade' },
  token_cap: { up: 'raise', down: 'cut' },
  ci_profile: { up: 'stricter profile', down: 'lighter profile' },
  run_budget: { up: 'raise', down: 'cut' },
  turn_budget: { up: 'raise', down: 'cut' },
  schedule: { up: 'longer interval', down: 'shorter interval' },
  effort: { up: 'more effort', down: 'less effort' },
};
const what = (key: string, direction: 'up' | 'down'): string => WHAT[parts(key).kind][direction];
const article = (s: string): string => `${/^[aeiou]/.test(s) ? 'an' : 'a'} ${s}`;

/** The figure a decision of each kind mostly rests on. */
const MAIN: Partial<Record<Kind, string>> = {
  model: 'success_rate',
  token_cap: 'cap_utilisation_p95',
  ci_profile: 'catch_rate',
  run_budget: 'utilisation',
  turn_budget: 'cap_hit_rate',
  schedule: 'noop_share',
  effort: 'success_rate',
};
const mainFigure = (key: string): string | undefined => MAIN[parts(key).kind];

const NAMES: Record<string, string> = {
  success_rate: 'success',
  cap_utilisation_p95: 'P95 use of the cap',
  turn_utilisation_p95: 'P95 use of the budget',
  noop_share: 'no-op runs',
  cap_hit_rate: 'runs stopped at the budget',
  catch_rate: 'CI catch rate',
  utilisation: 'use of the budget',
};
const nameOf = (name: string): string => NAMES[name] ?? name.replace(/_/g, ' ');
const isShare = (name: string): boolean => /rate|share|utilisation/.test(name);
const fmt = (name: string, v: number): string => (isShare(name) ? fmtPct(v) : v.toLocaleString('en-US'));
const figure = (name: string, v: number): string => `${nameOf(name)} ${fmt(name, v)}`;

/** A gone decision's main figure as the window has it now, where the stats say it plainly. */
function current(ctx: RuleContext, key: string, name: string): number | undefined {
  const p = parts(key);
  if (p.kind === 'model' && p.category && p.complexity && name === 'success_rate') {
    return ctx.stats.categories.find((c) => c.category === p.category)?.by_complexity[p.complexity as 'low']?.success_rate;
  }
  if (p.kind === 'model' && p.category && !p.complexity && name === 'success_rate') return ctx.stats.tasks.find((t) => t.task === p.category)?.success_rate;
  if (p.kind === 'token_cap' && p.category && name === 'cap_utilisation_p95') {
    const cap = ctx.targets.caps[p.category]?.value;
    const cat = ctx.stats.categories.find((c) => c.category === p.category);
    return cap && cat ? cat.percentiles.p95 / cap : undefined;
  }
  if (p.kind === 'schedule' && p.category && name === 'noop_share') return ctx.stats.tasks.find((t) => t.task === p.category)?.noop_share;
  if (p.kind === 'turn_budget' && p.category && p.key && name === 'cap_hit_rate') {
    const ph = ctx.stats.tasks.find((t) => t.task === p.category)?.phases.find((x) => x.phase === p.key);
    return ph && ph.runs ? ph.cap_hits / ph.runs : undefined;
  }
  return undefined;
}
