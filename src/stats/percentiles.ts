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

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** All values of several arrays in one sorted typed array, without intermediate copies. */
export function sortedConcat(parts: readonly ArrayLike<number>[]): Float64Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let i = 0;
  for (const p of parts) {
    for (let j = 0; j < p.length; j++) out[i++] = p[j]!;
  }
  return out.sort();
}

export function percentiles(sorted: ArrayLike<number>): Percentiles {
  const out = {} as Percentiles;
  for (const p of PERCENTILES) out[`p${p}`] = percentileOfSorted(sorted, p);
  return out;
}
