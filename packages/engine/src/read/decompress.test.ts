import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { SourceReadError, type TrailscanError } from '../errors.js'
import type { LogObject } from '../source/log-object.js'
import { DECODE_DEFAULTS, decodeObject, decodeRecord, type DecodeStats } from './decompress.js'
import { readRecords, type RecordText } from './records.js'

/** An object whose stream delivers `bytes` in pieces of `piece` bytes. */
function objectOf(bytes: Buffer, piece = 64 * 1024): LogObject {
  const pieces = (function* () {
    for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece)
  })()
  return { uri: 'mem://object', size: bytes.length, key: { kind: 'other' }, open: async () => Readable.from(pieces) }
}

function doc(n: number, pad = 500): Buffer {
  const recs = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ eventVersion: '1.08', eventName: 'StopLogging', eventID: `e${i}`, pad: `${i}`.padEnd(pad, 'x') }),
  )
  return Buffer.from(`{"Records":[${recs.join(',')}]}`)
}

async function read(bytes: Buffer, oneShotBelow: number, piece?: number) {
  const records: RecordText[] = []
  const errors: TrailscanError[] = []
  const result = await readRecords(
    objectOf(bytes, piece),
    { ...DECODE_DEFAULTS, oneShotBelow },
    (r) => records.push(r),
    (e) => errors.push(e),
  )
  return { ids: records.map((r) => JSON.parse(decodeRecord(r.raw)).eventID as string), errors, result }
}

const all = (n: number): string[] => Array.from({ length: n }, (_, i) => `e${i}`)
const gz = gzipSync(doc(200))
const text = doc(200)
const flipped = (b: Buffer, at: number): Buffer => {
  const c = Buffer.from(b)
  c[at] = c[at]! ^ 0xff
  return c
}

describe.each([
  ['one-shot', DECODE_DEFAULTS.oneShotBelow],
  ['streamed', 0],
])('gzip trailer faults (%s inflate)', (_name, oneShotBelow) => {
  it('keeps every record when the CRC-32 is wrong, and says where the trailer is', async () => {
    const { ids, errors, result } = await read(flipped(gz, gz.length - 8), oneShotBelow)
    expect(ids).toEqual(all(200))
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toBe(
      `gzip fault after ${text.length} decompressed bytes: the CRC-32 of gzip member 1 does not match its trailer at stored byte ${gz.length - 8} (incorrect data check); 200 records before the fault were scanned`,
    )
    expect(errors[0]!.location).toMatchObject({ object: 'mem://object', offset: text.length, recordIndex: 200 })
    expect(result.failed).toBe(true)
  })

  it('keeps every record when ISIZE is wrong', async () => {
    const { ids, errors } = await read(flipped(gz, gz.length - 1), oneShotBelow)
    expect(ids).toEqual(all(200))
    expect(errors.map((e) => e.message)).toEqual([
      `gzip fault after ${text.length} decompressed bytes: the length of gzip member 1 does not match its trailer at stored byte ${gz.length - 4} (incorrect length check); 200 records before the fault were scanned`,
    ])
  })

  it('keeps every record before trailing garbage and reports the garbage with its stored offset', async () => {
    const { ids, errors } = await read(Buffer.concat([gz, Buffer.from('NOTGZIP')]), oneShotBelow)
    expect(ids).toEqual(all(200))
    expect(errors.map((e) => e.message)).toEqual([
      `gzip fault after ${text.length} decompressed bytes: trailing garbage at stored byte ${gz.length}, after the last gzip member (ignored, as gzip -d does); 200 records before the fault were scanned`,
    ])
    expect(errors[0]!.location?.offset).toBe(text.length)
  })

  it('keeps every record of earlier members when a later one fails its CRC', async () => {
    const first = gzipSync(text.subarray(0, 30_000))
    const second = gzipSync(text.subarray(30_000))
    const { ids, errors } = await read(Buffer.concat([first, flipped(second, second.length - 5)]), oneShotBelow)
    expect(ids).toEqual(all(200))
    expect(errors[0]!.message).toMatch(
      new RegExp(
        `^gzip fault after ${text.length} decompressed bytes: the CRC-32 of gzip member 2 does not match its trailer at stored byte ${first.length + second.length - 8} `,
      ),
    )
  })

  it('accepts trailing zero padding without an error, also when a chunk ends inside the trailer', async () => {
    for (const piece of [5, 4096, 1 << 20]) {
      const { ids, errors, result } = await read(Buffer.concat([gz, Buffer.alloc(1000)]), oneShotBelow, piece)
      expect(ids).toEqual(all(200))
      expect(errors).toEqual([])
      expect(result.failed).toBe(false)
    }
  })

  it('reads a header with a file name, comment, extra field and header CRC', async () => {
    const plain = gzipSync(text)
    // FLG = FHCRC | FEXTRA | FNAME | FCOMMENT; the header CRC is not checked (gzip -d does not either).
    const header = Buffer.concat([
      plain.subarray(0, 3),
      Buffer.from([0x1e]),
      plain.subarray(4, 10),
      Buffer.from([3, 0, 1, 2, 3]),
      Buffer.from('a.json\0note\0'),
      Buffer.from([0, 0]),
    ])
    const withFields = Buffer.concat([header, plain.subarray(10)])
    const { ids, errors } = await read(flipped(withFields, withFields.length - 8), oneShotBelow, 3)
    expect(ids).toEqual(all(200))
    expect(errors[0]!.message).toMatch(/CRC-32 of gzip member 1 does not match its trailer at stored byte \d+/)
  })

  it('still reports a truncation after the bytes inflated before it, with their offset', async () => {
    const { ids, errors } = await read(gz.subarray(0, gz.length - 100), oneShotBelow)
    expect(ids.length).toBeGreaterThan(150)
    expect(ids).toEqual(all(ids.length))
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(
      /^gzip data is truncated or corrupt after \d+ decompressed bytes \(unexpected end of file in gzip member 1 at stored byte \d+\)/,
    )
    expect(errors[0]!.location?.offset).toBeGreaterThan(ids.length * 500)
  })
})

