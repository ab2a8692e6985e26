import { DAY_MS, dayOf, dayToIso } from '../store/index.js';
import { isCalendarDay } from '../common/index.js';
import type { Window } from './types.js';

export interface DayRange {
  since: number;
  until: number;
}

/**
 * The analysis window in UTC day numbers: `days` days ending on `until` (default: the day of the
 * newest record, so an export analysed next month still sees its own last four weeks).
 */
export function resolveWindow(opts: { days: number; since?: string; until?: string; maxTs: number }): DayRange {
  const until = opts.until !== undefined ? parseDay(opts.until, '--until') : dayOf(opts.maxTs);
  const since = opts.since !== undefined ? parseDay(opts.since, '--since') : until - opts.days + 1;
  if (since > until) throw new RangeError(`--since ${dayToIso(since)} is after --until ${dayToIso(until)}`);
  return { since, until };
}

export function describeWindow(range: DayRange): Window {
  return { since: dayToIso(range.since), until: dayToIso(range.until), days: range.until - range.since + 1 };
}

export const inWindow = (range: DayRange, day: number): boolean => day >= range.since && day <= range.until;

function parseDay(text: string, flag: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new RangeError(`${flag} must be a date written YYYY-MM-DD, got "${text}"`);
  if (!isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]))) throw new RangeError(`${flag} ${text} is not a day of the calendar`);
  if (Number.isNaN(Date.parse(text))) {
    throw new RangeError(`${flag} must be a date written YYYY-MM-DD, got "${text}"`);
  }
  return Math.floor(Date.parse(`${text}T00:00:00Z`) / DAY_MS);
}
