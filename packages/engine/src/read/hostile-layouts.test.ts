import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { TrailscanError } from '../errors.js'
import type { LogObject } from '../source/log-object.js'
import { DECODE_DEFAULTS } from './decompress.js'
import { readRecords } from './records.js'
import { anchorCases, concatCases, layouts, parsedRecords } from '../../test/support/crafted-layouts.mjs'

/**
 * Whatever the layout, chunking or inflate path, the records read from the crafted inputs must be the records a
 * JSON parser sees, at the indexes it gives them.
 */

function objectOf(bytes: Buffer, chunk: number): LogObject {
  const parts: Buffer[] = []
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk))
  return { uri: 'mem://crafted', size: bytes.length, key: { kind: 'other' }, open: async () => Readable.from(parts) }
}

async function readAll(
  bytes: Buffer,
  oneShotBelow: number,
  chunk: number,
): Promise<{ records: [number, unknown][]; errors: TrailscanError[] }> {
  const records: [number, unknown][] = []
  const errors: TrailscanError[] = []
  await readRecords(
    objectOf(bytes, chunk),
    { ...DECODE_DEFAULTS, oneShotBelow },
    (r) => records.push([r.index, JSON.parse(r.json())]),
    (e) => errors.push(e),
  )
  return { records, errors }
}

const paths: [string, number, number][] = [
  ['one-shot', DECODE_DEFAULTS.oneShotBelow, 1 << 20],
  ['streamed in 7-byte chunks', 0, 7],
  ['streamed in 100-byte chunks', 0, 100],
]

describe.each(paths)('records a JSON parser sees, read %s', (_name, oneShotBelow, chunk) => {
  const cases = [
    ...Object.entries(anchorCases).flatMap(([name, records]) =>
      Object.entries(layouts(records)).map(([layout, bytes]) => [`${name} ${layout}`, bytes] as const),
    ),
    ...Object.entries(concatCases),
  ]
  it.each(cases)('%s', async (_case, bytes) => {
    const { records, errors } = await readAll(bytes, oneShotBelow, chunk)
    expect(errors).toEqual([])
    const expected = parsedRecords(bytes)
    expect(records).toEqual(expected.map((r, i) => [i, r]))
  })
})
