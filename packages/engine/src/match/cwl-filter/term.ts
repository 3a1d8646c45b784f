/**
 * Term patterns (`ERROR`, `"Failed to process"`, `?ERROR ?WARN`, `ERROR -DEBUG`) and whole-message regex
 * patterns (`%…%`). Terms are case-sensitive substrings of the raw message, not whole words: `ERROR` matches
 * "ERRORCODE" (reference §5).
 */
import type { Term } from './ast.js'
import type { CwlFilter, MessageResult } from './filter.js'
import { Cursor, isWhitespace, quoteFragment, scanQuoted } from './lexer.js'
import { compileAwsRegex, type AwsRegex } from './regex.js'

/**
 * NOTE: AWS says terms with characters other than letters, digits and underscore must be quoted and documents no
 * unquoted example beyond that; `.` and `-` are accepted too because AWS accepts them unquoted in JSON values.
 * Anything else (`ERROR:`, `*`, `{`) is rejected, which is also why `' {$.a = 1}'` (leading space) is rejected,
 * as the real API does.
 */
const BARE_TERM_CHAR = /[A-Za-z0-9_.-]/

export function parseTerms(text: string): Term[] {
  const c = new Cursor(text, 0, text.length)
  const terms: Term[] = []
  for (;;) {
    c.skipWhitespace()
    if (c.atEnd()) return terms
    const start = c.pos
    let mode: Term['mode'] = 'include'
    if (c.peek() === '?' || c.peek() === '-') {
      mode = c.peek() === '?' ? 'optional' : 'exclude'
      c.pos++
      if (c.atEnd() || isWhitespace(c.peek())) c.fail(`expected a term after '${text[start]}'`)
      if (c.peek() === '?' || c.peek() === '-') c.fail(`a term cannot start with '${c.peek()}' after '${text[start]}'; quote it`)
    }
    if (c.peek() === '"') {
      const q = scanQuoted(c)
      if (!c.atEnd() && !isWhitespace(c.peek())) c.fail(`expected whitespace after the quoted term, found ${c.found()}`)
      terms.push({ mode, value: q.value, quoted: true, span: { start, end: c.pos } })
      continue
    }
    const wordStart = c.pos
    while (!c.atEnd() && !isWhitespace(c.peek())) {
      if (!BARE_TERM_CHAR.test(c.peek())) {
        let end = c.pos
        while (end < text.length && !isWhitespace(text[end] as string)) end++
        c.fail(
          `Invalid character(s) in term ${quoteFragment(text.slice(wordStart, end))}: terms with characters other than letters, digits, '_', '.' and '-' must be in double quotes`,
        )
      }
      c.pos++
    }
    terms.push({ mode, value: text.slice(wordStart, c.pos), quoted: false, span: { start, end: c.pos } })
  }
}

/** `""` and `" "` match every event ([D2021], CountingLogEventsExample), so a blank phrase occurs in every message. */
function occurs(term: string, message: string): boolean {
  return term === '' || message.includes(term)
}

export class TermFilter implements CwlFilter {
  readonly kind = 'term' as const
  readonly indexKeys = { eventSource: null, eventName: null } as const
  readonly literals: readonly (readonly string[])[] | null
  private readonly includes: readonly string[]
  private readonly excludes: readonly string[]
  private readonly optionals: readonly string[]

  constructor(
    readonly text: string,
    terms: readonly Term[],
  ) {
    const values = (mode: Term['mode']): string[] => terms.filter((t) => t.mode === mode).map((t) => (t.value.trim() === '' ? '' : t.value))
    this.includes = values('include')
    this.excludes = values('exclude')
    // "If you combine ? terms with other terms, the ? terms are ignored" ([FPS]; `?ERROR ?ARGUMENTS REQUEST`
    // matches exactly the events containing REQUEST). CDK's anyTermGroup reads them differently; AWS's docs win.
    this.optionals = this.includes.length > 0 || this.excludes.length > 0 ? [] : values('optional')
    this.literals = termLiterals(this.includes, this.optionals)
  }

  matchText(message: string): boolean {
    for (const t of this.includes) if (!occurs(t, message)) return false
    for (const t of this.excludes) if (occurs(t, message)) return false
    if (this.optionals.length === 0) return true
    for (const t of this.optionals) if (occurs(t, message)) return true
    return false
  }

  testMessage(message: string): MessageResult {
    return { matched: this.matchText(message), extractedValues: {} }
  }

  matchRecord(_record: unknown, text: string): boolean {
    return this.matchText(text)
  }
}

/** Terms are matched against the same raw text the prefilter sees, so every required term is an exact literal. */
function termLiterals(includes: readonly string[], optionals: readonly string[]): string[][] | null {
  const required = [...new Set(includes.filter((t) => t !== ''))]
  if (required.length > 0) return [required]
  if (includes.length > 0 || optionals.length === 0 || optionals.includes('')) return null
  return [...new Set(optionals)].map((t) => [t])
}

/** A whole pattern `%regex%`: the regex searches the raw message. */
export class RegexFilter implements CwlFilter {
  readonly kind = 'term' as const
  readonly indexKeys = { eventSource: null, eventName: null } as const
  readonly literals = null
  private readonly re: AwsRegex

  constructor(
    readonly text: string,
    source: string,
  ) {
    this.re = compileAwsRegex(source, text, 1)
  }

  testMessage(message: string): MessageResult {
    return { matched: this.re.test(message), extractedValues: {} }
  }

  matchRecord(_record: unknown, text: string): boolean {
    return this.re.test(text)
  }
}
