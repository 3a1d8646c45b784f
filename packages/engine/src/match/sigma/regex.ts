/**
 * Sigma `re` values (PCRE-style syntax, as SigmaHQ rules write them) parsed into the linear-time engine's tree
 * (match/regex/), so a rule's regular expression cannot hang a scan, whatever it is and whatever the record.
 * Taken: literals, `.`, `^`, `$`, `|`, groups `(…)`, `(?:…)` and named groups (captures mean nothing to a yes/no
 * match), classes with ranges and negation, `* + ? {m} {m,} {m,n}` (lazy forms test the same), escapes
 * `\d \D \w \W \s \S \t \n \r \f \v \0 \xhh \x{h…} \uhhhh` and escaped punctuation, and leading inline flags
 * `(?i)`, `(?m)`, `(?s)`. What needs backtracking or a construct the tree does not have is refused, naming it:
 * backreferences, lookaround, atomic groups, possessive quantifiers, `\b`-style assertions, Unicode properties.
 * A search, as `re.search` and the SIEM backends run it: the pattern may match anywhere in the value.
 */
import {
  DIGIT_RANGES,
  LinearRegex,
  MAX_PROGRAM_SIZE,
  RegexTooLargeError,
  WORD_RANGES,
  char,
  complement,
  type RegexFlags,
  type RegexNode,
} from '../regex/index.js'

type Ranges = [number, number][]
const DIGIT: Ranges = [...DIGIT_RANGES]
const WORD: Ranges = [...WORD_RANGES]
// PCRE's \s: space, \t \n \v \f \r.
const SPACE: Ranges = [
  [0x09, 0x0d],
  [0x20, 0x20],
]
const CLASS_ESCAPES: Readonly<Record<string, Ranges>> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
}
const CONTROL: Readonly<Record<string, number>> = { t: 9, n: 10, v: 11, f: 12, r: 13, '0': 0, a: 7, e: 27 }
const ASSERTIONS: Readonly<Record<string, string>> = {
  b: 'word boundaries (\\b)',
  B: 'non-word-boundaries (\\B)',
  A: 'start-of-text anchors (\\A)',
  Z: 'end-of-text anchors (\\Z)',
  z: 'end-of-text anchors (\\z)',
  G: '\\G anchors',
  K: '\\K match resets',
}
const MAX_REPEAT = 1000
const MAX_DEPTH = 100

/** Thrown for a pattern that cannot run here; `unsupported` when it is a valid regex using a refused construct. */
export class SigmaRegexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly unsupported: boolean,
  ) {
    super(message)
  }
}

