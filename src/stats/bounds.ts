/**
 * Confidence bounds for the rules' thresholds, so that a small sample that happens to pass a threshold
 * waits for more data. One-sided 95% throughout (z = 1.645).
 */

export const Z_ONE_SIDED_95 = 1.645;

/** The Wilson score interval's bound of a proportion: `lower` or upper, of `k` successes in `n`. */
export function wilsonBound(k: number, n: number, side: 'lower' | 'upper', z = Z_ONE_SIDED_95): number {
  if (n <= 0) return side === 'lower' ? 0 : 1;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return side === 'lower' ? Math.max(0, centre - half) : Math.min(1, centre + half);
}

/**
 * The bound of a mean count per item (retries per phase) from `total` events over `n` items, treating
 * the total as Poisson: the score interval of its rate.
 */
export function poissonRateBound(total: number, n: number, side: 'lower' | 'upper', z = Z_ONE_SIDED_95): number {
  if (n <= 0) return side === 'lower' ? 0 : Infinity;
  const z2 = z * z;
  const root = z * Math.sqrt(total + z2 / 4);
  return side === 'lower' ? Math.max(0, (total + z2 / 2 - root) / n) : (total + z2 / 2 + root) / n;
}

/**
 * The chance, given what was seen, that a success rate fell by more than `drop`: the rate before (`s0`
 * of `n0`) and since (`s1` of `n1`) each as a Beta posterior from a uniform prior, their difference
 * taken as normal. Unlike a fixed significance test it weighs the size of the fall against the size of
 * the samples, so a large fall on a small sample is seen within a week.
 */
export function chanceFellBy(s0: number, n0: number, s1: number, n1: number, drop: number): number {
  const beta = (s: number, n: number) => {
    const a = s + 1;
    const b = n - s + 1;
    return { mean: a / (a + b), variance: (a * b) / ((a + b) ** 2 * (a + b + 1)) };
  };
  const before = beta(s0, n0);
  const since = beta(s1, n1);
  const sd = Math.sqrt(before.variance + since.variance);
  return normalCdf((before.mean - since.mean - drop) / sd);
}

/** The standard normal distribution function (Abramowitz and Stegun 7.1.26, error under 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
