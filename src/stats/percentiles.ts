/**
 * Exact percentiles by linear interpolation between closest ranks — the "R-7" definition used by
 * numpy's default, Excel's PERCENTILE.INC and Postgres' percentile_cont:
 *   h = (n − 1) × p,  P = x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋ + 1] − x[⌊h⌋])   over the sorted values x.
 * So P0 is the minimum, P100 the maximum, and P50 of an even count is the mean of the middle two.
 */

export const PERCENTILES = [10, 25, 50, 75, 90, 95] as const;
export type PercentileKey = `p${(typeof PERCENTILES)[number]}`;
export type Percentiles = Record<PercentileKey, number>;

/** `sorted` must be ascending. p in [0, 100]. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * (p / 100);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (h - lo) * (b - a);
}

export function sortedCopy(values: Iterable<number>, size?: number): Float64Array {
  const out = size === undefined ? Float64Array.from(values) : new Float64Array(size);
  if (size !== undefined) {
    let i = 0;
    for (const v of values) out[i++] = v;
  }
  return out.sort();
}

export function percentiles(sorted: ArrayLike<number>): Percentiles {
  const out = {} as Percentiles;
  for (const p of PERCENTILES) out[`p${p}`] = percentileOfSorted(sorted, p);
  return out;
}
