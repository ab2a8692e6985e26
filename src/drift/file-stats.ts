import { statSync } from 'node:fs';
import type { InputStat } from '../store/index.js';

/**
 * stat() views of files, for level 1 of the drift gate.
 */

/** [dev, ino, size, mtimeMs, ctimeMs]: the ctime catches an edit whose mtime was put back (`touch -r`). */
export function inputStatOf(path: string): InputStat | null {
  try {
    const st = statSync(path);
    return [st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs];
  } catch {
    return null;
  }
}

/**
 * A file modified this close to the moment its stat() is taken could be modified again within the
 * same mtime tick, unseen (git's "racily clean" entries). Such stats are not recorded, so the next
 * check hashes the file instead of trusting its stat.
 */
export const RACY_MS = 2000;

/** stat() of the tuner config and the target files, as the no-op check may compare them. */
export function inputStats(paths: readonly string[], now: number): Record<string, InputStat> {
  const out: Record<string, InputStat> = {};
  for (const p of paths) {
    const st = inputStatOf(p);
    if (st && now - st[3] > RACY_MS) out[p] = st;
  }
  return out;
}

export function sameStats(a: Record<string, readonly number[]>, b: Record<string, readonly number[]>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const x = a[k]!;
    const y = b[k];
    return !!y && x.length === y.length && x.every((v, i) => v === y[i]);
  });
}
