/**
 * A Sigma string value as a pattern: literal text, `?` (one character), `*` (any run) and, after `windash`, a
 * set of characters at one place. Built from the value's text by Sigma's escaping rules, transformed by the
 * modifiers in the order they are written, then compiled to a test on one string: the engine's one glob
 * matcher (match/glob.ts) when the pattern has no character set, the linear-time regex engine when it has.
 * Either way a test costs time linear in the value (times the pattern), never backtracking.
 */
import { segmentMatcher } from '../glob.js'
import { LinearRegex, char, type RegexNode } from '../regex/index.js'

export type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'one' }
  | { readonly kind: 'any' }
  | { readonly kind: 'set'; readonly chars: string }

export type Pattern = readonly Part[]

/**
 * Sigma's escaping: `\*`, `\?` and `\\` are a plain `*`, `?` and `\`; any other backslash is itself (so `\\\*`
 * is a backslash and a star, and three or four backslashes before anything else are two).
 */
export function parseSigmaString(value: string): Pattern {
  const parts: Part[] = []
  let text = ''
  const flush = (): void => {
    if (text !== '') parts.push({ kind: 'text', text })
    text = ''
  }
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!
    if (c === '\\') {
      const next = value[i + 1]
      if (next === '*' || next === '?' || next === '\\') {
        text += next
        i++
      } else text += c
    } else if (c === '*' || c === '?') {
      flush()
      parts.push({ kind: c === '*' ? 'any' : 'one' })
    } else text += c
  }
  flush()
  return parts
}

export const literal = (text: string): Pattern => (text === '' ? [] : [{ kind: 'text', text }])

/** The pattern's text when it holds no wildcard, else undefined. */
export function plainText(p: Pattern): string | undefined {
  let out = ''
  for (const part of p) {
    if (part.kind !== 'text') return undefined
    out += part.text
  }
  return out
}

/** Every place a Windows command line may put a flag dash: `-`, `/`, en dash, em dash, horizontal bar. */
const DASHES = '-/\u2013\u2014\u2015'

/** `windash`: each `-` or `/` of the value may be any of the dashes (all permutations, as one pattern). */
export function windash(p: Pattern): Pattern {
  const out: Part[] = []
  for (const part of p) {
    if (part.kind !== 'text') {
      out.push(part)
      continue
    }
    let run = ''
    for (const c of part.text) {
      if (c === '-' || c === '/') {
        if (run !== '') out.push({ kind: 'text', text: run })
        run = ''
        out.push({ kind: 'set', chars: DASHES })
      } else run += c
    }
    if (run !== '') out.push({ kind: 'text', text: run })
  }
  return out
}

/** A test of one string against the pattern, whole (wildcards at its ends make it a prefix, suffix or substring test). */
export function compilePattern(p: Pattern, caseSensitive: boolean): (value: string) => boolean {
  const fold = (s: string): string => (caseSensitive ? s : s.toLowerCase())
  const folded: Part[] = p.map((part) =>
    part.kind === 'text' ? { kind: 'text', text: fold(part.text) } : part.kind === 'set' ? { kind: 'set', chars: fold(part.chars) } : part,
  )
  const test = folded.some((part) => part.kind === 'set') ? regexTest(folded) : globTest(folded)
  return caseSensitive ? test : (v) => test(v.toLowerCase())
}

function globTest(p: readonly Part[]): (value: string) => boolean {
  const text = p.map((part) => (part.kind === 'text' ? part.text : '')).join('')
  // The glob names its one-character wildcard by a character; take one the pattern's own text does not hold.
  let one = 0xe000
  while (text.includes(String.fromCharCode(one))) one++
  const anyChar = String.fromCharCode(one)
  const pieces: string[] = ['']
  for (const part of p) {
    if (part.kind === 'any') pieces.push('')
    else pieces[pieces.length - 1] += part.kind === 'text' ? part.text : anyChar
  }
  const first = pieces[0]!
  if (pieces.length === 1) {
    if (!first.includes(anyChar)) return (v) => v === first
    // No star: the value is exactly as long as the pattern.
    const fits = segmentMatcher(first, [], '', anyChar)
    return (v) => v.length === first.length && fits(v)
  }
  return segmentMatcher(first, pieces.slice(1, -1), pieces[pieces.length - 1]!, anyChar)
}

function regexTest(p: readonly Part[]): (value: string) => boolean {
  const items: RegexNode[] = [{ kind: 'lineStart' }]
  for (const part of p) {
    if (part.kind === 'text') for (let i = 0; i < part.text.length; i++) items.push(char(part.text.charCodeAt(i)))
    else if (part.kind === 'one') items.push({ kind: 'set', set: { ranges: [], negated: true } })
    else if (part.kind === 'any')
      items.push({ kind: 'repeat', node: { kind: 'set', set: { ranges: [], negated: true } }, min: 0, max: Infinity })
    else
      items.push({ kind: 'set', set: { ranges: [...part.chars].map((c) => [c.charCodeAt(0), c.charCodeAt(0)] as const), negated: false } })
  }
  items.push({ kind: 'lineEnd' })
  const re = new LinearRegex({ kind: 'concat', items })
  return (v) => re.test(v)
}
