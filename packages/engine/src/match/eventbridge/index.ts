/**
 * EventBridge event patterns with AWS's semantics: validate (parseEventPattern), compile (compileEventPattern), test
 * one event as `aws events test-event-pattern` does (testEventPattern), and build the envelope EventBridge would
 * deliver for a CloudTrail record (toEventBridgeEnvelope).
 */
import { UsageError } from '../../errors.js'
import { compileEventPattern } from './compile.js'
import { JsonSyntaxError, parseJson, valueFromNode } from './json.js'

export type { EventPatternAst, Matcher, PatternEntry, PatternObject, AnythingBut, NumericBound } from './ast.js'
export type { EventPattern } from './compile.js'
export { compileEventPattern } from './compile.js'
export { parseEventPattern } from './parse.js'
export { toEventBridgeEnvelope } from './envelope.js'

/**
 * The fields TestEventPattern insists on. The API reference also lists `resources`, but AWS accepts events without it
 * (every LocalStack parity case omits it), so it is not required here either.
 */
const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const

/** AWS's ValidationException text for an event it will not test. */
export const INVALID_EVENT_MESSAGE = 'Parameter Event is not valid.'

/**
 * As `aws events test-event-pattern`: throws RuleSyntaxError for a pattern AWS rejects, and UsageError (with AWS's
 * message) for an event that is not a JSON object with the required fields. Event text is read without rounding
 * numbers, so large integers compare as AWS compares them.
 */
export function testEventPattern(pattern: string | Record<string, unknown>, event: string | Record<string, unknown>): boolean {
  const compiled = compileEventPattern(pattern)
  let value: unknown = event
  if (typeof event === 'string') {
    try {
      value = valueFromNode(parseJson(event))
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err
      throw new UsageError(INVALID_EVENT_MESSAGE, { location: { offset: err.offset }, cause: err })
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(INVALID_EVENT_MESSAGE)
  const missing = REQUIRED_EVENT_FIELDS.filter((f) => !Object.hasOwn(value, f))
  if (missing.length > 0) {
    throw new UsageError(INVALID_EVENT_MESSAGE, { cause: new Error(`missing field(s): ${missing.join(', ')}`) })
  }
  return compiled.match(value)
}
