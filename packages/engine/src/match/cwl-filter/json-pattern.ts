/**
 * Parser for JSON patterns `{ … }`: `||` over `&&` over parenthesised groups and conditions
 * (`selector op value`, `selector IS NULL|TRUE|FALSE`, `selector NOT EXISTS`). Whitespace between tokens is
 * optional (CIS 4.4 is written `{($.eventName=DeleteGroupPolicy)||(…)}`).
 */
import type { JsonExpression, JsonSelector, SelectorStep, ValueLiteral } from './ast.js'
import { Cursor, quoteFragment, scanOperator, scanValue } from './lexer.js'

const VALUE_STOPS = ')}&|'
const NAME_CHAR = /[A-Za-z0-9_-]/
const KEYWORD_AT = /[A-Za-z]+/y

/** AWS quotas for one JSON pattern. */
const MAX_WILDCARD_SELECTORS = 3
const MAX_REGEXES = 2

interface State {
  wildcardSelectors: number
  regexes: number
}

/** `text` must start with `{` and end with `}` (checked by the dispatcher). */
export function parseJsonPattern(text: string): JsonExpression {
  const c = new Cursor(text, 1, text.length - 1)
  const state: State = { wildcardSelectors: 0, regexes: 0 }
  c.skipWhitespace()
  if (c.atEnd()) c.fail('empty JSON pattern: expected a condition such as { $.eventName = "ConsoleLogin" }')
  const expression = parseOr(c, state)
  c.skipWhitespace()
  if (!c.atEnd()) {
    if (c.peek() === ')') c.fail("unmatched ')'")
    c.fail(`expected '&&', '||' or the closing '}', found ${c.found()}`)
  }
  return expression
}

function parseOr(c: Cursor, s: State): JsonExpression {
  const operands = [parseAnd(c, s)]
  for (;;) {
    c.skipWhitespace()
    if (!c.startsWith('||')) break
    c.pos += 2
    operands.push(parseAnd(c, s))
  }
  return operands.length === 1 ? (operands[0] as JsonExpression) : { kind: 'or', operands }
}

function parseAnd(c: Cursor, s: State): JsonExpression {
  const operands = [parsePrimary(c, s)]
  for (;;) {
    c.skipWhitespace()
    if (c.startsWith('&&')) {
      c.pos += 2
      operands.push(parsePrimary(c, s))
      continue
    }
    if ((c.peek() === '&' && !c.startsWith('&&')) || (c.peek() === '|' && !c.startsWith('||'))) {
      c.fail(`expected '&&' or '||', found ${c.found()}`)
    }
    break
  }
  return operands.length === 1 ? (operands[0] as JsonExpression) : { kind: 'and', operands }
}

function parsePrimary(c: Cursor, s: State): JsonExpression {
  c.skipWhitespace()
  if (c.peek() === '(') {
    const open = c.pos
    c.pos++
    const inner = parseOr(c, s)
    c.skipWhitespace()
    if (c.peek() !== ')') {
      if (c.atEnd()) c.fail("unclosed '(': expected ')'", open)
      c.fail(`expected ')', '&&' or '||', found ${c.found()}`)
    }
    c.pos++
    return inner
  }
  if (c.peek() !== '$') c.fail(`expected a property selector starting with '$' or '(', found ${c.found()}`)
  return parseCondition(c, s)
}

