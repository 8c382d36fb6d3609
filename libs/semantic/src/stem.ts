/**
 * A light English stemmer for matching inflections only ("flights" = "flight", "running" = "run",
 * "studies" = "study"), not derivations: over-stemming would let different words match exactly.
 */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  if (/(?:x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  if (word.endsWith('ing') && word.length > 5) return undouble(word.slice(0, -3));
  if (word.endsWith('ied') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ed') && word.length > 4) return undouble(word.slice(0, -2));
  return word;
}

/** "runn" → "run", "stopp" → "stop"; "fall", "pass", "buzz" keep their doubled letter. */
function undouble(base: string): string {
  const n = base.length;
  if (n >= 3 && base[n - 1] === base[n - 2] && !'lsz'.includes(base[n - 1] ?? '')) return base.slice(0, -1);
  return base;
}
