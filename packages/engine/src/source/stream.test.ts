import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { DECODE_DEFAULTS } from '../read/decompress.js'
import { readRecords } from '../read/records.js'
import { streamObject } from './stream.js'

const doc = JSON.stringify({
  Records: [
    { eventVersion: '1.08', eventName: 'StopLogging', eventID: 'a' },
    { eventVersion: '1.08', eventName: 'X', eventID: 'b' },
  ],
})

async function read(chunks: Buffer[], maxBytes = DECODE_DEFAULTS.maxBytes): Promise<{ records: number; errors: string[] }> {
  const errors: string[] = []
  const r = await readRecords(
    streamObject('-', Readable.from(chunks)),
    { ...DECODE_DEFAULTS, maxBytes },
    () => {},
    (e) => errors.push(e.message),
  )
  return { records: r.records, errors }
}

describe('streamObject', () => {
  it("reads a plain or gzipped stream, also when gzip's first byte arrives alone", async () => {
    expect(await read([Buffer.from(doc)])).toEqual({ records: 2, errors: [] })
    const gz = gzipSync(doc)
    expect(await read([gz.subarray(0, 1), gz.subarray(1, 5), gz.subarray(5)])).toEqual({ records: 2, errors: [] })
  })

  it('is capped like any object, and can be opened once', async () => {
    const r = await read([Buffer.alloc(3000, 0x20)], 1000)
    expect(r.errors).toEqual([expect.stringMatching(/decompressed size exceeds the cap of 1000 bytes/)])
    const o = streamObject('-', Readable.from([Buffer.from(doc)]))
    await o.open()
    await expect(o.open()).rejects.toThrow(/read only once/)
  })
})
