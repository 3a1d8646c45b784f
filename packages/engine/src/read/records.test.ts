import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { TrailscanError } from '../errors.js'
import type { LogObject } from '../source/log-object.js'
import { DECODE_DEFAULTS, decodeRecord, type DecodeOptions } from './decompress.js'
import { readRecords, type RecordText } from './records.js'

function objectOf(bytes: Buffer, uri = 'mem://object'): LogObject {
  return { uri, size: bytes.length, key: { kind: 'other' }, open: async () => Readable.from([bytes]) }
}

function body(n: number, pad = 200): string {
  const recs = Array.from({ length: n }, (_, i) => JSON.stringify({ eventVersion: '1.08', eventID: `e${i}`, pad: 'x'.repeat(pad) }))
  return `{"Records":[${recs.join(',')}]}`
}

async function read(bytes: Buffer, opts: Partial<DecodeOptions> = {}) {
  const records: RecordText[] = []
  const errors: TrailscanError[] = []
  const result = await readRecords(
    objectOf(bytes),
    { ...DECODE_DEFAULTS, ...opts },
    (r) => records.push(r),
    (e) => errors.push(e),
  )
  return { records, errors, result }
}

const ids = (rs: RecordText[]): string[] => rs.map((r) => JSON.parse(decodeRecord(r.raw)).eventID as string)

describe.each([
  ['one-shot', DECODE_DEFAULTS.oneShotBelow],
  ['streamed', 0],
])('readRecords (%s inflate)', (_name, oneShotBelow) => {
  it('recognises gzip from the bytes, whatever the name', async () => {
    const { records, errors, result } = await read(gzipSync(body(3)), { oneShotBelow })
    expect(ids(records)).toEqual(['e0', 'e1', 'e2'])
    expect(errors).toEqual([])
    expect(result.stats.gzip).toBe(true)
  })

  it('gives back non-ASCII text exactly, whatever the chunk boundaries', async () => {
    const text = '{"Records":[{"eventVersion":"1.08","eventID":"é€😀","userAgent":"naïve – 日本"}]}'
    const { records } = await read(gzipSync(text), { oneShotBelow })
    expect(JSON.parse(decodeRecord(records[0]!.raw))).toEqual({ eventVersion: '1.08', eventID: 'é€😀', userAgent: 'naïve – 日本' })
  })

  it('reads plain JSON as it is', async () => {
    const { records, result } = await read(Buffer.from(body(2)), { oneShotBelow })
    expect(ids(records)).toEqual(['e0', 'e1'])
    expect(result.stats.gzip).toBe(false)
  })

  it('keeps the records before a truncation and reports the fault with the object and offset', async () => {
    const gz = gzipSync(body(400))
    const { records, errors, result } = await read(gz.subarray(0, Math.floor(gz.length * 0.6)), { oneShotBelow })
    expect(records.length).toBeGreaterThan(100)
    expect(records.length).toBeLessThan(400)
    expect(ids(records)).toEqual(records.map((_, i) => `e${i}`))
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(/gzip data is truncated or corrupt/)
    expect(errors[0]!.location).toMatchObject({ object: 'mem://object', recordIndex: records.length })
    expect(result.failed).toBe(true)
  })

  it('reports corrupt gzip data', async () => {
    const gz = Buffer.from(gzipSync(body(400)))
    for (let i = Math.floor(gz.length / 2); i < gz.length / 2 + 64; i++) gz[i] = gz[i]! ^ 0xff
    const { errors, result } = await read(gz, { oneShotBelow })
    expect(result.failed).toBe(true)
    expect(errors.some((e) => e.code === 'TRAILSCAN_SOURCE_READ' || e.code === 'TRAILSCAN_RECORD_PARSE')).toBe(true)
  })

  it('stops a gzip bomb at the decompressed-size cap with a clear error', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20))
    expect(bomb.length).toBeLessThan(100 * 1024)
    const { errors } = await read(bomb, { oneShotBelow, maxBytes: 1024 * 1024 })
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(/exceeds the cap of 1048576 bytes/)
  })

  it('says a 0-byte file is empty', async () => {
    const { errors } = await read(Buffer.alloc(0), { oneShotBelow })
    expect(errors.map((e) => e.message)).toEqual(['empty file (0 bytes)'])
  })
})

describe('readRecords', () => {
  it('reports a file that cannot be opened, naming it', async () => {
    const obj: LogObject = {
      uri: '/nope.json',
      size: 1,
      key: { kind: 'other' },
      open: async () => Promise.reject(new Error('ENOENT: no such file')),
    }
    const errors: TrailscanError[] = []
    const result = await readRecords(
      obj,
      DECODE_DEFAULTS,
      () => undefined,
      (e) => errors.push(e),
    )
    expect(result.failed).toBe(true)
    expect(errors[0]!.location?.object).toBe('/nope.json')
    expect(errors[0]!.message).toMatch(/ENOENT/)
  })

  it('delivers records of a large streamed object chunk by chunk, all of them', async () => {
    const { records } = await read(gzipSync(body(20_000, 100)), { oneShotBelow: 0 })
    expect(records).toHaveLength(20_000)
    expect(JSON.parse(records[19_999]!.raw).eventID).toBe('e19999')
  })
})
