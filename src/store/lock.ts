import { mkdir, open, readFile, unlink } from 'node:fs/promises';
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

export async function acquireLock(dir: string, command: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'lock');
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(JSON.stringify(me));
      await fh.close();
      return async () => {
        const now = await readHolder(path);
        if (now?.pid === me.pid && now.host === me.host) await unlink(path).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = await readHolder(path);
      if (holder && !isStale(holder)) {
        throw new LockError(`another tokentune run holds ${path}: "${holder.command}", pid ${holder.pid} on ${holder.host}, since ${holder.started}`);
      }
      // The holder died (or the file is unreadable garbage): take the lock over.
      await unlink(path).catch(() => undefined);
    }
  }
  throw new LockError(`could not take the lock ${path}`);
}

async function readHolder(path: string): Promise<Holder | null> {
  try {
    const h = JSON.parse(await readFile(path, 'utf8')) as Holder;
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
