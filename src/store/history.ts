import { Change, changeKey } from '../targets/index.js';
import type { Db } from './db.js';

/**
 * What tokentune proposed and what became of each change: `proposed` until the targets hold its new
 * value (`applied`, with when it was first seen there) or until a later proposal for the same key or
 * an edit to another value replaces it (`dropped`). Applied changes are the closed loop's baselines.
 */
export type TrackedStatus = 'proposed' | 'applied' | 'dropped';

export interface TrackedChange {
  id: number;
  /** Short hash naming the proposal the change was part of. */
  proposal: string;
  proposed_at: string;
  /** UTC day number of the proposal: the change cannot have taken effect before it. */
  proposed_day: number;
  key: string;
  change: Change;
  status: TrackedStatus;
  applied_at: string | null;
  applied_day: number | null;
  /** The UTC day it reached the base branch, where git tells; else null (it took effect no earlier than its proposal). */
  merged_day: number | null;
}

interface Row extends Omit<TrackedChange, 'change'> {
  change: string;
}

const fromRow = (r: Row): TrackedChange => ({ ...r, change: Change.parse(JSON.parse(r.change)) });

export function recordProposal(db: Db, proposal: string, at: Date, changes: readonly Change[]): void {
  const day = Math.floor(at.getTime() / 86_400_000);
  const drop = db.prepare(`UPDATE proposed_changes SET status = 'dropped' WHERE key = ? AND status = 'proposed'`);
  const insert = db.prepare(`INSERT INTO proposed_changes (proposal, proposed_at, proposed_day, key, change, status) VALUES (?, ?, ?, ?, ?, 'proposed')`);
  for (const c of changes) {
    const key = changeKey(c);
    const text = JSON.stringify(c);
    // What the next run reads back must parse: a change that would not is a bug, and is not stored.
    const back = Change.safeParse(JSON.parse(text));
    if (!back.success) throw new Error(`refusing to store the change of ${key}, which would not read back: a tokentune bug; the state is left as it was`);
    drop.run(key);
    insert.run(proposal, at.toISOString(), day, key, text);
  }
}

export function trackedChanges(db: Db, status: TrackedStatus): TrackedChange[] {
  const rows = db.prepare('SELECT p.*, m.merged_day FROM proposed_changes p LEFT JOIN change_merges m ON m.id = p.id WHERE p.status = ? ORDER BY p.id').all(status) as Row[];
  return rows.map(fromRow);
}

export function markApplied(db: Db, id: number, at: Date, mergedAt?: Date): void {
  const day = (d: Date) => Math.floor(d.getTime() / 86_400_000);
  db.prepare(`UPDATE proposed_changes SET status = 'applied', applied_at = ?, applied_day = ? WHERE id = ?`).run(at.toISOString(), day(at), id);
  if (mergedAt) db.prepare('INSERT OR REPLACE INTO change_merges (id, merged_day) VALUES (?, ?)').run(id, day(mergedAt));
}

export function markDropped(db: Db, id: number): void {
  db.prepare(`UPDATE proposed_changes SET status = 'dropped' WHERE id = ?`).run(id);
}

/**
 * Records the value a target holds for each key, and returns the day each key's value was first
 * seen as it is now (-1 when it has held that value since tokentune first looked).
 */
export function noteTargetValues(db: Db, values: ReadonlyMap<string, string>, day: number): Map<string, number> {
  const known = new Map((db.prepare('SELECT key, value, since_day FROM target_values').all() as { key: string; value: string; since_day: number }[]).map((r) => [r.key, r]));
  const put = db.prepare('INSERT INTO target_values (key, value, since_day) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, since_day = excluded.since_day');
  const out = new Map<string, number>();
  for (const [key, value] of values) {
    const k = known.get(key);
    if (k && k.value === value) out.set(key, k.since_day);
    else {
      const since = k ? day : -1;
      put.run(key, value, since);
      out.set(key, since);
    }
  }
  return out;
}

export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}

/** Lines skipped by a run that showed no report (a nightly check), kept for the next report. */
export function addSkippedLines(db: Db, at: Date, lines: readonly SkippedLine[]): void {
  const insert = db.prepare('INSERT INTO skipped_lines (at, file, line, reason) VALUES (?, ?, ?, ?)');
  for (const l of lines.slice(0, 1000)) insert.run(at.toISOString(), l.file, l.line, l.reason);
}

/** The kept skipped lines, and forgets them: the report that shows them is their last stop. */
export function takeSkippedLines(db: Db): (SkippedLine & { at: string })[] {
  const rows = db.prepare('SELECT at, file, line, reason FROM skipped_lines ORDER BY id').all() as (SkippedLine & { at: string })[];
  db.exec('DELETE FROM skipped_lines');
  return rows;
}
