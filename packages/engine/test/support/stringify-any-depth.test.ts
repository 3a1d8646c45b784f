import { describe, expect, it } from 'vitest'
import { stringifyAnyDepth } from './stringify-any-depth.js'

describe('stringifyAnyDepth (test support)', () => {
  it('writes what JSON.stringify writes for parsed JSON, including the spellings it normalises', () => {
    for (const v of [
      JSON.parse('{"a":[1,-0,1e21,1E-7,"x\\u2028\\"\\ud800",{},[],null,true],"":{"__proto__":{"k":false}},"b":"\\u001b[2J"}'),
      { skipped: undefined, kept: [undefined, 2] },
      'plain',
      [],
    ])
      expect(stringifyAnyDepth(v)).toBe(JSON.stringify(v))
  })

  it('writes a value nested far deeper than JSON.stringify can', () => {
    const depth = 200_000
    const deep = JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown
    expect(() => JSON.stringify(deep)).toThrow(RangeError)
    expect(stringifyAnyDepth(deep)).toBe('['.repeat(depth) + ']'.repeat(depth))
  })
})
