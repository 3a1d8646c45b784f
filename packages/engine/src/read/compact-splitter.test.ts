import { describe, expect, it } from 'vitest'
import { CompactSplitter } from './compact-splitter.js'
import { RecordSplitter, type SplitEvent } from './splitter.js'

/** What a consumer sees, in order: records as [index, text], everything else as the event itself. */
type Seen = [number, string] | Exclude<SplitEvent, { kind: 'record' }>

function compact(bytes: Buffer, chunkSize = bytes.length || 1): { seen: Seen[]; fromBytes: number } {
  const seen: Seen[] = []
  let fromBytes = 0
  const s = new CompactSplitter(
    (buf, start, end, index) => {
      fromBytes++
      seen.push([index, buf.toString('latin1', start, end)])
    },
    (e) => seen.push(e.kind === 'record' ? [e.index, e.text] : e),
  )
  for (let i = 0; i < bytes.length; i += chunkSize) s.push(bytes.subarray(i, i + chunkSize))
  s.end()
  return { seen, fromBytes }
}

function general(bytes: Buffer): Seen[] {
  const seen: Seen[] = []
  const s = new RecordSplitter((e) => seen.push(e.kind === 'record' ? [e.index, e.text] : e))
  s.push(bytes.toString('latin1'))
  s.end()
  return seen
}

const rec = (id: string, extra = ''): string =>
  `{"eventVersion":"1.08","eventID":"${id}","eventName":"PutBucketAcl","requestParameters":{"policy":"{\\"eventVersion\\":\\"}\\\\\\"\\"}","list":[1,{"x":"]"}]}${extra}}`

const body = (...records: string[]): Buffer => Buffer.from(`{"Records":[${records.join(',')}]}`, 'utf8')

describe('CompactSplitter', () => {
  it('splits CloudTrail’s compact layout on the bytes, like the general splitter, whatever the chunks', () => {
    const bytes = body(rec('a'), rec('b', ',"userAgent":"naïve – 日本"'), rec('c'), rec('d'))
    const expected = general(bytes)
    expect(expected.map((e) => (Array.isArray(e) ? e[0] : e.kind))).toEqual([0, 1, 2, 3])
    for (const size of [1, 2, 5, 16, 17, 18, 29, 64, bytes.length]) {
      const { seen, fromBytes } = compact(bytes, size)
      expect(seen).toEqual(expected)
      // All but the last record come straight from the bytes; the last one is checked by the general splitter.
      expect(fromBytes).toBe(3)
    }
  })

  it.each([
    ['pretty-printed', Buffer.from(`{\n  "Records": [\n    ${rec('a')},\n    ${rec('b')}\n  ]\n}\n`)],
    ['another first key', Buffer.from(`{"Other":1,"Records":[${rec('a')},${rec('b')}]}`)],
    ['a bare array', Buffer.from(`[${rec('a')},${rec('b')}]`)],
    ['JSON Lines', Buffer.from(`${rec('a')}\n${rec('b')}\n`)],
    ['a digest', Buffer.from('{"digestStartTime":"2024-01-01T00:00:00Z","logFiles":[]}')],
    ['empty Records', Buffer.from('{"Records":[]}')],
    ['an empty object', Buffer.alloc(0)],
    ['a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body(rec('a'))])],
    ['trailing whitespace', Buffer.concat([body(rec('a'), rec('b')), Buffer.from('\n\n')])],
    ['keys after Records', Buffer.from(`{"Records":[${rec('a')},${rec('b')}],"More":{"x":[1]}}`)],
    ['a truncated body', body(rec('a'), rec('b'), rec('c')).subarray(0, 700)],
    ['a truncated last record', body(rec('a'), rec('b')).subarray(0, body(rec('a'), rec('b')).length - 9)],
    ['garbage after the object', Buffer.concat([body(rec('a')), Buffer.from('xyz')])],
    ['a record that does not end in } before the next one', Buffer.from(`{"Records":[${rec('a')},{"eventVersion":"1.08","x":[1,2,{"eventVersion":"2"},${rec('c')}]}`)],
    ['a record that is not an object', Buffer.from(`{"Records":[${rec('a')},42,${rec('c')}]}`)],
  ])('hands %s to the general splitter with the same records, errors and offsets', (_name, bytes) => {
    const expected = general(bytes)
    for (const size of [1, 3, 16, 40, bytes.length || 1]) expect(compact(bytes, size).seen).toEqual(expected)
  })

  it('counts records whichever splitter read them', () => {
    const s = new CompactSplitter(
      () => undefined,
      () => undefined,
    )
    s.push(body(rec('a'), rec('b'), rec('c')))
    expect(s.recordCount).toBe(2)
    s.end()
    expect(s.recordCount).toBe(3)
  })
})
