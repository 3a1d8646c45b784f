import { describe, expect, test } from 'vitest'
import { compileEventPattern, expandSubRules } from './compile.js'
import { parseJson, valueFromNode } from './json.js'
import { parseEventPattern } from './parse.js'

const matches = (pattern: string | Record<string, unknown>, event: unknown): boolean => compileEventPattern(pattern).match(event)
/** An event read from text without rounding its numbers. */
const lossless = (text: string): unknown => valueFromNode(parseJson(text))

describe('exact values', () => {
  test('strings, numbers, booleans and null only match their own JSON type', () => {
    expect(matches({ a: ['true'] }, { a: true })).toBe(false)
    expect(matches({ a: [true] }, { a: 'true' })).toBe(false)
    expect(matches({ a: [null] }, { a: 'null' })).toBe(false)
    expect(matches({ a: [null] }, {})).toBe(false)
    expect(matches({ a: [''] }, { a: null })).toBe(false)
    expect(matches({ a: [300] }, { a: '300' })).toBe(false)
    expect(matches({ a: ['x'] }, { a: 'X' })).toBe(false)
  })

  test('numbers match by value when their decimal is a float64: 300 = 300.0 = 3.0e2', () => {
    expect(matches('{"a": [3.0e2]}', lossless('{"a": 300.0}'))).toBe(true)
    expect(matches({ a: [0.1] }, { a: 0.1 })).toBe(true)
    expect(matches({ a: [0] }, { a: -0 })).toBe(true)
    expect(matches('{"a": [0.3]}', lossless('{"a": 0.30000000000000004}'))).toBe(false)
  })

  test('a number with no exact float64 only matches the same text', () => {
    const p = '{"a": [12345678901234567890]}'
    expect(matches(p, lossless('{"a": 12345678901234567890}'))).toBe(true)
    expect(matches(p, lossless('{"a": 12345678901234567891}'))).toBe(false)
    expect(matches('{"a": [{"numeric": [">", 0]}]}', lossless('{"a": 1e400}'))).toBe(false)
  })

  test('a string that is an IP literal matches any spelling of that address; `exactly` does not', () => {
    expect(matches({ ip: ['10.0.0.1'] }, { ip: '10.00.0.1' })).toBe(true)
    expect(matches({ ip: ['2001:db8::1'] }, { ip: '2001:0DB8:0:0:0:0:0:1' })).toBe(true)
    expect(matches({ ip: ['10.0.0.1'] }, { ip: '10.0.0.2' })).toBe(false)
    expect(matches({ ip: [{ exactly: '10.0.0.1' }] }, { ip: '10.00.0.1' })).toBe(false)
    expect(matches({ ip: [{ exactly: '10.0.0.1' }] }, { ip: '10.0.0.1' })).toBe(true)
  })

  test('strings are compared after JSON decoding, without normalisation', () => {
    expect(matches('{"a": ["caf\\u00e9"]}', { a: 'café' })).toBe(true)
    expect(matches({ a: ['café'] }, { a: 'cafe\u0301' })).toBe(false)
  })
})

describe('string operators never match other types', () => {
  test.for([
    [{ prefix: '1' }, 123],
    [{ suffix: '3' }, 123],
    [{ 'equals-ignore-case': 'true' }, true],
    [{ wildcard: '*' }, 5],
    [{ cidr: '10.0.0.0/8' }, null],
    [{ prefix: '' }, null],
  ] as const)('%j vs %j', ([op, value]) => {
    expect(matches({ a: [op] }, { a: value })).toBe(false)
  })

  test('empty prefix and suffix match every string; wildcard "*" matches the empty string', () => {
    expect(matches({ a: [{ prefix: '' }] }, { a: '' })).toBe(true)
    expect(matches({ a: [{ suffix: '' }] }, { a: 'x' })).toBe(true)
    expect(matches({ a: [{ wildcard: '*' }] }, { a: '' })).toBe(true)
    expect(matches({ a: [{ wildcard: '' }] }, { a: 'x' })).toBe(false)
  })

  test('cidr ignores strings that are not IP literals', () => {
    for (const s of ['AWS Internal', 'kms.amazonaws.com', '10.0.0.1:443', '']) {
      expect(matches({ ip: [{ cidr: '0.0.0.0/1' }] }, { ip: s })).toBe(false)
    }
    expect(matches({ ip: [{ cidr: '0.0.0.0/1' }] }, { ip: '10.1.2.3' })).toBe(true)
  })
})

