/**
 * Exact percentiles by linear interpolation between closest ranks — the "R-7" definition used by
 * numpy's default, Excel's PERCENTILE.INC and Postgres' percentile_cont:
 *   h = (n − 1) × p,  P = x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋ + 1] − x[⌊h⌋])   over the sorted values x.
 * So P0 is the minimum, P100 the maximum, and P50 of an even count is the mean of the middle two.
 */

export const PERCENTILES = [10, 25, 50, 75, 90, 95, 99] as const;
export type PercentileKey = `p${(typeof PERCENTILES)[number]}`;
export type Percentiles = Record<PercentileKey, number>;

/** `sorted` must be ascending. p in [0, 100]. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  return sorted.length ? interpolate(sorted.length, p, (k) => sorted[k]!) : Number.NaN;
}

/**
 * The R-7 percentile p of n values, given the value of a rank (0-based): asks for rank ⌊h⌋, then,
 * when h falls between two ranks, for ⌊h⌋ + 1.
 */
function interpolate(n: number, p: number, valueAt: (rank: number) => number): number {
  const h = (n - 1) * (p / 100);
  const lo = Math.floor(h);
  const x = valueAt(lo);
  return lo + 1 < n && h > lo ? x + (h - lo) * (valueAt(lo + 1) - x) : x;
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function percentiles(sorted: ArrayLike<number>): Percentiles {
  const out = {} as Percentiles;
  for (const p of PERCENTILES) out[`p${p}`] = percentileOfSorted(sorted, p);
  return out;
}

/**
 * The same percentiles as percentiles() of all the parts' values sorted, without sorting them all.
 * Rollups keep each day's token values sorted, so a window is a few dozen sorted runs: a rank of their
 * union is found by bisecting the value range and counting with binary searches, which costs
 * O(parts × log n × log range) and copies nothing. Parts that are not sorted are sorted as copies
 * first; values that are not all integers fall back to quickselect over one copy of everything.
 */
export function percentilesOf(parts: readonly ArrayLike<number>[]): Percentiles {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = {} as Percentiles;
  if (n === 0) {
    for (const p of PERCENTILES) out[`p${p}`] = Number.NaN;
    return out;
  }
  const sorted: ArrayLike<number>[] = [];
  for (const p of parts) {
    if (!p.length) continue;
    if (!isIntegral(p)) return percentilesBySelection(parts, n);
    sorted.push(isSorted(p) ? p : Float64Array.from(p).sort());
  }
  const rank = rankFinder(sorted);
  for (const p of PERCENTILES) out[`p${p}`] = interpolate(n, p, rank);
  return out;
}

/**
 * A one-sided 95% upper confidence bound of P95, free of any assumption on the distribution: the value
 * of rank ⌈0.95n + 1.645·√(0.95·0.05·n) + ½⌉ (1-based, the normal approximation of the binomial count
 * of values below P95), or the largest value when so few values cannot bound P95 any tighter.
 */
export function p95UpperBoundOf(parts: readonly ArrayLike<number>[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  if (n === 0) return Number.NaN;
  const k = Math.min(n, Math.ceil(0.95 * n + 1.645 * Math.sqrt(0.0475 * n) + 0.5)) - 1;
  const filled = parts.filter((p) => p.length > 0);
  if (filled.every((p) => isIntegral(p) && isSorted(p))) return rankFinder(filled)(k);
  const all = new Float64Array(n);
  let i = 0;
  for (const p of filled) {
    all.set(p, i);
    i += p.length;
  }
  return all.sort()[k]!;
}

export function isSorted(a: ArrayLike<number>): boolean {
  for (let i = 1; i < a.length; i++) if (a[i]! < a[i - 1]!) return false;
  return true;
}

function isIntegral(a: ArrayLike<number>): boolean {
  if (a instanceof Uint32Array) return true;
  for (let i = 0; i < a.length; i++) if (!Number.isSafeInteger(a[i])) return false;
  return true;
}

/** Index of the first value greater than v in sorted a. */
function upperBound(a: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** For sorted integer parts: k ↦ the value of rank k (0-based) in their union. */
function rankFinder(parts: readonly ArrayLike<number>[]): (k: number) => number {
  let min = Infinity;
  let max = -Infinity;
  for (const p of parts) {
    min = Math.min(min, p[0]!);
    max = Math.max(max, p[p.length - 1]!);
  }
  return (k) => {
    // The smallest v with more than k values ≤ v.
    let lo = min;
    let hi = max;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      let count = 0;
      for (const p of parts) count += upperBound(p, mid);
      if (count > k) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** Quickselect over one copy of all values: ranks in ascending order, each right of the previous. */
function percentilesBySelection(parts: readonly ArrayLike<number>[], n: number): Percentiles {
  const a = new Float64Array(n);
  let i = 0;
  // set() copies typed arrays and plain arrays natively: far faster than an element loop over mixed kinds.
  for (const p of parts) {
    a.set(p, i);
    i += p.length;
  }
  const out = {} as Percentiles;
  let from = 0;
  for (const p of PERCENTILES) {
    let lo = -1;
    out[`p${p}`] = interpolate(n, p, (k) => {
      if (lo === -1) {
        select(a, k, from, n - 1);
        lo = from = k;
        return a[k]!;
      }
      // The next rank is the minimum of everything right of lo.
      let y = a[lo + 1]!;
      for (let i = lo + 2; i < n; i++) if (a[i]! < y) y = a[i]!;
      return y;
    });
  }
  return out;
}

/** Hoare-style quickselect: afterwards a[k] is the value of rank k, smaller ones left, larger right. */
function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    const pivot = a[(left + right) >>> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}
