/**
 * Folds text for string search: compatibility decomposition turns full-width Latin into ASCII and
 * splits accented letters, then the combining marks go and case is dropped, so `ＺＨĀＮＧ` and
 * `zhang` meet. Han characters pass through unchanged.
 */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * B-tree entries have a size limit (≈ 2.7 kB), and a clinical search never needs more than the
 * first few hundred characters of a value; stored and searched values are clipped alike.
 */
export function clip(text: string, length = 512): string {
  return text.length > length ? text.slice(0, length) : text;
}
