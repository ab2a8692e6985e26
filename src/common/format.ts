import { mdText } from './escape.js';

/** Number formats shared by the report and the CLI summary. */

export function fmtTokens(n: number): string {
  const a = Math.abs(n);
  const sign = n < 0 ? '−' : '';
  if (a >= 1e6) return `${sign}${(a / 1e6).toFixed(a >= 1e7 ? 1 : 2)}M`;
  if (a >= 1e3) return `${sign}${Math.round(a / 1e3)}K`;
  return `${sign}${Math.round(a)}`;
}

export function fmtUsd(n: number | null): string {
  if (n === null) return 'unpriced';
  const a = Math.abs(n);
  const sign = n < 0 ? '−' : '';
  if (a > 0 && a < 0.01) return `${sign}$${a.toFixed(4)}`;
  return `${sign}$${a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export const fmtPct = (x: number | null, digits = 0): string => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(digits)}%`);

export function fmtSignedPct(x: number): string {
  const s = (x * 100).toFixed(1);
  return x > 0 ? `+${s}%` : x < 0 ? `−${s.slice(1)}%` : '0%';
}

export function fmtValue(v: string | number | null): string {
  if (v === null) return '—';
  return typeof v === 'number' ? v.toLocaleString('en-US') : v;
}

/** Text in a Markdown report or table: telemetry and LLM strings never add markup (escape.ts). */
export const cell = (s: string): string => mdText(s);

/**
 * A whole number with thousands separators, "1,200": what toLocaleString('en-US') gives, without
 * loading the locale data (~20 ms, which `tune log` cannot spare).
 */
export const fmtInt = (n: number): string => (Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : n.toLocaleString('en-US'));

/** "1 phase", "3 phases", "1,200 runs". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${fmtInt(n)} ${n === 1 ? one : many}`;

/**
 * Whether year, month and day name a day of the calendar: `Date.parse` takes 2026-02-30 for March 2nd
 * and 2026-11-31 for December 1st, and a user who typed either meant neither.
 */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** A duration in the largest unit that reads whole: 1800 → 30 min, 86400 → 24 h. */
export function fmtSeconds(x: number): string {
  if (x >= 3600) return `${+(x / 3600).toFixed(1)} h`;
  if (x >= 60) return `${Math.round(x / 60)} min`;
  return `${Math.round(x)} s`;
}
