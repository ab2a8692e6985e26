import { fmtUsd } from '../common/index.js';

/**
 * Monthly budgets: what a scope (the fleet, a project, an agent, a category) spent in the calendar
 * month (UTC) so far, where the month is heading, and which of its thresholds it has crossed. Pure:
 * the spend comes in per day, as the reports price it.
 */

/** One scope's spend per UTC day (`YYYY-MM-DD`), from the month before this one on. */
export interface ScopeSpend {
  /** `fleet`, or `project:<name>`, `agent:<name>`, `category:<name>`. */
  scope: string;
  budget: number;
  days: Map<string, number>;
}

export interface BudgetLine {
  scope: string;
  /** `YYYY-MM`. */
  period: string;
  budget: number;
  spent: number;
  share: number;
  /** Month-end spend at the pace so far: by day of week once the four weeks before today hold two weeks since the first spend, else linear. */
  projected: number;
  projection: 'linear' | 'weekday';
  days_elapsed: number;
  days_in_month: number;
  /** The thresholds the spend has reached, lowest first. */
  reached: number[];
}

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function budgetLine(s: ScopeSpend, now: Date, thresholds: readonly number[]): BudgetLine {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const start = Date.UTC(y, m, 1);
  const today = Date.UTC(y, m, now.getUTCDate());
  const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const elapsed = now.getUTCDate();
  let spent = 0;
  for (let d = start; d <= today; d += DAY) spent += s.days.get(iso(d)) ?? 0;

  // The four weeks before today, from the first day with spend: a day without any is a day that
  // spent nothing (a weekend off), and its day of the week is projected as such.
  const first = Math.min(...[...s.days.keys()].map((d) => Date.parse(`${d}T00:00:00Z`)), today);
  const from = Math.max(today - 28 * DAY, first);
  const sums = new Array<number>(7).fill(0);
  const counts = new Array<number>(7).fill(0);
  for (let d = from; d < today; d += DAY) {
    sums[new Date(d).getUTCDay()]! += s.days.get(iso(d)) ?? 0;
    counts[new Date(d).getUTCDay()]!++;
  }
  let projected = (spent / elapsed) * daysInMonth;
  let projection: BudgetLine['projection'] = 'linear';
  if ((today - from) / DAY >= 14) {
    projected = spent;
    for (let d = today + DAY; d < start + daysInMonth * DAY; d += DAY) {
      const w = new Date(d).getUTCDay();
      projected += sums[w]! / counts[w]!;
    }
    projection = 'weekday';
  }
  const share = spent / s.budget;
  return {
    scope: s.scope,
    period: iso(start).slice(0, 7),
    budget: s.budget,
    spent,
    share,
    projected,
    projection,
    days_elapsed: elapsed,
    days_in_month: daysInMonth,
    reached: [...thresholds].sort((a, b) => a - b).filter((t) => share >= t),
  };
}

/** The scope as a person reads it: "the fleet", "project api". */
export const scopeName = (scope: string): string => (scope === 'fleet' ? 'the fleet' : scope.replace(':', ' '));

/** The alert's one line, as posted and shown. */
export function alertText(l: BudgetLine, threshold: number): string {
  return `tokentune: ${scopeName(l.scope)} reached ${Math.round(threshold * 100)}% of its ${fmtUsd(l.budget)} budget for ${l.period}: ${fmtUsd(l.spent)} spent in ${l.days_elapsed} of ${l.days_in_month} days, ${fmtUsd(l.projected)} projected by the month's end`;
}

/** The line a check or a report prints for a scope. */
export function budgetSummary(l: BudgetLine): string {
  return `budget: ${scopeName(l.scope)} ${fmtUsd(l.spent)} of ${fmtUsd(l.budget)} (${Math.round(l.share * 100)}%) in ${l.period}, ${fmtUsd(l.projected)} projected (${l.projection === 'weekday' ? 'by day of week' : 'linear'})`;
}
