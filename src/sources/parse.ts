import type * as z from 'zod';
import { formatZodIssues } from '../common/index.js';

/**
 * The parsing kit of the adapters: one way to read a timestamp, a token count, a JSON object or a
 * string out of a source's line, and one wording for what is wrong with it. A check returns the value,
 * or the reason the line is skipped (a string), which names the field and shows what was found.
 */

// A time without a zone would be read in the machine's zone: a different instant on every machine.
const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

// Every line of a transcript carries a timestamp, often asked for twice: the last one is kept.
let lastText = '';
let lastMs = Number.NaN;

/**
 * The instant of an ISO 8601 timestamp with a zone, or NaN. A date the calendar lacks (2026-02-30)
 * or a time past 23:59:59 is refused, not moved to another day as Date.parse would. Fractions of a
 * millisecond are dropped, as Date.parse drops them.
 */
export function isoTimestampMs(text: string): number {
  if (text === lastText) return lastMs;
  const m = ISO_WITH_ZONE.exec(text);
  let ms = Number.NaN;
  if (m) {
    const [y, mo, d, h, mi] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!];
    const s = m[6] === undefined ? 0 : +m[6];
    const [zh, zm] = m[8] === undefined ? [0, 0] : [+m[9]!, +m[10]!];
    const days = mo === 2 && isLeap(y) ? 29 : DAYS[mo - 1]!;
    // Date.UTC reads years below 100 as 19xx: those few go through Date.parse.
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= days && h <= 23 && mi <= 59 && s <= 59 && zh <= 23 && zm <= 59)
      ms = y < 100 ? Date.parse(text) : Date.UTC(y, mo - 1, d, h, mi, s, m[7] === undefined ? 0 : +m[7].slice(0, 3).padEnd(3, '0')) - (m[8] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000;
  }
  lastText = text;
  lastMs = ms;
  return ms;
}

/** A value as a message shows it: JSON, cut to 40 characters. */
export const shown = (v: unknown): string => (JSON.stringify(v ?? null) ?? String(v)).slice(0, 40);

/** A timestamp field: its instant, or why not. */
export function timestamp(v: unknown, field = 'timestamp'): number | string {
  const ms = typeof v === 'string' ? isoTimestampMs(v) : Number.NaN;
  return Number.isNaN(ms) ? `${field}: expected ISO 8601 with a zone, found ${shown(v)}` : ms;
}

/** A token count that may be missing or null: 0, as the APIs omit what they did not use. Else a non-negative number, or why not. */
export function count(v: unknown, field: string): number | string {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${field}: expected a count, found ${shown(v)}`;
  return v;
}

/** A JSON object (not an array), or undefined. */
export const object = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** A string with something in it, or undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** What a schema found wrong with a line: its first three issues, each at its path. */
export const zodIssues = (error: z.ZodError): string => formatZodIssues(error).slice(0, 3).join('; ');

/** A line holding one JSON object: the object, nothing for a blank line, or why the line is skipped. */
export function jsonLine(line: string): { value: Record<string, unknown> } | { error: string } | undefined {
  if (!line.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  const value = object(v);
  return value ? { value } : { error: 'not a JSON object' };
}