describe('numeric', () => {
  test('bounds are honoured as written', () => {
    const p = { n: [{ numeric: ['>', 0, '<=', 5] }] }
    expect([0, 0.000001, 5, 5.000001].map((n) => matches(p, { n }))).toEqual([false, true, true, false])
    expect(matches({ n: [{ numeric: ['>=', -1e300] }] }, { n: -1e300 })).toBe(true)
    expect(matches({ n: [{ numeric: ['=', 5] }] }, { n: 5.0 })).toBe(true)
  })

  test('only numbers match: not "300", not null, not booleans', () => {
    const p = { n: [{ numeric: ['>', 100] }] }
    expect(matches(p, { n: '300' })).toBe(false)
    expect(matches(p, { n: null })).toBe(false)
    expect(matches(p, { n: true })).toBe(false)
  })

  test('a range on an array needs one element inside both bounds', () => {
    const p = { n: [{ numeric: ['>', 0, '<', 10] }] }
    expect(matches(p, { n: [-1, 15] })).toBe(false)
    expect(matches(p, { n: [-1, 5] })).toBe(true)
  })
})

describe('anything-but', () => {
  test('a missing field never matches; a field of another type always does', () => {
    const p = { a: [{ 'anything-but': 'x' }] }
    expect(matches(p, {})).toBe(false)
    expect(matches(p, { a: {} })).toBe(false)
    expect(matches(p, { a: null })).toBe(true)
    expect(matches(p, { a: 1 })).toBe(true)
    expect(matches({ a: [{ 'anything-but': { wildcard: '*' } }] }, { a: false })).toBe(true)
  })

  test('numbers are excluded by value, and a string that looks like one is not excluded', () => {
    const p = { n: [{ 'anything-but': 123 }] }
    expect(matches(p, { n: 123.0 })).toBe(false)
    expect(matches(p, { n: '123' })).toBe(true)
  })

  test('an array matches when any element is not excluded; an empty array is no value at all', () => {
    const p = { a: [{ 'anything-but': 'x' }] }
    expect(matches(p, { a: ['x', 'y'] })).toBe(true)
    expect(matches(p, { a: ['x'] })).toBe(false)
    expect(matches(p, { a: [] })).toBe(false)
  })

  test('two anything-but entries are ORed, not intersected', () => {
    expect(matches({ a: [{ 'anything-but': 'a' }, { 'anything-but': 'b' }] }, { a: 'b' })).toBe(true)
  })

  test('every form excludes what it names', () => {
    expect(matches({ a: [{ 'anything-but': { prefix: ['init', 'post'] } }] }, { a: 'post-x' })).toBe(false)
    expect(matches({ a: [{ 'anything-but': { suffix: '.txt' } }] }, { a: 'a.txt' })).toBe(false)
    expect(matches({ a: [{ 'anything-but': { 'equals-ignore-case': ['X'] } }] }, { a: 'x' })).toBe(false)
    expect(matches({ a: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { a: 'a/lib/b' })).toBe(false)
    expect(matches({ a: [{ 'anything-but': { wildcard: '' } }] }, { a: '' })).toBe(false)
    expect(matches({ a: [{ 'anything-but': { prefix: [] } }] }, { a: 'x' })).toBe(true)
  })
})

describe('exists', () => {
  test('a leaf exists, null included; objects and empty arrays do not', () => {
    const yes = { a: [{ exists: true }] }
    const no = { a: [{ exists: false }] }
    expect([null, 'x', 0, false, [1], {}, [], { b: 1 }, [{}]].map((a) => matches(yes, { a }))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ])
    expect([null, {}, [], { b: 1 }].map((a) => matches(no, { a }))).toEqual([false, true, true, true])
  })

  test('a path under a scalar or missing parent is absent', () => {
    expect(matches({ a: { b: [{ exists: false }] } }, { a: 'str' })).toBe(true)
    expect(matches({ a: { b: [{ exists: false }] } }, {})).toBe(true)
    expect(matches({ a: { b: [{ exists: true }] } }, { a: 'str' })).toBe(false)
  })

  test('`[anything-but, exists:false]` means "missing or not X"', () => {
    const p = { a: [{ 'anything-but': 'X' }, { exists: false }] }
    expect(matches(p, {})).toBe(true)
    expect(matches(p, { a: 'Y' })).toBe(true)
    expect(matches(p, { a: 'X' })).toBe(false)
  })
})

describe('arrays of objects', () => {
  const people = {
    employees: [
      [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
      [{ firstName: 'Peter', lastName: 'Jones' }],
    ],
    dept: 'x',
  }

  test('fields must come from the same element of the same array', () => {
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, people)).toBe(true)
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, people)).toBe(false)
    expect(matches({ employees: { firstName: ['Anna'], lastName: [{ 'anything-but': 'Smith' }] } }, people)).toBe(false)
  })

  test('fields outside the array combine with any element', () => {
    expect(matches({ dept: ['x'], employees: { lastName: ['Jones'] } }, people)).toBe(true)
  })

  test('exists:false is judged in the elements the other fields picked', () => {
    const event = { a: [{ z: 1, c: 'y' }, { c: 'x' }] }
    // the same answer whatever the field is called (event-ruler's answer depends on key order)
    expect(matches({ a: { z: [{ exists: false }], c: ['x'] } }, event)).toBe(true)
    expect(matches({ a: { b: [{ exists: false }], c: ['x'] } }, { a: [{ b: 1, c: 'y' }, { c: 'x' }] })).toBe(true)
    expect(matches({ a: { z: [{ exists: false }], c: ['y'] } }, event)).toBe(false)
    // with nothing to pin an element, a leaf anywhere makes the field present
    expect(matches({ a: { z: [{ exists: false }] } }, event)).toBe(false)
  })
})

