/**
 * Every EventBridge conformance case (test/cases/eventbridge-*.json, copied verbatim from reference/conformance):
 * - cases: pattern × event → AWS's (or the cited source's) result, through compile+match, through
 *   testEventPattern on the JSON texts, and checked against the index keys;
 * - invalid: patterns AWS rejects, with AWS's exact message;
 * - envelope: CloudTrail record → the envelope EventBridge builds, and a pattern's result on it.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { RuleSyntaxError, UsageError } from '../src/errors.js'
import { compileEventPattern, parseEventPattern, testEventPattern, toEventBridgeEnvelope } from '../src/match/eventbridge/index.js'

interface MatchCase {
  id: string
  pattern: Record<string, unknown>
  patternText?: string
  event: Record<string, unknown>
  expected: boolean
}
interface InvalidCase {
  id: string
  pattern: Record<string, unknown>
  event: Record<string, unknown>
  awsError: { code: string; message: string }
}
interface EnvelopeCase {
  id: string
  record: Record<string, unknown>
  envelope: Record<string, unknown>
  pattern: Record<string, unknown>
  expected: boolean
}

const load = <T>(name: string): T[] => JSON.parse(readFileSync(new URL(`./cases/${name}`, import.meta.url), 'utf8')) as T[]

const cases = load<MatchCase>('eventbridge-cases.json')
const invalid = load<InvalidCase>('eventbridge-invalid.json')
const envelopes = load<EnvelopeCase>('eventbridge-envelope.json')

const REQUIRED = ['id', 'account', 'source', 'time', 'region', 'detail-type']
const testable = (event: Record<string, unknown>): boolean => REQUIRED.every((k) => k in event)

function syntaxError(fn: () => unknown): RuleSyntaxError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(RuleSyntaxError)
    return err as RuleSyntaxError
  }
  throw new Error('expected a RuleSyntaxError')
}

describe('EventBridge pattern conformance: matching', () => {
  test('the case file is the full reference set', () => {
    expect(cases.length).toBe(138)
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length)
  })

  test.for(cases)('$id', (c) => {
    const source = c.patternText ?? JSON.stringify(c.pattern)
    const fromText = compileEventPattern(source)
    expect(fromText.match(c.event)).toBe(c.expected)
    expect(compileEventPattern(c.pattern).match(c.event)).toBe(c.expected)

    const eventText = JSON.stringify(c.event)
    if (testable(c.event)) {
      expect(testEventPattern(source, eventText)).toBe(c.expected)
    } else {
      // AWS's TestEventPattern refuses an event without the envelope fields; so must we.
      expect(() => testEventPattern(source, eventText)).toThrow(UsageError)
    }

    const detail = c.event['detail'] as Record<string, unknown> | undefined
    if (c.expected && typeof detail === 'object' && detail !== null) {
      const { eventSource, eventName } = fromText.indexKeys
      if (eventSource !== null) expect(eventSource).toContain(detail['eventSource'])
      if (eventName !== null) expect(eventName).toContain(detail['eventName'])
      // The raw-text prefilter must never reject a record the pattern matches. It reads the envelope's source
      // back into the record's eventSource, so it holds for events built from CloudTrail records, as scans build them.
      const literals = fromText.literals
      const fromRecord = toEventBridgeEnvelope(detail).source === c.event['source']
      if (literals !== null && fromRecord) expect(literals.some((set) => set.every((l) => JSON.stringify(detail).includes(l)))).toBe(true)
    }
  })
})

describe('EventBridge pattern conformance: patterns AWS rejects', () => {
  test('the case file is the full reference set', () => {
    expect(invalid.length).toBe(38)
  })

  test.for(invalid)('$id', (c) => {
    expect(c.awsError.code).toBe('InvalidEventPatternException')
    const text = JSON.stringify(c.pattern, null, 2)
    const err = syntaxError(() => parseEventPattern(text))
    expect(err.message).toBe(c.awsError.message)
    expect(err.location?.offset).toBeTypeOf('number')
    expect(syntaxError(() => compileEventPattern(c.pattern)).message).toBe(c.awsError.message)
    expect(syntaxError(() => testEventPattern(text, JSON.stringify(c.event))).message).toBe(c.awsError.message)
  })
})

describe('EventBridge envelope conformance', () => {
  test('the case file is the full reference set', () => {
    expect(envelopes.length).toBe(11)
  })

  test.for(envelopes)('$id', (c) => {
    const envelope = toEventBridgeEnvelope(c.record)
    expect(envelope).toEqual(c.envelope)
    expect(Object.keys(envelope)).toEqual(Object.keys(c.envelope))
    expect(compileEventPattern(c.pattern).match(envelope)).toBe(c.expected)
    expect(testEventPattern(JSON.stringify(c.pattern), JSON.stringify(envelope))).toBe(c.expected)
  })
})