function parseCondition(c: Cursor, s: State): JsonExpression {
  const selector = parseSelector(c, s)
  const start = selector.span.start
  c.skipWhitespace()
  const keyword = peekKeyword(c)
  if (keyword === 'IS') {
    c.pos += 2
    c.skipWhitespace()
    const test = peekKeyword(c)
    if (test === 'NOT') c.fail('IS NOT is not supported; use NOT EXISTS, or "selector = *" to require a value')
    if (test !== 'NULL' && test !== 'TRUE' && test !== 'FALSE') c.fail(`expected NULL, TRUE or FALSE after IS, found ${c.found()}`)
    c.pos += test.length
    return { kind: 'is', selector, test: test === 'NULL' ? 'null' : test === 'TRUE' ? 'true' : 'false', span: { start, end: c.pos } }
  }
  if (keyword === 'NOT') {
    c.pos += 3
    c.skipWhitespace()
    if (peekKeyword(c) !== 'EXISTS') c.fail(`expected EXISTS after NOT, found ${c.found()}`)
    c.pos += 6
    return { kind: 'not-exists', selector, span: { start, end: c.pos } }
  }
  if (keyword === 'EXISTS') c.fail('EXISTS is not supported; use "selector = *" to require a value, or NOT EXISTS')
  if (keyword !== null && ['is', 'not', 'null', 'true', 'false', 'exists'].includes(keyword.toLowerCase())) {
    c.fail(`keywords are upper case: write ${keyword.toUpperCase()}`)
  }
  const operator = scanOperator(c)
  if (operator === null) c.fail(`expected an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS, found ${c.found()}`)
  const value = scanValue(c, VALUE_STOPS)
  checkValue(c, s, operator, value)
  return { kind: 'compare', selector, operator, value, span: { start, end: c.pos } }
}

export function checkValue(c: Cursor, s: { regexes: number }, operator: string, value: ValueLiteral): void {
  if (operator !== '=' && operator !== '!=' && value.kind !== 'number') {
    c.fail(
      `operator '${operator}' needs an unquoted number, found ${quoteFragment(c.text.slice(value.span.start, value.span.end))}`,
      value.span.start,
    )
  }
  if (value.kind === 'regex' && ++s.regexes > MAX_REGEXES) {
    c.fail(`a pattern can contain at most ${MAX_REGEXES} regular expressions`, value.span.start)
  }
}

function peekKeyword(c: Cursor): string | null {
  KEYWORD_AT.lastIndex = c.pos
  const m = KEYWORD_AT.exec(c.text)
  if (!m || c.pos + m[0].length > c.end) return null
  return m[0]
}

function parseSelector(c: Cursor, s: State): JsonSelector {
  const start = c.pos
  c.pos++ // '$'
  const steps: SelectorStep[] = []
  let wildcards = 0
  for (;;) {
    const stepStart = c.pos
    if (c.peek() === '.') {
      c.pos++
      if (c.peek() === '*') {
        c.pos++
        steps.push({ kind: 'any-key' })
        wildcards++
      } else if (c.startsWith("['")) {
        const close = c.text.indexOf("']", c.pos + 2)
        if (close < 0 || close >= c.end) c.fail(`unterminated bracket key: expected "']"`, c.pos)
        steps.push({ kind: 'key', name: c.text.slice(c.pos + 2, close) })
        c.pos = close + 2
      } else {
        const nameStart = c.pos
        while (NAME_CHAR.test(c.peek())) c.pos++
        if (c.pos === nameStart) {
          c.fail(`expected a property name after '.', found ${c.found()}; use $.['name'] for names with other characters`)
        }
        steps.push({ kind: 'key', name: c.text.slice(nameStart, c.pos) })
      }
    } else if (c.peek() === '[') {
      if (steps.length === 0) c.fail('an array index must follow a property, as in $.items[0]')
      c.pos++
      if (c.peek() === '*') {
        c.pos++
        steps.push({ kind: 'any-index' })
        wildcards++
      } else {
        const digitsStart = c.pos
        while (/[0-9]/.test(c.peek())) c.pos++
        if (c.pos === digitsStart) c.fail(`expected an array index or '*', found ${c.found()}`)
        steps.push({ kind: 'index', index: Number(c.text.slice(digitsStart, c.pos)) })
      }
      if (c.peek() !== ']') c.fail(`expected ']', found ${c.found()}`)
      c.pos++
    } else break
    if (wildcards > 1) c.fail('a selector can contain only one wildcard', stepStart)
  }
  if (steps.length === 0) c.fail("expected '.' and a property name after '$'")
  if (wildcards > 0 && ++s.wildcardSelectors > MAX_WILDCARD_SELECTORS) {
    c.fail(`a pattern can contain at most ${MAX_WILDCARD_SELECTORS} selectors with wildcards`, start)
  }
  return { text: c.text.slice(start, c.pos), steps, span: { start, end: c.pos } }
}
