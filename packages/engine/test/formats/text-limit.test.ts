import { describe, expect, it } from 'vitest'
import { limitedJson, limitText, TRUNCATED_MARK } from '../../src/emit/formats/text-limit.js'

describe('limitText', () => {
  it('keeps text that fits and cuts longer text to the limit, marker included', () => {
    expect(limitText('abc', 3)).toBe('abc')
    const cut = limitText('a'.repeat(100), 20)
    expect(cut).toHaveLength(20)
    expect(cut.endsWith(TRUNCATED_MARK)).toBe(true)
  })

  it('never leaves half a surrogate pair', () => {
    const cut = limitText('😀'.repeat(50), 20)
    expect(cut.length).toBeLessThanOrEqual(20)
    expect(Buffer.from(cut).toString()).toBe(cut)
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut)).toBe(false)
  })
})

describe('limitedJson', () => {
  it('is JSON.stringify when the text fits', () => {
    const v = { a: [1, 'x', null, { b: true }], c: 'q"\n', d: undefined }
    expect(limitedJson(v, 1000)).toBe(JSON.stringify(v))
  })

  it('stops reading once past the limit, so no value is too large to write', () => {
    // A million-character string of control characters is 6 M characters of JSON; a million elements of it would be far
    // past V8's longest string, where JSON.stringify throws. Only the elements before the limit are read.
    const ctl = '\u0001'.repeat(1_000_000)
    let read = 0
    const many = new Proxy(new Array<string>(1_000_000).fill(ctl), {
      get: (t, k, r) => (typeof k === 'string' && /^\d+$/.test(k) && read++, Reflect.get(t, k, r) as unknown),
    })
    const out = limitedJson({ many, big: ctl }, 2048)
    expect(out).toHaveLength(2048)
    expect(out.startsWith('{"many":["\\u0001\\u0001')).toBe(true)
    expect(out.endsWith(TRUNCATED_MARK)).toBe(true)
    expect(read).toBe(1)
  })
})
