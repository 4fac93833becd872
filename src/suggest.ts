// "did you mean": the known name closest to a misspelt one, for flags and policy names.

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * The known name nearest to `given`: the same but for case, `-` and `_`; else one that starts the
 * same; else the closest within a third of its length (at most 3 edits). Undefined when none is close.
 */
function closest(given: string, known: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  const g = norm(given);
  if (g === '') return undefined;
  const same = known.find((k) => norm(k) === g);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestD = Math.max(1, Math.min(3, Math.ceil(g.length / 3)));
  for (const k of known) {
    const d = editDistance(norm(k), g);
    if (d <= bestD && (best === undefined || d < bestD)) {
      best = k;
      bestD = d;
    }
  }
  if (best !== undefined) return best;
  return g.length >= 4 ? known.find((k) => norm(k).startsWith(g)) : undefined;
}

/** ` (did you mean "X"?)` or ``. */
export function didYouMean(given: string, known: readonly string[]): string {
  const hit = closest(given, known);
  return hit !== undefined && hit !== given ? ` (did you mean "${hit}"?)` : '';
}

/** `unknown managed cache policy "X" (did you mean "Y"?); known: A, B` — one wording for flags and config files. */
export function unknownName(what: string, given: string, known: readonly string[], lookup: string = given): string {
  return `unknown ${what} "${given}"${didYouMean(lookup, known)}; known: ${known.join(', ')}`;
}
