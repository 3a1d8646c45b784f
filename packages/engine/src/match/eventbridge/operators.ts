/**
 * Validation of the operator objects inside a field's value list (`{"prefix": ...}`, `{"numeric": [...]}`,
 * `{"anything-but": ...}` ...), with AWS's messages. Its quirks are AWS's: a non-string `cidr` is reported as a
 * "prefix" problem, and extra keys beside `numeric` or `anything-but` as "Too many elements in numeric expression".
 */
import type { AnythingBut, Matcher, NumericBound } from './ast.js'
import { parseCidr } from './cidr.js'
import type { JsonNode } from './json.js'
import { exactFloat64 } from './numbers.js'
import { MAX_WILDCARD_COMPLEXITY, wildcardComplexity, wildcardSegments } from './wildcard.js'

const ANYTHING_BUT_OPERATORS = new Set(['equals-ignore-case', 'prefix', 'suffix', 'wildcard'])

/** A rejection with AWS's reason and, when known, where in the text it is. */
export class Invalid extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number | undefined,
  ) {
    super(reason)
  }
}

export function invalid(reason: string, node?: JsonNode): never {
  throw new Invalid(reason, node?.offset)
}

/** The text a streaming JSON parser shows for the token that starts `node` (used in a few AWS messages). */
function tokenText(node: JsonNode | undefined): string {
  if (node === undefined) return ']'
  switch (node.kind) {
    case 'object':
      return '{'
    case 'array':
      return '['
    case 'string':
      return node.value
    case 'number':
      return node.text
    default:
      return node.kind
  }
}

function onlyOneKey(node: JsonNode & { kind: 'object' }, reason = 'Only one key allowed in match expression'): void {
  if (node.entries.length > 1) invalid(reason, node.entries[1]?.[1])
}

const TOO_MANY_NUMERIC = 'Too many elements in numeric expression'

/** One `{ operator: argument }` object from a field's value list. */
export function parseOperator(node: JsonNode & { kind: 'object' }): Matcher {
  const first = node.entries[0]
  if (first === undefined) return invalid('Match expression name not found', node)
  const [name, value] = first
  switch (name) {
    case 'exactly': {
      if (value.kind !== 'string') invalid('exact match pattern must be a string', value)
      onlyOneKey(node)
      return { kind: 'exactly', value: (value as { value: string }).value }
    }
    case 'prefix':
    case 'suffix': {
      if (value.kind === 'object') {
        const inner = value.entries[0]
        const label = name === 'prefix' ? 'Prefix' : 'Suffix'
        if (inner === undefined) return invalid(`${label} expression name not found`, value)
        if (inner[0] !== 'equals-ignore-case') invalid(`Unsupported ${name} pattern: ${inner[0]}`, value)
        if (inner[1].kind !== 'string') invalid('equals-ignore-case match pattern must be a string', inner[1])
        onlyOneKey(value)
        onlyOneKey(node)
        return { kind: name, value: (inner[1] as { value: string }).value, ignoreCase: true }
      }
      if (value.kind !== 'string') invalid(`${name} match pattern must be a string`, value)
      onlyOneKey(node)
      return { kind: name, value: (value as { value: string }).value, ignoreCase: false }
    }
    case 'equals-ignore-case': {
      if (value.kind !== 'string') invalid('equals-ignore-case match pattern must be a string', value)
      onlyOneKey(node)
      return { kind: 'equals-ignore-case', value: (value as { value: string }).value }
    }
    case 'wildcard': {
      if (value.kind !== 'string') invalid('wildcard match pattern must be a string', value)
      const text = (value as { value: string }).value
      const segments = checkedWildcard(text, value)
      if (wildcardComplexity(segments) >= MAX_WILDCARD_COMPLEXITY) {
        invalid(
          'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences ' +
            'after a wildcard character',
          value,
        )
      }
      onlyOneKey(node)
      return { kind: 'wildcard', value: text, segments }
    }
    case 'numeric': {
      if (value.kind !== 'array') invalid('Value of numeric must be an array.', value)
      const m = parseNumeric(value)
      onlyOneKey(node, TOO_MANY_NUMERIC)
      return m
    }
    case 'anything-but': {
      const m = parseAnythingBut(value)
      onlyOneKey(node, TOO_MANY_NUMERIC)
      return m
    }
    case 'exists': {
      if (value.kind !== 'true' && value.kind !== 'false') {
        invalid('exists match pattern must be either true or false.', value)
      }
      onlyOneKey(node)
      return { kind: 'exists', value: value.kind === 'true' }
    }
    case 'cidr': {
      // AWS's text for a non-string CIDR really does say "prefix" (its compiler reuses the message).
      if (value.kind !== 'string') invalid('prefix match pattern must be a string', value)
      const text = (value as { value: string }).value
      const block = parseCidr(text)
      if (typeof block === 'string') invalid(block, value)
      onlyOneKey(node)
      return { kind: 'cidr', value: text }
    }
    default:
      return invalid(`Unrecognized match type ${name}`, node)
  }
}

