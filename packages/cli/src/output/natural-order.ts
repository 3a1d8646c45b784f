/**
 * Rule ids in the order a reader expects (cis-4.2 before cis-4.10): digit runs compare as numbers, the rest
 * by code unit. A hand comparison because the first localeCompare with options loads ICU's collator, ~7 ms of
 * every scan's end for a summary of a few dozen lines.
 */
export function naturalCompare(a: string, b: string): number {
  const x = a.match(PARTS) ?? []
  const y = b.match(PARTS) ?? []
  // Equal numbers spelled differently (1, 01) decide only when nothing after them does.
  let tie = 0
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!
    const q = y[i]!
    if (p === q) continue
    if (DIGITS.test(p) && DIGITS.test(q)) {
      if (Number(p) !== Number(q)) return Number(p) - Number(q)
      tie ||= p < q ? -1 : 1
      continue
    }
    return p < q ? -1 : 1
  }
  return x.length - y.length || tie
}

const PARTS = /\d+|\D+/g
const DIGITS = /^\d/
