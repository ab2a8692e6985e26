import { resolve, sep } from 'node:path';
import type { CursorOptions } from '../sources/index.js';
import { dayOf, type State } from '../store/index.js';
import { planCursor, readCursor, type CursorJob } from './cursor-units.js';
import { findUnits } from './found.js';
import { planLines, readLines, type LinesJob } from './lines-units.js';
import type { Limits } from './limits.js';
import { Tally, type IngestSummary, type Progress } from './tally.js';
import { planWhole, readWhole, type WholeJob } from './whole-units.js';

/**
 * Level 2 of the drift gate: read only what is new, into the state's transaction. Every unit keeps
 * its own rollups and cursor; how a unit is followed depends on its shape (lines-units.ts,
 * whole-units.ts, cursor-units.ts). Every record passes the dedupe keys first: one seen before, in any
 * unit, counts once. Units to be read again drop their old contribution before anything is read, so
 * a copy of a file that is being replaced is counted, once. A unit that is gone keeps its data until
 * retention drops it.
 */

export interface CatchUpOptions {
  now: Date;
  quietMinutes: number;
  retentionDays: number;
  workers: number | 'auto';
  parallelMinBytes: number;
  /** A record more than this many minutes in the future is a bad line. */
  maxFutureMinutes: number;
  /** The plausibility bound of a token count. */
  maxTokens: number;
  /** Any other count above this is a bad line (ingest.max_count). */
  maxCount?: number;
  /** A longer line is a bad line, never read whole (ingest.max_line_bytes). */
  maxLineBytes?: number;
  /** Called as reading goes on (after each range, file or slice of rows). */
  onProgress?: (p: Progress) => void;
  /**
   * Files or folders inside the sources to read instead of all of them (the status line's own
   * session): units outside them are neither read nor taken for gone.
   */
  only?: readonly string[];
}

export async function catchUp(state: State, sources: readonly { path: string; format: string; server?: CursorOptions }[], o: CatchUpOptions): Promise<{ summary: IngestSummary; events: string[] }> {
  const now = o.now.getTime();
  const found = findUnits(o.only ? within(sources, o.only) : sources);
  const live = new Map(state.liveUnits(o.only ? found.map((f) => f.identity) : undefined).map((u) => [u.identity, u]));
  const tally = new Tally(o.onProgress);
  const lines: LinesJob[] = [];
  const wholes: WholeJob[] = [];
  const cursors: CursorJob[] = [];

  // First every decision and every dropped contribution, then the reading.
  for (const f of found) {
    let prev = live.get(f.identity);
    live.delete(f.identity);
    if (prev && prev.format !== f.format) {
      state.retireUnit(prev.id, now);
      prev = undefined;
    }
    if (f.adapter.shape === 'append-lines') {
      const job = await planLines(state, f, prev, now, tally);
      if (job) lines.push(job);
    } else if (f.adapter.shape === 'whole-file') {
      const job = await planWhole(state, f, prev, tally);
      if (job) wholes.push(job);
    } else {
      const job = await planCursor(state, f, prev, tally);
      if (job) cursors.push(job);
    }
  }
  for (const prev of o.only ? [] : live.values()) {
    state.retireUnit(prev.id, now);
    tally.events.push(`${prev.label}: gone; its data stays until retention drops it`);
  }

  tally.summary.files = lines.length + wholes.length + cursors.length;
  tally.totalBytes = lines.reduce((n, j) => n + j.size - j.start, 0) + wholes.reduce((n, j) => n + Buffer.byteLength(j.text), 0);
  const pruned = state.prunedBefore;
  const limits: Limits = {
    quietAfter: now - o.quietMinutes * 60_000,
    futureAfter: now + o.maxFutureMinutes * 60_000,
    futureMinutes: o.maxFutureMinutes,
    maxTokens: o.maxTokens,
    ...(o.maxCount !== undefined ? { maxCount: o.maxCount } : {}),
    ...(o.maxLineBytes !== undefined ? { maxLineBytes: o.maxLineBytes } : {}),
    ...(pruned > 0 ? { prunedBefore: pruned * 86_400_000 } : {}),
  };
  await readLines(state, lines, { workers: o.workers, parallelMinBytes: o.parallelMinBytes, limits, quietMinutes: o.quietMinutes }, tally);
  for (const job of wholes) {
    readWhole(state, job, limits, tally);
    tally.tick();
  }
  for (const job of cursors) await readCursor(state, job, limits, o.quietMinutes, tally);

  // Retention counts back from the newest record, not the clock: a history read long after it was
  // written keeps what it holds. Once a day is enough.
  const newest = state.totals().max_ts;
  const oldest = newest > 0 ? dayOf(newest) - o.retentionDays : 0;
  if (state.prunedBefore < oldest) {
    state.prune(oldest);
    state.prunedBefore = oldest;
  }
  // Claude Code's OpenTelemetry events carry no id its transcripts have: a session in both is said.
  if (sources.some((s) => s.format === 'claude-code') && sources.some((s) => s.format === 'otel-file')) {
    const both = state.sessionsAlsoIn('otel-file');
    if (both.sessions > 0)
      tally.summary.counted_twice = [
        {
          formats: ['claude-code', 'otel-file'],
          sessions: both.sessions,
          first_day: new Date(both.first_ts!).toISOString().slice(0, 10),
          last_day: new Date(both.last_ts!).toISOString().slice(0, 10),
        },
      ];
  }
  return { summary: tally.summary, events: tally.events };
}

/** The paths of `only` that lie inside a configured source, each read as that source's format. */
function within<S extends { path: string; format: string }>(sources: readonly S[], only: readonly string[]): S[] {
  return only
    .map((p) => resolve(p))
    .flatMap((path) => {
      const source = sources.find((s) => path === resolve(s.path) || path.startsWith(resolve(s.path) + sep));
      return source ? [{ ...source, path }] : [];
    });
}
