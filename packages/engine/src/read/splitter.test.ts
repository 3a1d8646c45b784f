import { describe, expect, it } from 'vitest'
import { RecordSplitter, type SplitEvent, type SplitOptions } from './splitter.js'

function split(input: string | Buffer, chunkSize?: number, opts?: SplitOptions): SplitEvent[] {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input
  const size = chunkSize ?? (bytes.length || 1)
  const events: SplitEvent[] = []
  const s = new RecordSplitter((e) => events.push(e), opts)
  for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size))
  s.end()
  return events
}

const textOf = (e: SplitEvent): string => (e.kind === 'record' ? e.bytes.toString('utf8', e.start, e.end) : '')
const recs = (events: SplitEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'record' ? [JSON.parse(textOf(e)).eventID as string] : []))
const others = (events: SplitEvent[]): SplitEvent[] => events.filter((e) => e.kind !== 'record')

const r = (id: string, extra = ''): string =>
  `{"eventVersion":"1.08","eventID":"${id}","requestParameters":{"policy":"{\\"a\\":\\"}\\\\\\"\\"}","list":[1,{"x":"]"}]}${extra}}`

describe('RecordSplitter', () => {
  it('accepts zero padding after a document, and still reads a document after it', () => {
    const body = `{"Records":[${r('a')}]}\n\0\0\0\0`
    for (const size of [1, 5, body.length]) {
      const events = split(body, size)
      expect(recs(events)).toEqual(['a'])
      expect(others(events)).toEqual([])
    }
    expect(recs(split(`{"Records":[${r('a')}]}\0\0{"Records":[${r('b')}]}`))).toEqual(['a', 'b'])
  })

  it('reads both arrays of a document with two "Records" keys, and reports it (JSON.parse keeps only the last)', () => {
    const body = `{"Records":[${r('a')}],"Records":[${r('b')},${r('c')}]}`
    for (const size of [3, body.length]) {
      const events = split(body, size)
      expect(recs(events)).toEqual(['a', 'b', 'c'])
      expect(others(events)).toEqual([
        { kind: 'fault', offset: body.indexOf('],"Records":[') + 12, reason: expect.stringMatching(/second "Records" array/) },
      ])
    }
    // Documents back to back each have their own Records: not a duplicate.
    expect(others(split(`{"Records":[${r('a')}]}{"Records":[${r('b')}]}`))).toEqual([])
  })

  it('splits a CloudTrail Records body into record texts', () => {
    const body = `{"Records":[${r('a')},${r('b')},${r('c')}]}`
    expect(recs(split(body))).toEqual(['a', 'b', 'c'])
  })

  it('gives the same records whatever the chunk boundaries, even inside strings and escapes', () => {
    const body = `{"Records":[${r('a')},${r('b')},${r('c')}]}`
    for (const size of [1, 2, 3, 7, 64]) expect(recs(split(body, size))).toEqual(['a', 'b', 'c'])
  })

  it('keeps each record text exactly as written', () => {
    const events = split(`{"Records":[${r('a')},${r('b', ',"userAgent":"naïve – 日本"')}]}`, 5)
    expect(events.map(textOf)).toEqual([r('a'), r('b', ',"userAgent":"naïve – 日本"')])
    expect(events.map((e) => (e as { index: number }).index)).toEqual([0, 1])
  })

  it('reads long strings, whose ends are found natively, exactly: escapes, brackets and anchors inside them', () => {
    const long = `${'u'.repeat(30)}"],{"eventVersion":${'v'.repeat(40)}\\`
    const body = `{"Records":[${r('a', `,"userAgent":${JSON.stringify(long)}`)},${r('b', `,"x":"${'w'.repeat(100)}"`)}]}`
    for (const size of [1, 13, 31, 64, body.length]) expect(recs(split(body, size))).toEqual(['a', 'b'])
    expect(JSON.parse(textOf(split(body)[0]!)).userAgent).toBe(long)
  })

  it('finds a line break deep in a long string', () => {
    const text = `${r('a', `,"userAgent":"${'u'.repeat(60)}`)}\n${r('b')}\n`
    for (const size of [7, text.length]) {
      const events = split(text, size)
      expect(recs(events)).toEqual(['b'])
      expect(others(events)).toEqual([
        expect.objectContaining({ kind: 'bad-record', index: 0, reason: expect.stringMatching(/line break/) }),
      ])
    }
  })

  it('reads pretty-printed bodies and other top-level keys in any order', () => {
    const body = `{\n  "Other": {"Records": [1]},\n  "Records": [\n    ${r('a')} ,\n    ${r('b')}\n  ]\n}\n`
    expect(recs(split(body, 3))).toEqual(['a', 'b'])
  })

  it('reads a bare JSON array of records', () => {
    expect(recs(split(`[${r('a')}, ${r('b')}]`, 4))).toEqual(['a', 'b'])
  })

  it('reads JSON Lines, one record per line', () => {
    expect(recs(split(`${r('a')}\n${r('b')}\n\n${r('c')}\n`, 6))).toEqual(['a', 'b', 'c'])
  })

  it('reports elements that are not objects by index and carries on', () => {
    const events = split(`{"Records":[${r('a')},42,"x",null,${r('b')}]}`)
    expect(recs(events)).toEqual(['a', 'b'])
    const bad = events.filter((e) => e.kind === 'bad-record')
    expect(bad.map((e) => (e as { index: number }).index)).toEqual([1, 2, 3])
    expect(events.filter((e) => e.kind === 'record').map((e) => (e as { index: number }).index)).toEqual([0, 4])
  })

  it('recognises a digest file and emits no records', () => {
    const events = split('{"awsAccountId":"111122223333","digestStartTime":"2024-01-01T00:00:00Z","logFiles":[{"s3Object":"x"}]}')
    expect(events).toEqual([{ kind: 'digest' }])
  })

  it('reports an object with no Records and no event fields', () => {
    const events = split('{"hello":"world"}')
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ kind: 'bad-record', index: 0 })
  })

  it('reports a truncated body with the index of the unfinished record, after the complete ones', () => {
    const body = `{"Records":[${r('a')},${r('b')},${r('c')}]}`
    const cut = body.slice(0, body.indexOf('"c"') + 10)
    const events = split(cut, 9)
    expect(recs(events)).toEqual(['a', 'b'])
    expect(events.at(-1)).toMatchObject({ kind: 'fatal', recordIndex: 2 })
  })

  it('says a file with no JSON is not JSON, with the offset', () => {
    const events = split('  hello, this is text')
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ kind: 'fatal', offset: 2 })
    expect((events[0] as { reason: string }).reason).toMatch(/not JSON/)
  })

  it('says an empty file is empty', () => {
    expect(split('')).toEqual([{ kind: 'fatal', offset: 0, reason: 'empty file (0 bytes)' }])
  })

  it('rejects a Records value that is not an array', () => {
    expect(split('{"Records":{"a":1}}')[0]).toMatchObject({ kind: 'fatal', reason: '"Records" is not an array' })
  })

  it('accepts an empty Records array', () => {
    expect(split('{"Records":[]}')).toEqual([])
  })

  it('skips a UTF-8 byte order mark', () => {
    expect(recs(split(`\ufeff{"Records":[${r('a')}]}`))).toEqual(['a'])
  })

  it('still reports garbage after the Records object as the end of the object', () => {
    const events = split(`{"Records":[${r('a')}]}xyz`)
    expect(recs(events)).toEqual(['a'])
    expect(others(events)).toEqual([expect.objectContaining({ kind: 'fatal', reason: expect.stringMatching(/found "xyz"/) })])
  })
})

