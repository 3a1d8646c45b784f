/**
 * The `wildcard` operator: `*` is any run of characters, `\*` a literal star, `\\` a literal backslash, anchored at
 * both ends. Matching is a segment scan (prefix, suffix, then each middle segment at its leftmost place), which is
 * exact for star-only globs and linear, unlike a backtracking regex.
 */

import { segmentMatcher } from '../glob.js'

/** The literal runs between stars, or AWS's reason for rejecting the text. */
export function wildcardSegments(text: string): string[] | string {
  const segments: string[] = []
  let current = ''
  // AWS reports positions as UTF-8 byte offsets into the value with its opening quote, i.e. one past the raw offset.
  let bytePos = 1
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? ''
    if (c === '*') {
      if (text[i + 1] === '*') return `Consecutive wildcard characters at pos ${bytePos}`
      segments.push(current)
      current = ''
    } else if (c === '\\') {
      const next = text[i + 1]
      if (next !== '*' && next !== '\\') return `Invalid escape character at pos ${bytePos}`
      current += next
      i++
      bytePos++
    } else {
      current += c
    }
    const width = utf8Length(text, i)
    bytePos += width
    if (width === 4) {
      // a surrogate pair is one code point: four UTF-8 bytes, two UTF-16 units
      current += text[i + 1] ?? ''
      i++
    }
  }
  segments.push(current)
  return segments
}

function utf8Length(text: string, i: number): number {
  const c = text.charCodeAt(i)
  if (c < 0x80) return 1
  if (c < 0x800) return 2
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) return 4
  return 3
}

export function compileWildcard(segments: readonly string[]): (s: string) => boolean {
  const first = segments[0] ?? ''
  if (segments.length === 1) return (s) => s === first
  const last = segments[segments.length - 1] ?? ''
  const middle = segments.slice(1, -1).filter((m) => m !== '')
  return segmentMatcher(first, middle, last)
}

/**
 * AWS refuses wildcards whose automaton can be in too many states at once ("Rule is too complex"). This measures, for
 * the worst input, how many positions of the pattern (stars and the places just after them included) can be live
 * together. NOTE: the threshold is a calibrated choice, not AWS's number. AWS accepted
 * `/Users/*\/dir/dir/dir/dir/dir/doc.txt` (8 here) and rejected `*:*:*:*:*:event-bus/*` (13 here); event-ruler's own
 * measure puts AWS's limit between those two, and 12 keeps the benefit of the doubt with the rule author.
 */
export const MAX_WILDCARD_COMPLEXITY = 12
const MAX_EXPLORED_STATES = 2000

export function wildcardComplexity(segments: readonly string[]): number {
  // Token positions: literal characters, and a star before every segment except the first.
  const tokens: (string | null)[] = []
  segments.forEach((seg, i) => {
    if (i > 0) tokens.push(null)
    for (const ch of seg) tokens.push(ch)
  })
  const alphabet = [...new Set(tokens.filter((t): t is string => t !== null)), '\u0000']
  const closure = (states: Set<number>): number[] => {
    const out = new Set(states)
    for (const s of out) if (tokens[s] === null) out.add(s + 1)
    return [...out].sort((a, b) => a - b)
  }
  const start = closure(new Set([0]))
  const seen = new Set([start.join(',')])
  const queue = [start]
  let worst = 0
  while (queue.length > 0) {
    const states = queue.pop() ?? []
    worst = Math.max(worst, states.length)
    // Past the limit (or past a state count only such patterns reach) the exact figure no longer matters.
    if (worst >= MAX_WILDCARD_COMPLEXITY || seen.size > MAX_EXPLORED_STATES) {
      return Math.max(worst, MAX_WILDCARD_COMPLEXITY)
    }
    for (const ch of alphabet) {
      const next = new Set<number>()
      for (const s of states) {
        const t = tokens[s]
        if (t === null) next.add(s)
        else if (t === ch) next.add(s + 1)
      }
      if (next.size === 0) continue
      const closed = closure(next)
      const key = closed.join(',')
      if (!seen.has(key)) {
        seen.add(key)
        queue.push(closed)
      }
    }
  }
  return worst
}
