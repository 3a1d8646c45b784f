/**
 * The syntax tree the linear-time regex engine runs. Parsers of the pattern languages (CWL `%…%` today, Sigma `re`
 * later) build it; they decide what syntax exists and reject the rest (backreferences, lookaround) at load, since
 * this tree has no node that needs backtracking. Characters are UTF-16 code units, as in a JavaScript RegExp
 * without the `u` flag.
 */

/** Inclusive code-unit ranges `[lo, hi]`, possibly complemented. A literal character is a one-unit set. */
export interface CharSet {
  readonly ranges: readonly (readonly [number, number])[]
  readonly negated: boolean
}

export type RegexNode =
  | { readonly kind: 'empty' }
  | { readonly kind: 'set'; readonly set: CharSet }
  /** `.`: any unit but a line terminator, or any unit at all under the `dotAll` flag. */
  | { readonly kind: 'dot' }
  /** `^` / `$`: the ends of the text, or also of each line under the `multiline` flag. */
  | { readonly kind: 'lineStart' }
  | { readonly kind: 'lineEnd' }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alt'; readonly items: readonly RegexNode[] }
  /** `max` is Infinity for an open repetition. Greedy and lazy repetition test alike, so there is no laziness flag. */
  | { readonly kind: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number }

/**
 * Flags, named as JavaScript and Sigma name them: `ignoreCase` (i) compares each unit with its simple lower and
 * upper case too, `multiline` (m) lets `^`/`$` match at line terminators, `dotAll` (s) lets `.` match them.
 */
export interface RegexFlags {
  readonly ignoreCase?: boolean
  readonly multiline?: boolean
  readonly dotAll?: boolean
}

export const char = (c: number): RegexNode => ({ kind: 'set', set: { ranges: [[c, c]], negated: false } })

/** `\d` and `\w` as every dialect here reads them (ASCII); `\s` differs by dialect and stays with each parser. */
export const DIGIT_RANGES: readonly [number, number][] = [[0x30, 0x39]]
export const WORD_RANGES: readonly [number, number][] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]

/** The code units `ranges` leave out, as ranges: `\D` from `\d`, `\W` from `\w`, `\S` from `\s`. */
export function complement(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = []
  let next = 0
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1])
    next = Math.max(next, hi + 1)
  }
  if (next <= 0xffff) out.push([next, 0xffff])
  return out
}
