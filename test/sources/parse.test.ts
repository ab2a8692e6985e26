import { describe, expect, it } from 'vitest';
import { isoTimestampMs } from '../../src/sources/parse.js';

describe('isoTimestampMs', () => {
  it('gives the instant Date.parse gives for every valid form: fractions, zones with and without a colon', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    for (let i = 0; i < 5000; i++) {
      const y = 1970 + rand(140);
      const mo = 1 + rand(12);
      const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      const d = 1 + rand([31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!);
      const fraction = ['', '.5', '.12', '.123', '.1239', '.000001'][rand(6)]!;
      const zone = ['Z', '+02:00', '-0930', '+14:00', '-00:00'][rand(5)]!;
      const seconds = rand(3) === 0 ? '' : `:${pad(rand(60))}${fraction}`;
      const text = `${y}-${pad(mo)}-${pad(d)}T${pad(rand(24))}:${pad(rand(60))}${seconds}${zone}`;
      expect(isoTimestampMs(text), text).toBe(Date.parse(text));
    }
  });

  it('refuses dates the calendar lacks and times past the day, asked once or again', () => {
    for (const bad of ['2026-02-29T10:00:00Z', '2026-02-30T10:00:00Z', '2026-04-31T10:00:00Z', '2026-13-01T10:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:60:00Z', '2026-01-01T10:00:00'])
      for (let twice = 0; twice < 2; twice++) expect(isoTimestampMs(bad), bad).toBeNaN();
    expect(isoTimestampMs('2024-02-29T10:00:00Z')).toBe(Date.parse('2024-02-29T10:00:00Z'));
    expect(isoTimestampMs('2000-02-29T00:00:00+01:00')).toBe(Date.parse('2000-02-29T00:00:00+01:00'));
    expect(isoTimestampMs('0050-06-01T00:00:00Z')).toBe(Date.parse('0050-06-01T00:00:00Z'));
  });
});