describe('keys and paths', () => {
  test('dotted keys and nesting are the same path, both ways', () => {
    expect(matches({ d: { 'a.b': ['x'] } }, { d: { a: { b: 'x' } } })).toBe(true)
    expect(matches({ d: { a: { b: ['x'] } } }, { d: { 'a.b': 'x' } })).toBe(true)
    expect(matches({ d: { a: { b: ['x'] } } }, { d: { a: { 'b.c': 'x' } } })).toBe(false)
    expect(matches({ 'a.b': ['y'] }, { 'a.b': 'x', a: { b: 'y' } })).toBe(true)
  })

  test('keys are case-sensitive and inherited properties are not fields', () => {
    expect(matches({ A: ['x'] }, { a: 'x' })).toBe(false)
    expect(matches({ constructor: [{ exists: true }] }, {})).toBe(false)
    expect(matches({ toString: [{ exists: false }] }, {})).toBe(true)
  })

  test('a JSON string holding JSON is just a string', () => {
    expect(matches({ d: { k: ['v'] } }, { d: '{"k":"v"}' })).toBe(false)
  })

  test('an event that is not an object matches nothing', () => {
    for (const e of [null, 'x', 1, [{ a: 'x' }]]) expect(matches({ a: [{ exists: false }] }, e)).toBe(false)
  })
})

describe('$or', () => {
  test('ORs sub-patterns at the level where it appears, ANDed with siblings', () => {
    const p = { source: ['s'], detail: { $or: [{ a: ['1'] }, { b: { $or: [{ c: ['2'] }, { d: ['3'] }] } }] } }
    expect(matches(p, { source: 's', detail: { a: '1' } })).toBe(true)
    expect(matches(p, { source: 's', detail: { b: { d: '3' } } })).toBe(true)
    expect(matches(p, { source: 't', detail: { a: '1' } })).toBe(false)
    expect(matches(p, { source: 's', detail: { b: { e: '3' } } })).toBe(false)
  })

  test('expands into the cross product of branches', () => {
    const ast = parseEventPattern({ $or: [{ a: ['1'] }, { b: ['2'] }], c: { $or: [{ d: ['3'] }, { e: ['4'] }, { f: ['5'] }] } })
    expect(expandSubRules(ast).map((r) => [...r.keys()])).toEqual([
      ['a', 'c.d'],
      ['b', 'c.d'],
      ['a', 'c.e'],
      ['b', 'c.e'],
      ['a', 'c.f'],
      ['b', 'c.f'],
    ])
  })

  test('a field named again in a branch replaces the earlier one, as AWS lets the last occurrence win', () => {
    const p = '{"a": ["x"], "$or": [{"a": ["y"]}, {"b": ["z"]}]}'
    expect(matches(p, { a: 'y' })).toBe(true)
    expect(matches(p, { a: 'x', b: 'z' })).toBe(true)
    expect(matches(p, { a: 'x' })).toBe(false)
  })
})

describe('indexKeys', () => {
  const keys = (p: Record<string, unknown>): unknown => compileEventPattern(p).indexKeys

  test('exact detail.eventSource / detail.eventName values, in either spelling of the path', () => {
    expect(keys({ detail: { eventSource: ['s3.amazonaws.com'], eventName: ['A', 'B'] } })).toEqual({
      eventSource: ['s3.amazonaws.com'],
      eventName: ['A', 'B'],
    })
    expect(keys({ 'detail.eventName': ['A'] })).toEqual({ eventSource: null, eventName: ['A'] })
  })

  test('the union over $or branches, or null when one branch leaves the field open', () => {
    expect(keys({ detail: { $or: [{ eventName: ['A'] }, { eventName: ['B'] }] } })).toMatchObject({ eventName: ['A', 'B'] })
    expect(keys({ detail: { $or: [{ eventName: ['A'] }, { userName: ['B'] }] } })).toMatchObject({ eventName: null })
  })

  test('null when any matcher is not an exact string', () => {
    expect(keys({ detail: { eventName: ['A', { prefix: 'Put' }] } })).toMatchObject({ eventName: null })
    expect(keys({ detail: { eventName: [{ 'anything-but': 'A' }] } })).toMatchObject({ eventName: null })
    expect(keys({ detail: { eventName: [{ exists: false }] } })).toMatchObject({ eventName: null })
  })
})
