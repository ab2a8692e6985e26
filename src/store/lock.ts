import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

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

/** A lock older than this is taken over even if its process cannot be checked (another host). */
const STALE_AFTER_MS = 6 * 3600_000;

/**
 * Takes the lock or throws a LockError naming its holder; returns the release. Synchronous, like the
 * few small file operations it is: the no-op check takes it on every run.
 */
export function acquireLock(dir: string, command: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'lock');
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(path);
      if (holder && !isStale(holder)) {
        throw new LockError(`another tokentune run holds ${path}: "${holder.command}", pid ${holder.pid} on ${holder.host}, since ${holder.started}`);
      }
      // The holder died (or the file is unreadable garbage): take the lock over.
      try {
        unlinkSync(path);
      } catch {
        // taken over by someone else meanwhile: the next attempt finds out
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    return () => {
      const now = readHolder(path);
      if (now?.pid === me.pid && now.host === me.host) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    };
  }
  throw new LockError(`could not take the lock ${path}`);
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

function isStale(h: Holder): boolean {
  if (Date.now() - Date.parse(h.started) > STALE_AFTER_MS) return true;
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
