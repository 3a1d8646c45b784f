/**
 * `*` wildcards in values, precompiled to string checks (no RegExp, no allocation per test).
 *
 * NOTE: two algorithms, because AWS's documentation and AWS's observed behaviour disagree (reference §2.5):
 * - `aws-2019` (default, filter.ts DEFAULT_WILDCARD): what the real TestMetricFilter API answered in 2019 ([CF]
 *   end-to-end tests, the only recorded answers for infix wildcards): the first piece is a prefix, every later
 *   piece is found at its first occurrence after the previous one without backtracking, and unless the literal
 *   ends with `*` the last piece must end at the end of the value. So `*111.111.111` does not match
 *   `111.111.111.111`, and `!= 111*111` does match it.
 * - `glob` (`--wildcard glob`): `*` matches any text anywhere in the value (the shared linear matcher). It agrees
 *   with every documented example. No CIS pattern tells the two apart (cis-pack.test.ts checks it).
 */

import { segmentMatcher } from '../glob.js'

export type WildcardMode = 'glob' | 'aws-2019'

export type TextTest = (value: string) => boolean

const always: TextTest = () => true

export function compileWildcard(literal: string, mode: WildcardMode): TextTest {
  if (!literal.includes('*')) return (v) => v === literal
  const pieces = literal.split('*')
  const first = pieces[0] as string
  const last = pieces[pieces.length - 1] as string
  const middle = pieces.slice(1, -1).filter((p) => p !== '')
  if (first === '' && last === '' && middle.length === 0) return always
  return mode === 'glob' ? compileGlob(first, middle, last) : compileFirstOccurrence(first, pieces.slice(1), literal.endsWith('*'))
}

function compileGlob(first: string, middle: readonly string[], last: string): TextTest {
  const minLength = first.length + last.length + middle.reduce((n, p) => n + p.length, 0)
  if (middle.length === 0) {
    if (last === '') return (v) => v.startsWith(first)
    if (first === '') return (v) => v.endsWith(last)
    return (v) => v.length >= minLength && v.startsWith(first) && v.endsWith(last)
  }
  if (first === '' && last === '' && middle.length === 1) {
    const only = middle[0] as string
    return (v) => v.includes(only)
  }
  return segmentMatcher(first, middle, last)
}

function compileFirstOccurrence(first: string, rest: readonly string[], openEnd: boolean): TextTest {
  const pieces = rest.filter((p) => p !== '')
  return (v) => {
    if (!v.startsWith(first)) return false
    let pos = first.length
    for (const piece of pieces) {
      const at = v.indexOf(piece, pos)
      if (at < 0) return false
      pos = at + piece.length
    }
    return openEnd || pos === v.length
  }
}
