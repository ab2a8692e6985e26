import { describe, expect, it } from 'vitest';
import { checkDue, checkGapMs, intervalOf } from '../../src/daemon/backoff.js';

const DAY = 24 * 3600_000;
const WEEK = 7 * DAY;

describe('back-off of the scheduled check', () => {
  it('doubles the gap with each no-op in a row, capped at the tuning interval', () => {
    expect([0, 1, 2, 3, 4, 40].map((s) => checkGapMs(s, DAY, WEEK) / DAY)).toEqual([1, 2, 4, 7, 7, 7]);
  });

  it('a nightly check after two no-ops runs every fourth night; a change resets it', () => {
    const last = 0;
    expect(checkDue(1 * DAY, last, 2, DAY, WEEK)).toBe(false);
    expect(checkDue(3 * DAY, last, 2, DAY, WEEK)).toBe(false);
    expect(checkDue(4 * DAY, last, 2, DAY, WEEK)).toBe(true);
    // a tick a few seconds early still counts as due
    expect(checkDue(4 * DAY - 5000, last, 2, DAY, WEEK)).toBe(true);
    expect(checkDue(1 * DAY, last, 0, DAY, WEEK)).toBe(true);
    expect(checkDue(5, null, 9, DAY, WEEK)).toBe(true);
  });

  it("reads a schedule's interval from its next runs", () => {
    const at = (h: number) => new Date(Date.UTC(2026, 10, 23, h));
    expect(intervalOf([at(3), at(27), at(51)])).toBe(DAY);
    expect(intervalOf([at(3)])).toBe(DAY);
  });
});
