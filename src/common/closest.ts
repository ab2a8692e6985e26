/** Levenshtein distance, one row at a time. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The candidates nearest to a misspelled word, nearest first: at most `n`, each within a third of its length (3 at least). */
export function closest(word: string, candidates: Iterable<string>, n = 1): string[] {
  return [...new Set(candidates)]
    .map((m) => ({ m, d: editDistance(word.toLowerCase(), m.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(word.length / 3)))
    .sort((a, b) => a.d - b.d || a.m.localeCompare(b.m))
    .slice(0, n)
    .map((x) => x.m);
}
