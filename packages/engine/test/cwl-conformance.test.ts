/**
 * Every documented CloudWatch Logs filter-pattern case (test/cases/cwl-cases.json, copied verbatim from
 * reference/conformance). A case's `event` is the log message: a string is sent as is, an object is a JSON log
 * event and is sent as its JSON text. Besides the expected match, each case checks that the record fast path, the
 * prefilter literals and the index keys never contradict testMessage.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { compileCwlFilter, testMetricFilter } from '../src/match/cwl-filter/index.js'

interface Case {
  id: string
  pattern: string
  event: string | Record<string, unknown>
  expected: boolean
  source: string
  basis: string
}

const cases = JSON.parse(readFileSync(new URL('./cases/cwl-cases.json', import.meta.url), 'utf8')) as Case[]

function messageOf(c: Case): string {
  return typeof c.event === 'string' ? c.event : JSON.stringify(c.event)
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

describe('CloudWatch Logs filter-pattern conformance', () => {
  test('the case file is the full reference set', () => {
    expect(cases.length).toBe(259)
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length)
  })

  test.for(cases)('$id: $pattern', (c) => {
    const filter = compileCwlFilter(c.pattern)
    const message = messageOf(c)
    const result = filter.testMessage(message)
    expect(result.matched).toBe(c.expected)

    expect(testMetricFilter(c.pattern, [message]).matches.length).toBe(c.expected ? 1 : 0)

    const record = parsedOrUndefined(message)
    if (record !== undefined) expect(filter.matchRecord(record, message)).toBe(c.expected)

    if (c.expected) {
      if (filter.literals !== null) {
        expect(filter.literals.some((alt) => alt.every((lit) => message.includes(lit)))).toBe(true)
      }
      const rec = (record ?? {}) as Record<string, unknown>
      if (filter.indexKeys.eventName !== null) expect(filter.indexKeys.eventName).toContain(rec['eventName'])
      if (filter.indexKeys.eventSource !== null) expect(filter.indexKeys.eventSource).toContain(rec['eventSource'])
    }
  })
})
