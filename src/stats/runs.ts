import { dayOf } from '../store/rollup.js';
import type { RollupView } from '../store/rollup-view.js';
import { eachMergedRun, RUN_FIELDS } from '../store/sealed-runs.js';
import type { RunColumns, RunStats, Trend } from './types.js';
import { inWindow, type DayRange } from './window.js';

const RECENT = 5;

const FIELD = Object.fromEntries(RUN_FIELDS.map((f, j) => [f, j])) as Record<(typeof RUN_FIELDS)[number], number>;

/** The fields the run statistics use (not last_ts). */
const USED = RUN_FIELDS.filter((f) => f !== 'last_ts');
type UsedField = (typeof USED)[number];
const SOURCE = USED.map((f) => FIELD[f]);

/**
 * Per-run totals of the runs that started in the window, oldest first, as columns. This runs once per
 * process over every run of the history, so it is written for code V8 has not optimised yet: typed
 * arrays sized up front, plain loops, and no per-run objects or comparator calls.
 */
export function computeRuns(rollups: RollupView, range: DayRange): RunColumns {
  // The history's runs are walked once, never merged into a copy; only the window's are copied out.
  // Sized for the largest table: the merged runs are at least as many, and usually not many more.
  let cols = USED.map(() => new Float64Array(Math.max(1024, ...rollups.runs.map((t) => t.ids.length))));
  let ids: string[] = [];
  let n = 0;
  eachMergedRun(rollups.runs, (id, numbers, offset) => {
    if (!inWindow(range, dayOf(numbers[offset + FIELD.first_ts]!))) return;
    if (n === cols[0]!.length) {
      cols = cols.map((c) => {
        const bigger = new Float64Array(Math.ceil(c.length * 1.5));
        bigger.set(c);
        return bigger;
      });
    }
    ids.push(id);
    for (let j = 0; j < SOURCE.length; j++) cols[j]![n] = numbers[offset + SOURCE[j]!]!;
    n++;
  });
  const column = (f: UsedField) => cols[USED.indexOf(f)]!.subarray(0, n);
  const rows = startOrder(column('first_ts'));
  // Into start-time order in place, through one scratch column (run ids often sort in time order
  // already: then nothing moves).
  let moved = false;
  for (let k = 0; k < n && !moved; k++) moved = rows[k] !== k;
  if (moved) {
    const scratch = new Float64Array(n);
    const inOrder = new Array<string>(n);
    for (let k = 0; k < n; k++) inOrder[k] = ids[rows[k]!]!;
    ids = inOrder;
    for (const c of cols) {
      for (let k = 0; k < n; k++) scratch[k] = c[rows[k]!]!;
      c.set(scratch);
    }
  }
  const core = column('phase_tokens');
  const aux = column('aux_tokens');
  const total = new Float64Array(n);
  for (let k = 0; k < n; k++) total[k] = core[k]! + aux[k]!;
  const at = (k: number, f: UsedField) => column(f)[k]!;
  const recent: RunStats[] = [];
  for (let k = Math.max(0, n - RECENT); k < n; k++) {
    recent.push({
      run_id: ids[k]!,
      started_ts: at(k, 'first_ts'),
      phases: at(k, 'phases'),
      failures: at(k, 'failures'),
      core_tokens: core[k]!,
      builder_tokens: at(k, 'builder_tokens'),
      auditor_tokens: at(k, 'auditor_tokens'),
      aux_tokens: aux[k]!,
      ci_tokens: at(k, 'ci_tokens'),
      total_tokens: total[k]!,
    });
  }
  return {
    count: n,
    started_ts: column('first_ts'),
    core_tokens: core,
    aux_tokens: aux,
    builder_tokens: column('builder_tokens'),
    auditor_tokens: column('auditor_tokens'),
    ci_tokens: column('ci_tokens'),
    total_tokens: total,
    failures: column('failures'),
    recent,
  };
}

/**
 * The rows in order of `keys` (start times, whole milliseconds), ties in row order. An LSD radix sort
 * on the offsets from the earliest key, 16 bits a pass: two passes over plain typed-array loops when
 * the keys span less than 2^32 ms (49 days), as an analysis window does. Rows arrive in run-id order,
 * which may be far from time order ("run-99999" sorts after "run-100000"), so no order is assumed.
 * Wider spans and fractional keys (no parser gives them) take a comparator sort, stable alike.
 */
export function startOrder(keys: Float64Array): Uint32Array {
  const n = keys.length;
  let src = new Uint32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  if (n < 2) return src;
  let min = Infinity;
  let max = -Infinity;
  let whole = true;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (k < min) min = k;
    if (k > max) max = k;
    if (k !== Math.floor(k)) whole = false;
  }
  if (!whole || max - min >= 2 ** 32) return Uint32Array.from(Array.from(src).sort((a, b) => keys[a]! - keys[b]!));
  const offset = new Uint32Array(n);
  for (let i = 0; i < n; i++) offset[i] = keys[i]! - min;
  let dst = new Uint32Array(n);
  const counts = new Uint32Array(1 << 16);
  for (let shift = 0; shift < 32 && max - min >= 2 ** shift; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(offset[i]! >>> shift) & 0xffff]!++;
    let at = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d]!;
      counts[d] = at;
      at += c;
    }
    for (let i = 0; i < n; i++) {
      const row = src[i]!;
      dst[counts[(offset[row]! >>> shift) & 0xffff]!++] = row;
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/** Movement under this share between the halves is reported as flat. */
const FLAT = 0.05;

/** Compares the mean run of the older half of the window with the newer half. */
export function trendOf(runs: RunColumns): Trend {
  const n = runs.count;
  if (n < 4) return { direction: 'unknown', first_half_mean: null, second_half_mean: null, change: null };
  const half = Math.floor(n / 2);
  const mean = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += runs.total_tokens[i]!;
    return s / (to - from);
  };
  const first = mean(0, half);
  const second = mean(n - half, n);
  const change = first > 0 ? (second - first) / first : 0;
  const direction = change < -FLAT ? 'declining' : change > FLAT ? 'rising' : 'flat';
  return { direction, first_half_mean: first, second_half_mean: second, change };
}

export const sum = (xs: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
};