describe('decodeObject, streamed', () => {
  it('loses nothing of a multi-megabyte object whose CRC is wrong (the stream inflates 1 MiB per output chunk)', async () => {
    const big = doc(12_000)
    const bad = flipped(gzipSync(big), gzipSync(big).length - 6)
    const stats: DecodeStats = { storedBytes: 0, decodedBytes: 0, gzip: false }
    const out: Buffer[] = []
    let error: unknown
    try {
      for await (const chunk of decodeObject(objectOf(bad), { ...DECODE_DEFAULTS, oneShotBelow: 0 }, stats)) out.push(chunk)
    } catch (err) {
      error = err
    }
    expect(Buffer.concat(out).equals(big)).toBe(true)
    expect(stats).toEqual({ storedBytes: bad.length, decodedBytes: big.length, gzip: true })
    expect((error as Error).message).toMatch(/CRC-32 of gzip member 1 does not match/)
  })

  it('passes a fault of the source itself through as it came', async () => {
    const gz = gzipSync(doc(2000))
    const failed = new SourceReadError('body cut and the resume failed', { location: { object: 'mem://object' } })
    const source = (async function* () {
      yield gz.subarray(0, 5000)
      throw failed
    })()
    const obj: LogObject = { uri: 'mem://object', size: gz.length, key: { kind: 'other' }, open: async () => Readable.from(source) }
    const stats: DecodeStats = { storedBytes: 0, decodedBytes: 0, gzip: false }
    await expect(async () => {
      for await (const _ of decodeObject(obj, { ...DECODE_DEFAULTS, oneShotBelow: 0 }, stats)) void _
    }).rejects.toBe(failed)
  })

  it('still stops at the size cap', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20))
    const stats: DecodeStats = { storedBytes: 0, decodedBytes: 0, gzip: false }
    await expect(async () => {
      for await (const _ of decodeObject(objectOf(bomb), { maxBytes: 3 * 1024 * 1024, oneShotBelow: 0 }, stats)) void _
    }).rejects.toThrow(/exceeds the cap of 3145728 bytes/)
  })
})
