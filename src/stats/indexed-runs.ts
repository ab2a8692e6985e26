import { DAY_MS, dayOf } from '../store/rollup.js';
import { FIRST_TS, INDEX_FIELDS, SEALED_AT, findRun, firstRowFrom, idAt, type RunIndex } from '../store/run-index.js';
import { eachMergedRun, type SealedRuns } from '../store/sealed-runs.js';
import type { RunWindow } from './runs.js';
import { inWindow, type DayRange } from './window.js';

const F = INDEX_FIELDS.length;

/**
 * The window's runs from the run index and the tables it does not cover (a file's appended segments,
 * a few hundred or thousand runs). The index is already merged and in start order, so the window is
 * the slice between two bisections; each run of the other tables is either found in the index (a run
 * that went on after the settled rollups were written: its row is summed with it) or new, and new
 * ones are merged into the slice by (start, id) — the order tableWindow gives. The slice is copied in
 * stretches, not row by row.
 */
export function indexedWindow(index: RunIndex, extra: readonly SealedRuns[], range: DayRange): RunWindow {
  const lo = firstRowFrom(index, range.since * DAY_MS);
  const hi = firstRowFrom(index, (range.until + 1) * DAY_MS);
  const patches = new Map<number, Float64Array>();
  const dropped: number[] = [];
  const fresh: { id: string; values: Float64Array }[] = [];
  eachMergedRun(extra, (id, numbers, offset) => {
    const values = new Float64Array(F);
    for (let j = 0; j < F; j++) values[j] = numbers[offset + SEALED_AT[j]!]!;
    const row = findRun(index, id);
    if (row >= 0) {
      for (let j = 0; j < F; j++) {
        const settled = index.columns[j]![row]!;
        values[j] = j === FIRST_TS ? Math.min(values[j]!, settled) : values[j]! + settled;
      }
      // An earlier start moves the run: it leaves its row and is placed like a new one.
      if (values[FIRST_TS] === index.columns[FIRST_TS]![row]) {
        patches.set(row, values);
        return;
      }
      dropped.push(row);
    }
    if (inWindow(range, dayOf(values[FIRST_TS]!))) fresh.push({ id, values });
  });
  fresh.sort((a, b) => a.values[FIRST_TS]! - b.values[FIRST_TS]! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const skip = dropped.filter((r) => r >= lo && r < hi).sort((a, b) => a - b);
  const patched = [...patches.keys()].filter((r) => r >= lo && r < hi).sort((a, b) => a - b);

  const n = hi - lo - skip.length + fresh.length;
  const columns = INDEX_FIELDS.map(() => new Float64Array(n));
  // Where the output rows come from, by stretch: output row outAt[i] on is index row fromRow[i] on,
  // or, for a negative fromRow, the fresh run -(fromRow + 1). Only the ids of a few rows are ever
  // asked for, so this beats an entry per row.
  const outAt: number[] = [];
  const fromRow: number[] = [];
  let out = 0;
  let cur = lo;
  let s = 0;
  let p = 0;
  /** Copies the index rows [cur, to) but the dropped ones, with their patches. */
  const copyUntil = (to: number) => {
    while (cur < to) {
      const stop = s < skip.length && skip[s]! < to ? skip[s]! : to;
      if (stop > cur) {
        for (let j = 0; j < F; j++) columns[j]!.set(index.columns[j]!.subarray(cur, stop), out);
        outAt.push(out);
        fromRow.push(cur);
        for (; p < patched.length && patched[p]! < stop; p++) {
          const values = patches.get(patched[p]!)!;
          for (let j = 0; j < F; j++) columns[j]![out + patched[p]! - cur] = values[j]!;
        }
        out += stop - cur;
        cur = stop;
      }
      if (s < skip.length && skip[s] === cur) {
        cur++;
        s++;
      }
    }
  };
  const starts = index.columns[FIRST_TS]!;
  fresh.forEach((f, k) => {
    const ts = f.values[FIRST_TS]!;
    let at = Math.max(cur, firstRowFrom(index, ts));
    while (at < hi && starts[at] === ts && idAt(index, at) < f.id) at++;
    copyUntil(Math.min(at, hi));
    for (let j = 0; j < F; j++) columns[j]![out] = f.values[j]!;
    outAt.push(out++);
    fromRow.push(-(k + 1));
  });
  copyUntil(hi);
  const idOf = (k: number): string => {
    let a = 0;
    let b = outAt.length - 1;
    while (a < b) {
      const mid = (a + b + 1) >>> 1;
      if (outAt[mid]! <= k) a = mid;
      else b = mid - 1;
    }
    const from = fromRow[a]!;
    return from >= 0 ? idAt(index, from + k - outAt[a]!) : fresh[-from - 1]!.id;
  };
  return { n, columns, idOf };
}
