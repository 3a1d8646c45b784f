import { describe, expect, it } from 'vitest'
import { UsageError } from '../../errors.js'
import { testEventPattern } from '../eventbridge/index.js'
import { MAX_JSON_DEPTH } from '../json-text.js'
import { NOT_JSON, parseJsonPreservingNumbers, RawNumber } from './raw-json.js'

describe('number-preserving JSON parser', () => {
  it('keeps the source text of numbers', () => {
    const v = parseJsonPreservingNumbers('{"a": [12.0, 1e-3, -0]}') as { a: RawNumber[] }
    expect(v.a.map((n) => n.raw)).toEqual(['12.0', '1e-3', '-0'])
    expect(v.a.map((n) => n.value)).toEqual([12, 0.001, -0])
  })

  it('decodes strings like JSON.parse', () => {
    const text = '{"s": "a\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00", "t": true, "f": false, "n": null}'
    expect({ ...(parseJsonPreservingNumbers(text) as object) }).toEqual(JSON.parse(text))
  })

  it('keeps __proto__ as an ordinary key and lets a repeated key win last', () => {
    const v = parseJsonPreservingNumbers('{"__proto__": "x", "k": "1", "k": "2"}') as Record<string, unknown>
    expect(Object.hasOwn(v, '__proto__')).toBe(true)
    expect(v['k']).toBe('2')
  })

  it('rejects exactly what JSON.parse rejects', () => {
    for (const bad of ['', '{', '{"a":1,}', '[1,]', '01', '1.', '.5', '+1', "{'a':1}", '"\t"', 'nul', '{"a":1} x', 'NaN']) {
      expect(() => JSON.parse(bad)).toThrow()
      expect(parseJsonPreservingNumbers(bad)).toBe(NOT_JSON)
    }
    for (const ok of [' {} ', '"x"', '0', '-1.5E+2', '[]', '\n[1,{"a":[null]}]\r\n']) {
      expect(parseJsonPreservingNumbers(ok)).not.toBe(NOT_JSON)
    }
  })
})

describe('one JSON reader for both languages', () => {
  it('refuses nesting deeper than the bound (or than the stack allows) as not JSON', () => {
    const nested = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`
    expect(parseJsonPreservingNumbers(nested(MAX_JSON_DEPTH + 1))).toBe(NOT_JSON)
    expect(parseJsonPreservingNumbers(nested(1000))).not.toBe(NOT_JSON)
    expect(parseJsonPreservingNumbers(nested(200_000))).toBe(NOT_JSON)
  })

  it('gives testEventPattern a usage error, not a stack overflow, on an event nested past the bound', () => {
    // The EventBridge reader once recursed without bound: a deep event threw RangeError out of testEventPattern.
    const event = `{"id":"1","account":"1","source":"s","time":"t","region":"r","detail-type":"d","detail":${'['.repeat(200_000)}${']'.repeat(200_000)}}`
    expect(() => testEventPattern({ source: ['s'] }, event)).toThrow(UsageError)
  })
})
