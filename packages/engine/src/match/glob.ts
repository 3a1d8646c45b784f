/**
 * The engine's one glob matcher. A glob is given as its literal pieces around `*`: `first*m1*m2*…*last`, where `*`
 * is any run of characters. Anchoring both ends first, then taking each middle piece at its leftmost place, is exact
 * (a leftmost placement never leaves less room for the pieces after it) and never backtracks over a star, unlike a
 * RegExp built from the glob, which backtracks exponentially in the number of stars. Cost: O(|value|) for pieces
 * without `anyChar`, O(|value| × |piece|) for a piece holding it, in all cases at most O(|value| × |pattern|).
 *
 * Callers name their semantics: which character (if any) is a one-character wildcard, whether text is compared
 * case-insensitively (they lower-case both sides), and how the pattern text is read (escapes) are theirs:
 * - CWL `*` in values and EventBridge `wildcard`: star only (match/cwl-filter/wildcard.ts, match/eventbridge/wildcard.ts);
 * - IAM policy actions: `*` and `?`, case-insensitive (match/typed/s3-policy.ts);
 * - Sigma values: `*` and `?` with backslash escapes, case-insensitive unless `cased` (match/sigma/pattern.ts);
 * - suppression entries: `*` only, everything else literal, case-sensitive (emit/suppress.ts).
 */
export function segmentMatcher(first: string, middle: readonly string[], last: string, anyChar?: string): (value: string) => boolean {
  const pieces = middle.filter((m) => m !== '')
  const fixed = first.length + last.length
  const minLength = fixed + pieces.reduce((n, p) => n + p.length, 0)
  const wild = anyChar !== undefined && [first, last, ...pieces].some((p) => p.includes(anyChar))
  if (!wild) {
    return (v) => {
      if (v.length < minLength || !v.startsWith(first) || !v.endsWith(last)) return false
      const end = v.length - last.length
      let pos = first.length
      for (const piece of pieces) {
        const at = v.indexOf(piece, pos)
        if (at < 0 || at + piece.length > end) return false
        pos = at + piece.length
      }
      return true
    }
  }
  const any = anyChar
  return (v) => {
    if (v.length < minLength || !matchesAt(v, 0, first, any) || !matchesAt(v, v.length - last.length, last, any)) {
      return false
    }
    const end = v.length - last.length
    let pos = first.length
    for (const piece of pieces) {
      const at = indexOfWild(v, piece, pos, end, any)
      if (at < 0) return false
      pos = at + piece.length
    }
    return true
  }
}

function matchesAt(v: string, at: number, piece: string, any: string): boolean {
  if (at < 0 || at + piece.length > v.length) return false
  for (let i = 0; i < piece.length; i++) {
    const p = piece[i]
    if (p !== any && p !== v[at + i]) return false
  }
  return true
}

/** Leftmost place at or after `from` where `piece` fits wholly before `end`, or -1. */
function indexOfWild(v: string, piece: string, from: number, end: number, any: string): number {
  for (let at = from; at + piece.length <= end; at++) if (matchesAt(v, at, piece, any)) return at
  return -1
}

/** A glob whose only wildcard is `*` (and, given `anyChar`, that one-character wildcard); no escapes. */
export function globMatcher(pattern: string, anyChar?: string): (value: string) => boolean {
  const pieces = pattern.split('*')
  if (pieces.length === 1) {
    const any = anyChar
    return any !== undefined && pattern.includes(any)
      ? (v) => v.length === pattern.length && matchesAt(v, 0, pattern, any)
      : (v) => v === pattern
  }
  return segmentMatcher(pieces[0] as string, pieces.slice(1, -1), pieces[pieces.length - 1] as string, anyChar)
}