describe('RecordSplitter on records that are not JSON', () => {
  it('ends an object with unbalanced brackets in bounded time, naming the record and its offset', () => {
    for (const size of [1, 5, 1000]) {
      const events = split('{"Records":[{"eventName":"X","a":[1,}]}', size)
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({ kind: 'bad-record', index: 0, offset: 12 })
      expect((events[0] as { reason: string }).reason).toMatch(/unbalanced brackets.*offset 36/)
    }
  })

  it('reports a malformed record between good ones and keeps the records after it, with their own indexes', () => {
    const bad = r('b').replace('"list":[1,', '"list":[1,}')
    const body = `{"Records":[${r('a')},${bad},${r('c')},${r('d')}]}`
    for (const size of [3, 64, body.length]) {
      const events = split(body, size)
      expect(recs(events)).toEqual(['a', 'c', 'd'])
      expect(events.filter((e) => e.kind === 'record').map((e) => (e as { index: number }).index)).toEqual([0, 2, 3])
      expect(others(events)).toEqual([expect.objectContaining({ kind: 'bad-record', index: 1, offset: body.indexOf(bad) })])
    }
  })

  it('reports a record whose keys and values are out of order, as a hole through two strings leaves it', () => {
    for (const [broken, reason] of [
      ['"eventSource":"cloudtrail.amagion":"us-east-1"', /expected "," or a closing bracket/],
      ['"a":[1:2]', /":" out of place/],
      ['"eventSource" "x"', /expected ":" after a key/],
      ['"eventSource":"x" "y":1', /expected "," or a closing bracket/],
    ] as const) {
      const body = `{"Records":[${r('a')},{"eventVersion":"1.08",${broken},"eventID":"b"},${r('c')}]}`
      const events = split(body, 9)
      expect(recs(events)).toEqual(['a', 'c'])
      expect(others(events)).toEqual([expect.objectContaining({ kind: 'bad-record', index: 1, reason: expect.stringMatching(reason) })])
    }
  })

  it('resynchronises a pretty-printed body at the next record written at the same indent', () => {
    const record = (id: string): object => ({
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/m', accountId: '111122223333' },
      eventTime: '2024-05-14T16:05:37Z',
      eventName: 'DescribeInstances',
      requestParameters: { filterSet: { items: [{ name: 'x' }, { name: 'y' }] } },
      eventID: id,
    })
    const text = JSON.stringify({ Records: ['a', 'b', 'c', 'd'].map(record) }, null, 2)
    // 100 bytes cut out of record b before its eventID, as a damaged disk or a bad copy leaves it.
    const at = text.indexOf('"eventID": "b"')
    const holed = text.slice(0, at - 300) + text.slice(at - 200)
    for (const size of [7, holed.length]) {
      const events = split(holed, size)
      expect(recs(events)).toEqual(['a', 'c', 'd'])
      expect(events.filter((e) => e.kind === 'record').map((e) => (e as { index: number }).index)).toEqual([0, 2, 3])
      expect(others(events)).toEqual([expect.objectContaining({ kind: 'bad-record', index: 1 })])
    }
  })

  it('resynchronises JSON Lines at the next line after a torn one', () => {
    const lines = ['a', 'b', 'c', 'd', 'e'].map((id) => r(id))
    lines[1] = lines[1]!.slice(0, 40)
    const text = lines.join('\n') + '\n'
    for (const size of [4, text.length]) {
      const events = split(text, size)
      expect(recs(events)).toEqual(['a', 'c', 'd', 'e'])
      expect(events.filter((e) => e.kind === 'record').map((e) => (e as { index: number }).index)).toEqual([0, 2, 3, 4])
      expect(others(events)).toEqual([expect.objectContaining({ kind: 'bad-record', index: 1, offset: lines[0]!.length + 1 })])
    }
  })

  it('resynchronises JSON Lines when a line is torn between two keys', () => {
    const lines = ['a', 'b', 'c'].map((id) => r(id))
    lines[1] = lines[1]!.slice(0, lines[1]!.indexOf('"requestParameters"'))
    const events = split(lines.join('\n'), 5)
    expect(recs(events)).toEqual(['a', 'c'])
    expect(others(events)).toEqual([expect.objectContaining({ kind: 'bad-record', index: 1 })])
  })

  it('reports a bad last record and the span it lost when no boundary follows', () => {
    const body = `{"Records":[${r('a')},{"eventVersion":"1.08","x":[}]}`
    const events = split(body, 6)
    expect(recs(events)).toEqual(['a'])
    const bad = others(events)
    expect(bad).toEqual([
      expect.objectContaining({ kind: 'bad-record', index: 1, offset: body.indexOf(',{"eventVersion":"1.08","x"') + 1 }),
    ])
    expect((bad[0] as { reason: string }).reason).toMatch(new RegExp(`skipped, reading on from the end of the data`))
  })

  it('reports a record longer than the limit with its index and offset and reads the next one', () => {
    const big = r('big', `,"userAgent":"${'A'.repeat(5000)}"`)
    const body = `{"Records":[${r('a')},${big},${r('c')}]}`
    for (const size of [100, body.length]) {
      const events = split(body, size, { maxRecordBytes: 1000 })
      expect(recs(events)).toEqual(['a', 'c'])
      expect(others(events)).toEqual([
        expect.objectContaining({
          kind: 'bad-record',
          index: 1,
          offset: body.indexOf(big),
          reason: expect.stringMatching(/more than the 1000/),
        }),
      ])
    }
  })

  it('reads an endless string in linear time, and says where it ends', () => {
    const chunk = Buffer.alloc(1 << 16, 0x41)
    const events: SplitEvent[] = []
    // The limit keeps the test small in memory; the bytes are still walked to the end.
    const s = new RecordSplitter((e) => events.push(e), { maxRecordBytes: 1 << 24 })
    const t0 = performance.now()
    s.push(Buffer.from('{"Records":[{"eventVersion":"1.08","eventName":"DescribeInstances","x":"'))
    // 128 MB: re-copying the open record for each chunk (as before) would move 128 GB.
    for (let i = 0; i < 2048; i++) s.push(chunk)
    s.end()
    expect(performance.now() - t0).toBeLessThan(10_000)
    expect(events).toEqual([expect.objectContaining({ kind: 'fatal', recordIndex: 0, reason: 'unexpected end of data inside record 0' })])
  })
})
