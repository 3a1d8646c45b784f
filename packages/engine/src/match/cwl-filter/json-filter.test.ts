import { describe, expect, it } from 'vitest'
import { compileRule } from '../compile.js'
import type { MatchContext } from '../matcher.js'
import type { RuleSpec } from '../../rules/spec.js'
import { compileCwlFilter, testMetricFilter } from './compile.js'

const matches = (pattern: string, event: string): boolean => compileCwlFilter(pattern).testMessage(event).matched

describe('JSON comparisons', () => {
  it('makes every comparison false on a missing field, != included', () => {
    expect(matches('{ $.missing != "x" }', '{"a":1}')).toBe(false)
    expect(matches('{ $.a.b.c != 1 }', '{"a":1}')).toBe(false)
    expect(matches('{ $.missing NOT EXISTS }', '{"a":1}')).toBe(true)
    expect(matches('{ $.a.missing NOT EXISTS }', '{"a":1}')).toBe(true)
  })

  it('makes comparisons on objects, arrays and null false', () => {
    for (const event of ['{"v":{"x":1}}', '{"v":[1]}', '{"v":[]}', '{"v":null}']) {
      for (const cond of ['= *', '!= 1', '!= "x"', '> 0', '= %.%']) expect(matches(`{ $.v ${cond} }`, event)).toBe(false)
    }
  })

  it('treats a key holding null as existing (NOT EXISTS false, IS NULL true)', () => {
    expect(matches('{ $.v NOT EXISTS }', '{"v":null}')).toBe(false)
    expect(matches('{ $.v IS NULL }', '{"v":null}')).toBe(true)
    expect(matches('{ $.v IS NULL }', '{}')).toBe(false)
  })

  it('compares quoted literals with the JSON text of numbers as written', () => {
    expect(matches('{ $.n = "123" }', '{"n":123}')).toBe(true)
    expect(matches('{ $.n != "123.0" }', '{"n":123}')).toBe(true)
    expect(matches('{ $.n = "123.00" }', '{"n":123}')).toBe(false)
    expect(matches('{ $.n != "12" }', '{"n":12.0}')).toBe(true)
    expect(matches('{ $.n = "12*" }', '{"n":123}')).toBe(true)
  })

  it('compares unquoted numbers numerically with numbers, as text with strings', () => {
    expect(matches('{ $.n = 123.0 }', '{"n":123}')).toBe(true)
    expect(matches('{ $.n = 12 }', '{"n":12.0}')).toBe(true)
    expect(matches('{ $.n != 123 }', '{"n":123}')).toBe(false)
    expect(matches('{ $.s = 400 }', '{"s":"400"}')).toBe(true)
    expect(matches('{ $.s = 400 }', '{"s":"400.0"}')).toBe(false)
    expect(matches('{ $.s != 111 }', '{"s":"111.111.111.111"}')).toBe(true)
    expect(matches('{ $.s > 2 }', '{"s":"3"}')).toBe(false)
    expect(matches('{ $.s < 2 }', '{"s":"abc"}')).toBe(false)
  })

  it('treats booleans as the text true/false and supports IS TRUE / IS FALSE', () => {
    expect(matches('{ $.f IS TRUE }', '{"f":true}')).toBe(true)
    expect(matches('{ $.f IS TRUE }', '{"f":"true"}')).toBe(false)
    expect(matches('{ $.f IS FALSE }', '{"f":false}')).toBe(true)
    expect(matches('{ $.f = true }', '{"f":true}')).toBe(true)
    expect(matches('{ $.f = * }', '{"f":false}')).toBe(true)
    expect(matches('{ $.f != 1 }', '{"f":false}')).toBe(true)
  })

  it('is case-sensitive for values and keys', () => {
    expect(matches('{ $.MFAUsed != "Yes" }', '{"MFAUsed":"YES"}')).toBe(true)
    expect(matches('{ $.mfaused = "Yes" }', '{"MFAUsed":"Yes"}')).toBe(false)
  })

  it('holds a wildcard-selector condition when any selected node satisfies it, != too', () => {
    expect(matches('{ $.l[*] = "b" }', '{"l":["a","b"]}')).toBe(true)
    expect(matches('{ $.l[*] != "a" }', '{"l":["a","b"]}')).toBe(true)
    expect(matches('{ $.l[*] != "a" }', '{"l":["a"]}')).toBe(false)
    expect(matches('{ $.l[*] NOT EXISTS }', '{"l":[]}')).toBe(true)
    expect(matches('{ $.* = "x" }', '{"a":"y","b":"x"}')).toBe(true)
    expect(matches('{ $.*.id = 2 }', '{"a":{"id":1},"b":{"id":2}}')).toBe(true)
    expect(matches('{ $.l[*] = 1 }', '{"l":{"0":1}}')).toBe(false)
  })

  it('does not traverse arrays implicitly or read inherited properties', () => {
    expect(matches('{ $.l.id = 1 }', '{"l":[{"id":1}]}')).toBe(false)
    expect(matches('{ $.constructor = * }', '{}')).toBe(false)
    expect(matches('{ $.o.toString NOT EXISTS }', '{"o":{}}')).toBe(true)
  })

  it('matches only messages that are a whole JSON object', () => {
    expect(matches('{ $.a NOT EXISTS }', 'not json')).toBe(false)
    expect(matches('{ $.a NOT EXISTS }', '[1]')).toBe(false)
    expect(matches('{ $.a = 1 }', 'INFO {"a":1}')).toBe(false)
    expect(matches('{ $.a = 1 }', ' {"a":1} ')).toBe(true)
  })
})