/** `flags` come from the `re` sub-modifiers (`|re|i`, `|re|m`, `|re|s`); inline flags at the start add to them. */
export function compileSigmaRegex(source: string, flags: RegexFlags): LinearRegex {
  let i = 0
  const bad = (reason: string, at = i): never => {
    throw new SigmaRegexError(reason, at, false)
  }
  const refused = (what: string, at = i): never => {
    throw new SigmaRegexError(`${what} are not supported (they need backtracking or have no linear-time form)`, at, true)
  }
  const own = { ...flags } as { ignoreCase?: boolean; multiline?: boolean; dotAll?: boolean }
  // Leading inline flags: `(?i)`, `(?ims)`.
  for (let m = /^\(\?([ims]+)\)/.exec(source); m; m = /^\(\?([ims]+)\)/.exec(source.slice(i))) {
    for (const f of m[1]!) {
      if (f === 'i') own.ignoreCase = true
      else if (f === 'm') own.multiline = true
      else own.dotAll = true
    }
    i += m[0].length
  }

  const hex = (digits: string, at: number): number => {
    if (!/^[0-9A-Fa-f]+$/.test(digits) || digits.length > 4) bad('invalid hexadecimal escape', at)
    return parseInt(digits, 16)
  }

  /** One escape at `i` (a backslash): a class escape's ranges, or one unit. */
  const escape = (inClass: boolean): { ranges: Ranges; single: boolean } => {
    const at = i
    const e = source[i + 1]
    if (e === undefined) return bad('pattern ends with a lone backslash', at)
    i += 2
    const cls = Object.hasOwn(CLASS_ESCAPES, e) ? CLASS_ESCAPES[e] : undefined
    if (cls) return { ranges: cls, single: false }
    if (Object.hasOwn(CONTROL, e)) return unit(CONTROL[e]!)
    if (e === 'x') {
      if (source[i] === '{') {
        const close = source.indexOf('}', i)
        if (close < 0) bad('unterminated \\x{…} escape', at)
        const c = hex(source.slice(i + 1, close), at)
        i = close + 1
        return unit(c)
      }
      const c = hex(source.slice(i, i + 2), at)
      if (source.slice(i, i + 2).length !== 2) bad('\\x needs two hexadecimal digits', at)
      i += 2
      return unit(c)
    }
    if (e === 'u') {
      const digits = source.slice(i, i + 4)
      if (digits.length !== 4) bad('\\u needs four hexadecimal digits', at)
      const c = hex(digits, at)
      i += 4
      return unit(c)
    }
    if (/[1-9]/.test(e) || e === 'k' || e === 'g') return refused('backreferences', at)
    if (e === 'p' || e === 'P') return refused('Unicode property escapes (\\p, \\P)', at)
    if (!inClass && Object.hasOwn(ASSERTIONS, e)) return refused(ASSERTIONS[e]!, at)
    if (inClass && e === 'b') return unit(8)
    if (/[A-Za-z0-9]/.test(e)) return bad(`unknown escape \\${e}`, at)
    return unit(e.charCodeAt(0))
  }
  const unit = (c: number): { ranges: Ranges; single: boolean } => ({ ranges: [[c, c]], single: true })

  const charClass = (): RegexNode => {
    const open = i
    i++
    const negated = source[i] === '^'
    if (negated) i++
    const ranges: Ranges = []
    let first = true
    let rangeStart: number | undefined
    for (;;) {
      const ch = source[i]
      if (ch === undefined) return bad("unterminated character class: expected ']'", open)
      if (ch === ']' && !first) {
        i++
        break
      }
      first = false
      if (ch === '[' && source[i + 1] === ':') return refused('POSIX classes ([:alpha:])', i)
      if (ch === '-' && rangeStart !== undefined && source[i + 1] !== undefined && source[i + 1] !== ']') {
        const at = i
        i++
        let hi: number
        if (source[i] === '\\') {
          const e = escape(true)
          if (!e.single) {
            ranges.push([0x2d, 0x2d], ...e.ranges)
            rangeStart = undefined
            continue
          }
          hi = e.ranges[0]![0]
        } else {
          hi = source.charCodeAt(i)
          i++
        }
        if (hi < rangeStart) bad('range out of order in character class', at)
        ranges.pop()
        ranges.push([rangeStart, hi])
        rangeStart = undefined
        continue
      }
      if (ch === '\\') {
        const e = escape(true)
        ranges.push(...e.ranges)
        rangeStart = e.single ? e.ranges[0]![0] : undefined
        continue
      }
      const c = source.charCodeAt(i)
      ranges.push([c, c])
      rangeStart = c
      i++
    }
    return { kind: 'set', set: { ranges, negated } }
  }

  /** `{m}`, `{m,}`, `{m,n}` at `i`, or undefined when the brace is a literal (as PCRE reads `a{x`). */
  const braces = (): { min: number; max: number } | undefined => {
    const m = /^\{(\d+)(,?)(\d*)\}/.exec(source.slice(i))
    if (!m) return undefined
    const lo = Number(m[1])
    const hi = m[2] === '' ? lo : m[3] === '' ? Infinity : Number(m[3])
    if (lo > hi) bad('repetition {m,n} needs m <= n')
    if (lo > MAX_REPEAT || (hi !== Infinity && hi > MAX_REPEAT)) refused(`repetition counts above ${MAX_REPEAT}`)
    i += m[0].length
    return { min: lo, max: hi }
  }

  /** An alternation up to `)` or the end. */
  const alternation = (depth: number): RegexNode => {
    const branches: RegexNode[] = []
    let items: RegexNode[] = []
    let repeatable = false
    while (i < source.length) {
      const ch = source[i]!
      const at = i
      if (ch === ')') {
        if (depth === 0) bad("unmatched ')'")
        break
      }
      if (ch === '*' || ch === '+' || ch === '?' || ch === '{') {
        let range: { min: number; max: number } | undefined
        if (ch === '{') range = braces()
        else {
          i++
          range = { min: ch === '+' ? 1 : 0, max: ch === '?' ? 1 : Infinity }
        }
        if (range) {
          if (!repeatable) bad('nothing to repeat', at)
          if (source[i] === '+') refused('possessive quantifiers')
          if (source[i] === '?') i++
          items.push({ kind: 'repeat', node: items.pop()!, min: range.min, max: range.max })
          repeatable = false
          continue
        }
        // A brace that starts no repetition is a literal.
        items.push(char(0x7b))
        i++
        repeatable = true
        continue
      }
      repeatable = true
      if (ch === '|') {
        branches.push({ kind: 'concat', items })
        items = []
        repeatable = false
        i++
      } else if (ch === '(') {
        items.push(group())
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
        const e = escape(false)
        items.push({ kind: 'set', set: { ranges: e.ranges, negated: false } })
      } else {
        items.push(char(source.charCodeAt(i)))
        i++
      }
    }
    branches.push({ kind: 'concat', items })
    return branches.length === 1 ? branches[0]! : { kind: 'alt', items: branches }
  }

  let depth = 0
  const group = (): RegexNode => {
    const open = i
    // The parser and the program builder recurse per group: a bound keeps a hostile pattern off the stack's end.
    if (++depth > MAX_DEPTH) refused(`groups nested deeper than ${MAX_DEPTH} levels`, open)
    i++
    if (source[i] === '?') {
      const rest = source.slice(i + 1)
      if (rest.startsWith(':')) i += 2
      else if (/^P?<[A-Za-z_][A-Za-z0-9_]*>/.test(rest)) i = source.indexOf('>', i) + 1
      else if (/^(=|!|<=|<!)/.test(rest)) refused('lookaround assertions', open)
      else if (rest.startsWith('>')) refused('atomic groups', open)
      else if (/^[imsx-]+[):]/.test(rest)) refused('inline flags other than at the start of the pattern', open)
      else bad('unknown group construct (?…', open)
    }
    const body = alternation(1)
    if (source[i] !== ')') bad("unterminated group: expected ')'", open)
    i++
    depth--
    return body
  }

  const root = alternation(0)
  try {
    return new LinearRegex(root, own)
  } catch (err) {
    if (err instanceof RegexTooLargeError)
      throw new SigmaRegexError(`regular expression is too large (over ${MAX_PROGRAM_SIZE} steps once repetitions are expanded)`, 0, true)
    throw err
  }
}
