/**
 * Matching for `*`-only globs given as their literal pieces: `first*m1*m2*…*last`. Anchoring both ends first, then
 * taking each middle piece at its leftmost place, is exact for such globs (a leftmost placement never leaves less
 * room for the pieces after it) and linear, unlike a backtracking regex. Shared by the CWL and EventBridge
 * wildcard operators, which differ only in how they read the pattern text.
 */
export function segmentMatcher(first: string, middle: readonly string[], last: string): (value: string) => boolean {
  const pieces = middle.filter((m) => m !== '')
  const fixed = first.length + last.length
  const minLength = fixed + pieces.reduce((n, p) => n + p.length, 0)
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
