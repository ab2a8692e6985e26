/**
 * Back-off of the scheduled drift check. Each no-op in a row doubles the time between checks, up to
 * the interval of the tuning run (checking more rarely than tuning would be pointless); any check that
 * finds something resets it. Ticks in between are skipped.
 */

export function checkGapMs(noopStreak: number, baseMs: number, capMs: number): number {
  // 2^streak, computed without overflow for long streaks.
  const factor = 2 ** Math.min(noopStreak, 30);
  return Math.max(baseMs, Math.min(baseMs * factor, capMs));
}

/**
 * Whether a check tick at `now` should run. Cron ticks arrive a little late or early; half an interval
 * of slack keeps a tick that is due from being skipped for being a few milliseconds short.
 */
export function checkDue(now: number, lastRun: number | null, noopStreak: number, baseMs: number, capMs: number): boolean {
  if (lastRun === null) return true;
  return now - lastRun >= checkGapMs(noopStreak, baseMs, capMs) - baseMs / 2;
}

/** The typical interval of a schedule: the shortest gap between its next few runs. */
export function intervalOf(nextRuns: readonly Date[]): number {
  let best = Infinity;
  for (let i = 1; i < nextRuns.length; i++) best = Math.min(best, nextRuns[i]!.getTime() - nextRuns[i - 1]!.getTime());
  return Number.isFinite(best) ? best : 24 * 3600_000;
}