describe('matchRecord fast path', () => {
  it('agrees with testMessage when a number is compared as text', () => {
    const f = compileCwlFilter('{ $.n != "12" && $.m = "1.50" }')
    const text = '{"n":12.0,"m":1.50}'
    expect(f.testMessage(text).matched).toBe(true)
    expect(f.matchRecord(JSON.parse(text), text)).toBe(true)
    const g = compileCwlFilter('{ $.n = %^12$% }')
    expect(g.matchRecord(JSON.parse('{"n":12.0}'), '{"n":12.0}')).toBe(false)
    expect(g.matchRecord(JSON.parse('{"n":12}'), '{"n":12}')).toBe(true)
  })

  it('decides numbers against non-numeric text without the raw text', () => {
    const f = compileCwlFilter('{ $.n != "abc" }')
    expect(f.matchRecord({ n: 5 }, 'unused: not parsed')).toBe(true)
    expect(compileCwlFilter('{ $.n = "abc*" }').matchRecord({ n: 5 }, 'unused')).toBe(false)
  })

  it('merges || equalities on one selector without changing results', () => {
    const f = compileCwlFilter('{ $.e = A || $.x = 1 || $.e = "B" || $.e = C* }')
    const cases: [unknown, boolean][] = [
      [{ e: 'A' }, true],
      [{ e: 'B' }, true],
      [{ e: 'Cx' }, true],
      [{ e: 'b' }, false],
      [{ x: 1 }, true],
      [{ e: ['A'] }, false],
    ]
    for (const [record, expected] of cases) {
      const text = JSON.stringify(record)
      expect(f.matchRecord(record, text)).toBe(expected)
      expect(f.testMessage(text).matched).toBe(expected)
    }
  })

  it('never matches a record that is not an object', () => {
    expect(compileCwlFilter('{ $.a NOT EXISTS }').matchRecord([], '[]')).toBe(false)
  })
})

describe('extractedValues for JSON patterns', () => {
  it('reports each plain selector that reaches a scalar, keyed as written', () => {
    const r = compileCwlFilter('{ $.a = * && ($.b.c > 2 || $.d NOT EXISTS) && $.l[*] = 1 }').testMessage(
      '{"a":12.0,"b":{"c":3},"l":[1],"d":{}}',
    )
    expect(r).toEqual({ matched: true, extractedValues: { '$.a': '12.0', '$.b.c': '3' } })
  })
})

describe('wildcard option', () => {
  // The 2019 end-to-end suite against the real TestMetricFilter API (../shared/reference/cwl-filter-patterns.md §2.5).
  it('uses the AWS-observed first-occurrence algorithm by default, the glob on request', () => {
    const event = '{"ip":"111.111.111.111","s":"111.111.111.111"}'
    expect(compileCwlFilter('{ $.ip = "*111.111.111" }').testMessage(event).matched).toBe(false)
    expect(compileCwlFilter('{ $.ip = "*.111.111.111" }').testMessage(event).matched).toBe(true)
    expect(compileCwlFilter('{ $.s != 111*111 }').testMessage(event).matched).toBe(true)
    expect(testMetricFilter('{ $.s != 111*111 }', [event]).matches).toHaveLength(1)
    expect(compileCwlFilter('{ $.ip = "*111.111.111" }', { wildcard: 'glob' }).testMessage(event).matched).toBe(true)
    expect(compileCwlFilter('{ $.s != 111*111 }', { wildcard: 'glob' }).testMessage(event).matched).toBe(false)
  })

  it('reaches rules compiled for a scan the same way', () => {
    const spec = {
      id: 'w',
      title: 'w',
      severity: 'low',
      language: 'cwl-filter',
      pattern: '{ $.ip = "*111.111.111" }',
      examples: { match: [], noMatch: [] },
    } as const
    const record = { ip: '111.111.111.111' }
    const ctx = { record, text: JSON.stringify(record) } as unknown as MatchContext
    expect(compileRule(spec as unknown as RuleSpec).match(ctx)).toBeNull()
    expect(compileRule(spec as unknown as RuleSpec, { wildcard: 'glob' }).match(ctx)).not.toBeNull()
  })
})
