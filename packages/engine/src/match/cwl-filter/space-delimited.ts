/**
 * Parser for space-delimited patterns `[ip, user, ..., status_code = 4* || status_code = 5*, bytes > 1000]`.
 * A slot is `...`, a field name with optional conditions on that same field, or empty (an unnamed field).
 */
import type { ComparisonOperator, FieldCondition, FieldSlot } from './ast.js'
import { checkValue } from './json-pattern.js'
import { Cursor, scanOperator, scanValue } from './lexer.js'

const NAME_CHAR = /[A-Za-z0-9_-]/
const VALUE_STOPS = ',]&|'

/** `text` must start with `[` and end with `]` (checked by the dispatcher). */
export function parseSpaceDelimited(text: string): FieldSlot[] {
  const c = new Cursor(text, 1, text.length - 1)
  const slots: FieldSlot[] = []
  const state = { regexes: 0 }
  c.skipWhitespace()
  if (c.atEnd()) return slots // `[]`: every event, every field extracted as $1…$n
  let ellipsisAt = -1
  for (;;) {
    c.skipWhitespace()
    const start = c.pos
    if (c.startsWith('...')) {
      // CDK refuses a second '...' ("Can use at most one '...' column"); two would make field positions ambiguous.
      if (ellipsisAt >= 0) c.fail("a pattern can contain at most one '...'")
      ellipsisAt = start
      c.pos += 3
      slots.push({ kind: 'ellipsis', span: { start, end: c.pos } })
    } else if (c.atEnd() || c.peek() === ',') {
      slots.push({ kind: 'field', name: null, condition: null, span: { start, end: start } })
    } else {
      slots.push(parseField(c, state))
    }
    c.skipWhitespace()
    if (c.atEnd()) return slots
    if (c.peek() !== ',') c.fail(`expected ',' or ']', found ${c.found()}`)
    c.pos++
  }
}

function readName(c: Cursor): string {
  const start = c.pos
  while (NAME_CHAR.test(c.peek())) c.pos++
  if (c.pos === start) c.fail(`expected a field name (letters, digits, '_', '-'), found ${c.found()}`)
  return c.text.slice(start, c.pos)
}

function parseField(c: Cursor, state: { regexes: number }): FieldSlot {
  const start = c.pos
  const name = readName(c)
  c.skipWhitespace()
  if (c.atEnd() || c.peek() === ',') return { kind: 'field', name, condition: null, span: { start, end: c.pos } }
  const first = parseComparison(c, state)
  // && binds tighter than ||, as in JSON patterns.
  const disjuncts: FieldCondition[][] = [[first]]
  for (;;) {
    c.skipWhitespace()
    const joiner = c.startsWith('&&') ? '&&' : c.startsWith('||') ? '||' : null
    if (joiner === null) break
    c.pos += 2
    c.skipWhitespace()
    const nameAt = c.pos
    const other = readName(c)
    // A condition on another field inside one slot was rejected as "Invalid filter pattern" ([ISS21]).
    if (other !== name) c.fail(`a condition in the slot of field '${name}' cannot test field '${other}'`, nameAt)
    c.skipWhitespace()
    const cmp = parseComparison(c, state)
    if (joiner === '&&') (disjuncts[disjuncts.length - 1] as FieldCondition[]).push(cmp)
    else disjuncts.push([cmp])
  }
  const ands = disjuncts.map((d): FieldCondition => (d.length === 1 ? (d[0] as FieldCondition) : { kind: 'and', operands: d }))
  const condition: FieldCondition = ands.length === 1 ? (ands[0] as FieldCondition) : { kind: 'or', operands: ands }
  return { kind: 'field', name, condition, span: { start, end: c.pos } }
}

function parseComparison(c: Cursor, state: { regexes: number }): FieldCondition {
  const start = c.pos
  const operator: ComparisonOperator | null = scanOperator(c)
  if (operator === null) c.fail(`expected an operator (=, !=, <, >, <=, >=), ',' or ']', found ${c.found()}`)
  const value = scanValue(c, VALUE_STOPS)
  checkValue(c, state, operator, value)
  return { kind: 'compare', operator, value, span: { start, end: c.pos } }
}
