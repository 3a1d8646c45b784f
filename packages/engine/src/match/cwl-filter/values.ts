/**
 * Value predicates shared by JSON and space-delimited patterns: one compiled closure per condition, applied to the
 * node a selector reached (or to a space-delimited field). The comparison rules are listed in ast.ts.
 */
import { assertNever } from '../../errors.js'
import type { ComparisonOperator, ValueLiteral } from './ast.js'
import { NUMBER_RE } from './lexer.js'
import { RawNumber } from './raw-json.js'
import { compileAwsRegex } from './regex.js'
import { compileWildcard, type WildcardMode } from './wildcard.js'

/** What a selector reaches when a key, an index or a parent is missing. */
export const MISSING: unique symbol = Symbol('missing')

export type Predicate = (node: unknown) => boolean

/**
 * Set by a predicate that met a plain JS number (a record from JSON.parse) where the answer depends on the number's
 * source text. The caller re-evaluates on a number-preserving parse. Module state instead of a context object keeps
 * the hot path allocation-free; evaluation is synchronous, so it cannot interleave.
 */
export const rawTextNeeded = { value: false }

/** Text of a scalar node for `=`/`!=`; undefined for missing, null, objects and arrays. */
function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node
  if (node instanceof RawNumber) return node.raw
  if (typeof node === 'boolean') return node ? 'true' : 'false'
  return undefined
}

/**
 * `canMatchNumber` is false when no JSON number text can satisfy `test` (the literal has a character a number
 * never has). Then a plain JS number is decided without its source text and the record need not be re-parsed.
 */
function textPredicate(op: ComparisonOperator, test: (text: string) => boolean, canMatchNumber: boolean): Predicate {
  if (op === '=') {
    return (node) => {
      if (typeof node === 'number') {
        if (canMatchNumber) rawTextNeeded.value = true
        return false
      }
      const t = textOf(node)
      return t !== undefined && test(t)
    }
  }
  if (op === '!=') {
    return (node) => {
      if (typeof node === 'number') {
        if (canMatchNumber) rawTextNeeded.value = true
        return !canMatchNumber
      }
      const t = textOf(node)
      return t !== undefined && !test(t)
    }
  }
  // The parsers reject relational operators with non-numeric values, as AWS does.
  throw new Error(`operator ${op} needs a numeric value`)
}

function numericPredicate(op: ComparisonOperator, n: number, raw: string): Predicate {
  const cmp = numericComparison(op, n)
  return (node) => {
    if (typeof node === 'number') return cmp(node)
    if (node instanceof RawNumber) return cmp(node.value)
    // No numeric coercion of strings: `=`/`!=` compare the literal as written, relational operators are false.
    if (typeof node === 'string') return op === '=' ? node === raw : op === '!=' ? node !== raw : false
    if (typeof node === 'boolean') return op === '!='
    return false
  }
}

function numericComparison(op: ComparisonOperator, n: number): (v: number) => boolean {
  switch (op) {
    case '=':
      return (v) => v === n
    case '!=':
      return (v) => v !== n
    case '<':
      return (v) => v < n
    case '>':
      return (v) => v > n
    case '<=':
      return (v) => v <= n
    case '>=':
      return (v) => v >= n
    default:
      return assertNever(op)
  }
}

export function comparisonPredicate(op: ComparisonOperator, value: ValueLiteral, mode: WildcardMode): Predicate {
  switch (value.kind) {
    case 'number':
      return numericPredicate(op, value.value, value.raw)
    case 'string':
      return textPredicate(op, compileWildcard(value.value, mode), /^[0-9.eE+*-]*$/.test(value.value))
    case 'regex': {
      const re = compileAwsRegex(value.source, value.source, 0)
      return textPredicate(op, (t) => re.test(t), true)
    }
    default:
      return assertNever(value)
  }
}

export const isNull: Predicate = (node) => node === null
export const isTrue: Predicate = (node) => node === true
export const isFalse: Predicate = (node) => node === false

/** A space-delimited field as a node: numeric-looking fields compare numerically with unquoted numbers. */
export function fieldNode(field: string): string | RawNumber {
  return NUMBER_RE.test(field) ? new RawNumber(field, Number(field)) : field
}

/** Text AWS reports for a scalar node in extractedValues; undefined when there is none. */
export function extractedText(node: unknown): string | undefined {
  if (typeof node === 'string') return node
  if (node instanceof RawNumber) return node.raw
  if (typeof node === 'number') return String(node)
  if (typeof node === 'boolean') return node ? 'true' : 'false'
  return undefined
}
