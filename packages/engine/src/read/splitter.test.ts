import { describe, expect, it } from 'vitest'
import { RecordSplitter, type SplitEvent } from './splitter.js'

function split(text: string, chunkSize = text.length || 1): SplitEvent[] {
  const events: SplitEvent[] = []
  const s = new RecordSplitter((e) => events.push(e))
  for (let i = 0; i < text.length; i += chunkSize) s.push(text.slice(i, i + chunkSize))
  s.end()
  return events
}

const recs = (events: SplitEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'record' ? [JSON.parse(e.text).eventID as string] : []))

const r = (id: string, extra = ''): string =>
  `{"eventVersion":"1.08","eventID":"${id}","requestParameters":{"policy":"{\\"a\\":\\"}\\\\\\"\\"}","list":[1,{"x":"]"}]}${extra}}`

describe('RecordSplitter', () => {
  it('splits a CloudTrail Records body into record texts', () => {
    const body = `{"Records":[${r('a')},${r('b')},${r('c')}]}`
    expect(recs(split(body))).toEqual(['a', 'b', 'c'])
  })

  it('gives the same records whatever the chunk boundaries, even inside strings and escapes', () => {
    const body = `{"Records":[${r('a')},${r('b')},${r('c')}]}`
    for (const size of [1, 2, 3, 7, 64]) expect(recs(split(body, size))).toEqual(['a', 'b', 'c'])
  })

  it('keeps each record text exactly as written', () => {
    const events = split(`{"Records":[${r('a')},${r('b')}]}`, 5)
    expect(events[0]).toMatchObject({ kind: 'record', index: 0, text: r('a') })
    for (const e of events) if (e.kind === 'record') expect(e.chunk.slice(e.start, e.start + e.text.length)).toBe(e.text)
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
    const events = split('')
    expect(events).toEqual([{ kind: 'fatal', offset: 0, reason: 'empty file (0 bytes)' }])
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
})
