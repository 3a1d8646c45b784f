/**
 * Validation of an event pattern, rule by rule as AWS applies it (event-ruler's JsonRuleCompiler), with AWS's error
 * text: "Event pattern is not valid. Reason: <why>". Checks run in the order AWS runs them, so a pattern with two
 * faults reports the one AWS reports.
 */
import { RuleSyntaxError, lineColumn, type Location } from '../../errors.js'
import type { EventPatternAst, Matcher, PatternEntry, PatternObject } from './ast.js'
import { JsonSyntaxError, nodeFromValue, parseJson, type JsonNode } from './json.js'
import { exactFloat64 } from './numbers.js'
import { Invalid, invalid, parseOperator } from './operators.js'

/** TestEventPattern and PutRule cap the pattern text at 4096 characters. */
export const MAX_PATTERN_LENGTH = 4096
/** "InvalidEventPatternException ... if the use of $or results in over 1000 rule combinations" (AWS docs). */
const MAX_COMBINATIONS = 1000

const OR = '$or'
/** Operator names that may not be field names inside an `$or` branch (event-ruler's reserved list). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  'html',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
])

const PREFIX = 'Event pattern is not valid. Reason: '

/** Validates `pattern` (JSON text or an object) like AWS and returns its AST; throws RuleSyntaxError. */
export function parseEventPattern(pattern: string | Record<string, unknown>): EventPatternAst {
  const text = typeof pattern === 'string' ? pattern : undefined
  try {
    let root: JsonNode
    if (text !== undefined) {
      checkLength(text.length)
      root = parseJson(text)
    } else {
      root = nodeFromValue(pattern)
      // An object has no text of its own; its compact JSON is the shortest text AWS could be sent.
      checkLength(JSON.stringify(pattern).length)
    }
    if (root.kind !== 'object') invalid('Filter is not an object', root)
    const body = parseObject(root, false)
    const combinations = countCombinations(body)
    if (combinations > MAX_COMBINATIONS) {
      invalid(`The use of $or results in over ${MAX_COMBINATIONS} rule combinations`)
    }
    return { root: body, combinations }
  } catch (err) {
    if (err instanceof RuleSyntaxError) throw err
    if (err instanceof Invalid || err instanceof JsonSyntaxError) {
      throw new RuleSyntaxError(PREFIX + err.message, { location: locate(text, err.offset), cause: err })
    }
    // nodeFromValue's complaint about a value JSON cannot carry (undefined, a function, NaN ...)
    throw new RuleSyntaxError(PREFIX + (err as Error).message, { cause: err })
  }
}

function checkLength(length: number): void {
  if (length > MAX_PATTERN_LENGTH) {
    throw new RuleSyntaxError(
      `1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${MAX_PATTERN_LENGTH}`,
    )
  }
}

function locate(text: string | undefined, offset: number | undefined): Location | undefined {
  if (offset === undefined) return undefined
  if (text === undefined) return { offset }
  return { offset, ...lineColumn(text, offset) }
}

function parseObject(node: JsonNode & { kind: 'object' }, inOr: boolean): PatternObject {
  if (node.entries.length === 0) invalid('Empty objects are not allowed', node)
  const entries: PatternEntry[] = []
  for (const [key, value] of node.entries) {
    // NOTE: `"$or": {...}` (an object, not an array) is an ordinary field called "$or", as event-ruler keeps it
    // for backward compatibility; only the array form means OR.
    if (key === OR && value.kind === 'array') {
      entries.push({ kind: 'or', branches: parseOr(value) })
      continue
    }
    if (inOr && RESERVED_IN_OR.has(key)) {
      invalid(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`, value)
    }
    if (value.kind === 'object') entries.push({ kind: 'nested', key, body: parseObject(value, inOr) })
    else if (value.kind === 'array') {
      entries.push({ kind: 'field', key, matchers: parseValues(value), ...offsetOf(value) })
    } else invalid(`"${key}" must be an object or an array`, value)
  }
  return { entries }
}

function offsetOf(node: JsonNode): { offset?: number } {
  return node.offset === undefined ? {} : { offset: node.offset }
}

function parseOr(node: JsonNode & { kind: 'array' }): PatternObject[] {
  const branches = node.items.map((item) =>
    item.kind === 'object' ? parseObject(item, true) : invalid(`Only JSON object is allowed in array of ${OR} relationship.`, item),
  )
  if (branches.length < 2) invalid(`There must have at least 2 Objects in ${OR} relationship.`, node)
  return branches
}

function countCombinations(body: PatternObject): number {
  let n = 1
  for (const e of body.entries) {
    if (e.kind === 'nested') n *= countCombinations(e.body)
    else if (e.kind === 'or') n *= e.branches.reduce((sum, b) => sum + countCombinations(b), 0)
    // Past the limit the exact figure no longer matters; stop it from growing without bound.
    if (n > MAX_COMBINATIONS) return n
  }
  return n
}

function parseValues(node: JsonNode & { kind: 'array' }): Matcher[] {
  const out: Matcher[] = []
  for (const item of node.items) {
    switch (item.kind) {
      case 'object':
        out.push(parseOperator(item))
        break
      case 'string':
        out.push({ kind: 'string', value: item.value })
        break
      case 'number':
        out.push({ kind: 'number', text: item.text, value: exactFloat64(item.text) })
        break
      case 'true':
      case 'false':
      case 'null':
        out.push({ kind: 'literal', value: item.kind === 'null' ? null : item.kind === 'true' })
        break
      default:
        invalid('Match value must be String, number, true, false, or null', item)
    }
  }
  if (out.length === 0) invalid('Empty arrays are not allowed', node)
  return out
}
