/** "Did you mean …?" support: the nearest candidate by edit distance, if it is close enough to be a likely typo. */
export function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = levenshtein(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A word that is a prefix of exactly one candidate (`copy` → `copy_mode`) is a likely abbreviation.
  const extensions = candidates.filter((c) => lower.length >= 3 && c.toLowerCase().startsWith(lower));
  if (bestDistance > 0 && extensions.length === 1) return extensions[0];
  // Accept up to a third of the word's length (at least 2 edits): typos, not unrelated words.
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}
