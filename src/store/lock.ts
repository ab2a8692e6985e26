import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { asStateError } from './db.js';
import type { State } from './state.js';

/** One run at a time per state directory: the CLI and the daemon share this lock. */
export class LockError extends Error {
  override name = 'LockError';
}

interface Holder {
  pid: number;
  host: string;
  started: string;
  command: string;
}

/**
 * Takes the run lock: the write transaction of the state database, held until the run commits or
 * rolls back. The operating system holds it for the process, so a run that dies loses it at once and
 * the next run takes it, atomically; there is no stale lock to take over. `lock.json` only says who
 * holds it, for the message a second run prints. Returns the release of that note.
 */
export function takeLock(state: State, dir: string, command: string): () => void {
  try {
    state.begin();
  } catch (e) {
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    const h = readHolder(join(dir, 'lock.json'));
    const who = h ? `"${h.command}", pid ${h.pid} on ${h.host}, since ${h.started}` : 'a run that has not said who it is yet';
    throw new LockError(`another tokentune run holds ${join(dir, 'state.db')}: ${who}`);
  }
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  const note = join(dir, 'lock.json');
  try {
    writeFileSync(note, JSON.stringify(me));
  } catch (e) {
    state.rollback();
    throw asStateError(e, note, { what: 'the note of which run holds the state' });
  }
  return () => {
    const now = readHolder(note);
    if (now?.pid === me.pid && now.host === me.host && now.started === me.started) {
      try {
        unlinkSync(note);
      } catch {
        // already gone
      }
    }
  };
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}
