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