function checkedWildcard(text: string, node: JsonNode): string[] {
  const segments = wildcardSegments(text)
  return typeof segments === 'string' ? invalid(segments, node) : segments
}

function numberOf(node: JsonNode): number {
  const text = (node as { text: string }).text
  const value = exactFloat64(text)
  // NOTE: AWS's wording for this is not known; event-ruler (full float64 range) rejects such a bound too.
  return value ?? invalid(`Value ${text} is not a number that a 64-bit float represents exactly`, node)
}

function parseNumeric(node: JsonNode & { kind: 'array' }): Matcher {
  const [opNode, first, second, third, ...rest] = node.items
  if (opNode?.kind !== 'string') return invalid(`Invalid member in numeric match: ${tokenText(opNode)}`, opNode ?? node)
  const op = opNode.value
  const bound = (n: JsonNode | undefined, label: string): number => {
    if (n?.kind !== 'number') invalid(`Value of ${label} must be numeric`, n ?? node)
    return numberOf(n)
  }
  switch (op) {
    case '=': {
      const v = bound(first, 'equals')
      if (second !== undefined) invalid(TOO_MANY_NUMERIC, second)
      return { kind: 'numeric', lower: { value: v, inclusive: true }, upper: { value: v, inclusive: true } }
    }
    case '<':
    case '<=': {
      const v = bound(first, op)
      if (second !== undefined) invalid(TOO_MANY_NUMERIC, second)
      return { kind: 'numeric', lower: null, upper: { value: v, inclusive: op === '<=' } }
    }
    case '>':
    case '>=': {
      const lower: NumericBound = { value: bound(first, op), inclusive: op === '>=' }
      if (second === undefined) return { kind: 'numeric', lower, upper: null }
      if (second.kind !== 'string') invalid(`Bad value in numeric range: ${tokenText(second)}`, second)
      const op2 = (second as { value: string }).value
      if (op2 !== '<' && op2 !== '<=') invalid(`Bad numeric range operator: ${op2}`, second)
      const top = bound(third, op2)
      if (rest.length > 0) invalid('Too many terms in numeric range expression', rest[0])
      if (lower.value >= top) invalid('Bottom must be less than top', node)
      return { kind: 'numeric', lower, upper: { value: top, inclusive: op2 === '<=' } }
    }
    default:
      return invalid(`Unrecognized numeric range operator: ${op}`, opNode)
  }
}

const BAD_ANYTHING_BUT = 'Value of anything-but must be an array or single string/number value.'

function parseAnythingBut(value: JsonNode): AnythingBut {
  if (value.kind === 'object') {
    const inner = value.entries[0]
    if (inner === undefined) return invalid('Anything-But expression name not found', value)
    const [op, arg] = inner
    if (!ANYTHING_BUT_OPERATORS.has(op)) invalid(`Unsupported anything-but pattern: ${op}`, value)
    const form = op as 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard'
    if (arg.kind !== 'array' && arg.kind !== 'string' && arg.kind !== 'number') invalid(BAD_ANYTHING_BUT, arg)
    const items = arg.kind === 'array' ? arg.items : [arg]
    const values = items.map((item) => {
      if (item.kind !== 'string') {
        const reason =
          form === 'equals-ignore-case'
            ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
            : form === 'wildcard'
              ? 'wildcard match pattern must be a string'
              : 'prefix/suffix match pattern must be a string'
        return invalid(reason, item)
      }
      if ((form === 'prefix' || form === 'suffix') && item.value === '') invalid('Null prefix/suffix not allowed', item)
      return item.value
    })
    if (form === 'wildcard') for (const [i, v] of values.entries()) checkedWildcard(v, items[i] ?? arg)
    onlyOneKey(value, TOO_MANY_NUMERIC)
    return { kind: 'anything-but', form, values }
  }
  if (value.kind === 'string') return { kind: 'anything-but', form: 'strings', values: [value.value] }
  if (value.kind === 'number') return { kind: 'anything-but', form: 'numbers', values: [numberOf(value)] }
  if (value.kind !== 'array') return invalid(BAD_ANYTHING_BUT, value)
  const strings: string[] = []
  const numbers: number[] = []
  for (const item of value.items) {
    if (item.kind === 'string') strings.push(item.value)
    else if (item.kind === 'number') numbers.push(numberOf(item))
    else invalid('Inside anything but list, start|null|boolean is not supported.', item)
  }
  // An empty list falls under the same message: it is neither all strings nor all numbers.
  if (strings.length > 0 === numbers.length > 0) {
    invalid('Inside anything but list, either all values are number or string, mixed type is not supported', value)
  }
  return strings.length > 0
    ? { kind: 'anything-but', form: 'strings', values: strings }
    : { kind: 'anything-but', form: 'numbers', values: numbers }
}
