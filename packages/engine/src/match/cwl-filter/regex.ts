/**
 * AWS's regular-expression subset (`%…%`), parsed into the linear-time engine's tree (match/regex/): a rule's
 * regex cannot hang a scan, whatever it is and whatever the value. AWS allows letters, digits, the symbols
 * `: _ # = @ / ; , -`, and the operators `^ $ ? [ ] { } | \ * + .`; groups, other symbols and multi-byte characters
 * are rejected. A space is accepted too: the documentation's own example `%^starting|^initializing|^shutting down%`
 * contains one. Semantics are a JavaScript RegExp's without flags (which this code used before): `.` skips line
 * terminators, `^`/`$` are the ends of the value, `\w` `\d` are ASCII, classes and escapes are per UTF-16 unit;
 * except that AWS's `\s` is exactly tab, space and newline, and `{,n}` means `{0,n}`. Lazy quantifiers (`*?`) are
 * accepted and test like greedy ones. What the engine cannot bound is rejected here: a repetition count above
 * MAX_REPEAT, or a program over MAX_PROGRAM_SIZE steps.
 */
import {
  DIGIT_RANGES,
  LinearRegex,
  MAX_PROGRAM_SIZE,
  RegexTooLargeError,
  WORD_RANGES,
  char,
  complement,
  type CharSet,
  type RegexNode,
} from '../regex/index.js'
import { syntaxError } from './syntax-error.js'

const LITERAL = /[A-Za-z0-9 :_#=@/;,-]/
const OPERATOR = /[\^$?[\]{}|\\*+.]/
const HEX2 = /^[0-9A-Fa-f]{2}$/
const BRACES = /^\{(\d*)(,?)(\d*)\}/

/** Largest m or n in `{m,n}`; a bigger count could only ever be rejected by MAX_PROGRAM_SIZE anyway. */
const MAX_REPEAT = 1000

type Ranges = [number, number][]
const DIGIT: Ranges = [...DIGIT_RANGES]
const WORD: Ranges = [...WORD_RANGES]
// AWS's \s is exactly tab, space and newline.
const SPACE: Ranges = [
  [0x09, 0x0a],
  [0x20, 0x20],
]

const CLASS_ESCAPES: Record<string, Ranges> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
}

/** A compiled `%…%`: `test` searches the value (unanchored) like AWS does. */
export interface AwsRegex {
  test(value: string): boolean
}

/**
 * Parses and compiles `source`, or throws a RuleSyntaxError whose offset is inside `text` (`bodyOffset` is where
 * `source` starts).
 */
