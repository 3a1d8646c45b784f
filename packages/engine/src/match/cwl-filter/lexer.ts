/**
 * Character-level scanning shared by the JSON and space-delimited parsers: a cursor over the pattern text,
 * syntax errors with positions, and the value literals both grammars use (quoted, bare word, number, regex).
 */
import type { ValueLiteral } from './ast.js'
import { compileAwsRegex } from './regex.js'
import { syntaxError } from './syntax-error.js'

/** PutMetricFilter / TestMetricFilter limit on `filterPattern`. */
export const MAX_PATTERN_LENGTH = 1024

/** Unquoted numbers as the documentation shows them: `400`, `+1000`, `-5`, `55.5`, `.5`, `1e-3`, `10e3`. */
export const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * Bare words AWS accepts without quotes: CIS uses `kms.amazonaws.com`, the docs `123.123.*` and `*.8xlarge`.
 * Anything else must be quoted (the service answers "Invalid character(s) in term").
 */
const WORD_RE = /^[A-Za-z0-9._*-]+$/
const WORD_CHAR_RE = /[A-Za-z0-9._*-]/

export function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r'
}

/** Shows a fragment of the pattern in an error message without flooding it. */
export function quoteFragment(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)
}

export class Cursor {
  pos: number
  constructor(
    readonly text: string,
    start: number,
    /** Exclusive end; the closing `}`/`]` of the pattern sits here. */
    readonly end: number,
  ) {
    this.pos = start
  }

  atEnd(): boolean {
    return this.pos >= this.end
  }

  peek(ahead = 0): string {
    const i = this.pos + ahead
    return i < this.end ? (this.text[i] as string) : ''
  }

  startsWith(s: string): boolean {
    return this.pos + s.length <= this.end && this.text.startsWith(s, this.pos)
  }

  skipWhitespace(): void {
    while (this.pos < this.end && isWhitespace(this.text[this.pos] as string)) this.pos++
  }

  fail(reason: string, at: number = this.pos): never {
    throw syntaxError(this.text, at, reason)
  }

  /** Describes the character at the cursor for "expected …, found …" messages. */
  found(): string {
    return this.atEnd() ? 'the end of the pattern' : quoteFragment(this.peek())
  }
}

/**
 * Reads `"…"` starting at the opening quote. `\"` and `\\` are escapes (CDK's quoteTerm emits them); any other
 * backslash is kept as written, because AWS documents no other escape and dropping it would change the value.
 */
export function scanQuoted(c: Cursor): { value: string; start: number; end: number } {
  const start = c.pos
  let value = ''
  let i = start + 1
  let chunk = i
  while (i < c.end) {
    const ch = c.text[i]
    if (ch === '"') {
      value += c.text.slice(chunk, i)
      c.pos = i + 1
      return { value, start, end: c.pos }
    }
    if (ch === '\\' && i + 1 < c.end) {
      const next = c.text[i + 1]
      if (next === '"' || next === '\\') {
        value += c.text.slice(chunk, i) + next
        i += 2
        chunk = i
        continue
      }
    }
    i++
  }
  return c.fail('unterminated quoted string', start)
}

/** Reads `%…%` starting at the opening percent sign and validates it against AWS's regex subset. */
function scanRegex(c: Cursor): Extract<ValueLiteral, { kind: 'regex' }> {
  const start = c.pos
  const close = c.text.indexOf('%', start + 1)
  if (close < 0 || close >= c.end) c.fail("unterminated regular expression: expected a closing '%'", start)
  const source = c.text.slice(start + 1, close)
  compileAwsRegex(source, c.text, start + 1)
  c.pos = close + 1
  return { kind: 'regex', source, span: { start, end: c.pos } }
}

/**
 * Reads a value after an operator. `stops` are the characters that end a bare word besides whitespace
 * (`)`, `}`, `&`, `|` in JSON; `,`, `]`, `&`, `|` in space-delimited patterns).
 */
export function scanValue(c: Cursor, stops: string): ValueLiteral {
  c.skipWhitespace()
  const ch = c.peek()
  if (ch === '"') {
    const q = scanQuoted(c)
    return { kind: 'string', value: q.value, quoted: true, span: { start: q.start, end: q.end } }
  }
  if (ch === '%') return scanRegex(c)
  const start = c.pos
  while (!c.atEnd()) {
    const x = c.peek()
    if (isWhitespace(x) || stops.includes(x)) break
    c.pos++
  }
  const word = c.text.slice(start, c.pos)
  if (word === '') c.fail(`expected a value, found ${c.found()}`)
  const span = { start, end: c.pos }
  if (NUMBER_RE.test(word)) return { kind: 'number', value: Number(word), raw: word, span }
  if (!WORD_RE.test(word)) {
    let bad = start
    while (WORD_CHAR_RE.test(c.text[bad] as string)) bad++
    c.fail(
      `Invalid character(s) in term ${quoteFragment(word)}: values with characters other than letters, digits, '.', '_', '-' and '*' must be in double quotes`,
      bad,
    )
  }
  return { kind: 'string', value: word, quoted: false, span }
}

/** Reads `=`, `!=`, `<`, `>`, `<=`, `>=`; returns null when none is at the cursor. */
export function scanOperator(c: Cursor): '=' | '!=' | '<' | '>' | '<=' | '>=' | null {
  if (c.startsWith('==')) c.fail("'==' is not an operator; use '='")
  for (const op of ['!=', '<=', '>=', '=', '<', '>'] as const) {
    if (c.startsWith(op)) {
      c.pos += op.length
      return op
    }
  }
  return null
}
