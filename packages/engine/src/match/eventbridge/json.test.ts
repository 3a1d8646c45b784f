import { describe, expect, test } from 'vitest'
import { JsonSyntaxError, nodeFromValue, parseJson, valueFromNode } from './json.js'
import { JsonNumberText } from './numbers.js'

describe('parseJson', () => {
  test('keeps duplicate keys in text order and number text verbatim', () => {
    const node = parseJson('{"a": 1.50, "a": [true, null, "x\\u00e9"]}')
    expect(node).toEqual({
      kind: 'object',
      offset: 0,
      entries: [
        ['a', { kind: 'number', text: '1.50', offset: 6 }],
        [
          'a',
          {
            kind: 'array',
            offset: 17,
            items: [
              { kind: 'true', offset: 18 },
              { kind: 'null', offset: 24 },
              { kind: 'string', value: 'xé', offset: 30 },
            ],
          },
        ],
      ],
    })
  })

  test.for([
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['[01]', 2],
    ['{"a": "b"} x', 11],
    ['"\\x"', 1],
    ['"abc', 0],
    ['', 0],
    ["{'a': 1}", 1],
  ] as const)('rejects %j at offset %i', ([text, offset]) => {
    let caught: unknown
    try {
      parseJson(text)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(JsonSyntaxError)
    expect((caught as JsonSyntaxError).offset).toBe(offset)
  })
})

describe('valueFromNode', () => {
  test('numbers that are not exactly a float64 stay text; the last duplicate key wins', () => {
    const v = valueFromNode(parseJson('{"n": 12345678901234567891, "m": 3.0e2, "k": 1, "k": 2}')) as Record<string, unknown>
    expect(v['n']).toEqual(new JsonNumberText('12345678901234567891'))
    expect(v['m']).toBe(300)
    expect(v['k']).toBe(2)
  })

  test('a "__proto__" key is plain data, as with JSON.parse', () => {
    const v = valueFromNode(parseJson('{"__proto__": {"x": 1}}')) as Record<string, unknown>
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype)
    expect(Object.keys(v)).toEqual(['__proto__'])
  })
})

describe('nodeFromValue', () => {
  test('refuses values JSON cannot carry', () => {
    expect(() => nodeFromValue({ a: [Number.NaN] })).toThrow(/not a JSON number/)
    expect(() => nodeFromValue({ a: undefined })).toThrow(/undefined is not a JSON value/)
  })
})