export function compileAwsRegex(source: string, text: string, bodyOffset: number): AwsRegex {
  const fail = (reason: string, at: number): never => {
    throw syntaxError(text, bodyOffset + at, reason)
  }
  if (source === '') fail('empty regular expression', 0)
  for (let i = 0; i < source.length; i++) {
    if (source.charCodeAt(i) > 127) fail('multi-byte characters are not supported in regular expressions', i)
    const ch = source[i]
    if (ch === '(' || ch === ')') fail("'(' and ')' are not supported in regular expressions", i)
  }
  let i = 0

  /** One escape after a backslash at `i`: a set of units (class escapes) or one unit; advances `i` past it. */
  const escape = (): { ranges: Ranges; single: boolean } => {
    const e = source[i + 1]
    if (e === undefined) return fail('regular expression ends with a lone backslash', i)
    const cls = CLASS_ESCAPES[e]
    if (cls !== undefined && Object.hasOwn(CLASS_ESCAPES, e)) {
      i += 2
      return { ranges: cls, single: false }
    }
    if (e === 'x') {
      const hh = source.slice(i + 2, i + 4)
      if (!HEX2.test(hh)) fail('\\x must be followed by two hexadecimal digits', i)
      i += 4
      const c = parseInt(hh, 16)
      return { ranges: [[c, c]], single: true }
    }
    if (/[A-Za-z0-9]/.test(e)) fail(`unsupported escape '\\${e}' in regular expression`, i)
    if (!LITERAL.test(e) && !OPERATOR.test(e)) fail(`character ${JSON.stringify(e)} is not supported in regular expressions`, i + 1)
    i += 2
    const c = e.charCodeAt(0)
    return { ranges: [[c, c]], single: true }
  }

  /** A class `[…]` starting at `i`. */
  const charClass = (): RegexNode => {
    const open = i
    i++
    const negated = source[i] === '^'
    if (negated) i++
    const start = i
    const ranges: Ranges = []
    /** The previous item, when it was a single unit that a following `-x` can turn into a range. */
    let rangeStart: number | undefined
    while (true) {
      const ch = source[i]
      if (ch === undefined) return fail("unterminated character class: expected ']'", open)
      if (ch === ']') {
        if (i === start) fail('empty character class', i)
        i++
        break
      }
      // `a-z`: a dash between two single units; elsewhere (first, last, next to a class escape) it is literal.
      if (ch === '-' && rangeStart !== undefined && source[i + 1] !== undefined && source[i + 1] !== ']') {
        const at = i
        i++
        let hi: number
        if (source[i] === '\\') {
          const e = escape()
          if (!e.single) {
            // JavaScript reads `[a-\d]` as a, '-', digits.
            ranges.push([0x2d, 0x2d], ...e.ranges)
            rangeStart = undefined
            continue
          }
          hi = (e.ranges[0] as [number, number])[0]
        } else {
          const c = source[i] as string
          if (!LITERAL.test(c) && !OPERATOR.test(c)) fail(`character ${JSON.stringify(c)} is not supported in regular expressions`, i)
          hi = c.charCodeAt(0)
          i++
        }
        if (hi < rangeStart) fail('invalid regular expression: range out of order in character class', at)
        ranges.pop()
        ranges.push([rangeStart, hi])
        rangeStart = undefined
        continue
      }
      if (ch === '\\') {
        const e = escape()
        ranges.push(...e.ranges)
        rangeStart = e.single ? (e.ranges[0] as [number, number])[0] : undefined
        continue
      }
      if (!LITERAL.test(ch) && !OPERATOR.test(ch)) fail(`character ${JSON.stringify(ch)} is not supported in regular expressions`, i)
      const c = ch.charCodeAt(0)
      ranges.push([c, c])
      rangeStart = c
      i++
    }
    const set: CharSet = { ranges, negated }
    return { kind: 'set', set }
  }

  /** `{m}`, `{m,}`, `{,n}`, `{m,n}` at `i`. */
  const braces = (): { min: number; max: number } => {
    const m = BRACES.exec(source.slice(i))
    const min = m?.[1] ?? ''
    const comma = m?.[2] ?? ''
    const max = m?.[3] ?? ''
    if (!m || (min === '' && max === '') || (comma === '' && max !== '')) {
      return fail("'{' must start a repetition {m}, {m,}, {,n} or {m,n}", i)
    }
    const lo = min === '' ? 0 : Number(min)
    const hi = comma === '' ? lo : max === '' ? Infinity : Number(max)
    if (lo > hi) fail('repetition {m,n} needs m <= n', i)
    if (lo > MAX_REPEAT || (hi !== Infinity && hi > MAX_REPEAT)) fail(`repetition counts above ${MAX_REPEAT} are not supported`, i)
    i += m[0].length
    return { min: lo, max: hi }
  }

  const branches: RegexNode[] = []
  let items: RegexNode[] = []
  /** Whether the last item can take a quantifier (not an anchor, not already quantified). */
  let repeatable = false
  while (i < source.length) {
    const ch = source[i] as string
    const at = i
    if (ch === '*' || ch === '+' || ch === '?' || ch === '{') {
      if (!repeatable) fail('invalid regular expression: nothing to repeat', at)
      let min = 0
      let max = Infinity
      if (ch === '{') ({ min, max } = braces())
      else {
        if (ch === '+') min = 1
        if (ch === '?') max = 1
        i++
      }
      if (source[i] === '?') i++ // lazy: tests the same
      items.push({ kind: 'repeat', node: items.pop() as RegexNode, min, max })
      repeatable = false
      continue
    }
    repeatable = true
    if (ch === '|') {
      branches.push({ kind: 'concat', items })
      items = []
      repeatable = false
      i++
    } else if (ch === '^' || ch === '$') {
      items.push({ kind: ch === '^' ? 'lineStart' : 'lineEnd' })
      repeatable = false
      i++
    } else if (ch === '.') {
      items.push({ kind: 'dot' })
      i++
    } else if (ch === '[') {
      items.push(charClass())
    } else if (ch === '\\') {
      const e = escape()
      items.push({ kind: 'set', set: { ranges: e.ranges, negated: false } })
    } else if (ch === '}' || ch === ']') {
      fail(`unmatched '${ch}' in regular expression`, at)
    } else if (LITERAL.test(ch)) {
      items.push(char(ch.charCodeAt(0)))
      i++
    } else {
      fail(`character ${JSON.stringify(ch)} is not supported in regular expressions`, at)
    }
  }
  branches.push({ kind: 'concat', items })
  const root: RegexNode = branches.length === 1 ? (branches[0] as RegexNode) : { kind: 'alt', items: branches }
  try {
    return new LinearRegex(root)
  } catch (err) {
    if (err instanceof RegexTooLargeError)
      return fail(`regular expression is too large (over ${MAX_PROGRAM_SIZE} steps once repetitions are expanded)`, 0)
    throw err
  }
}
