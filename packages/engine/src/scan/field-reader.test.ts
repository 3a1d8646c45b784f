import { describe, expect, it } from 'vitest'
import { FieldReader, OTHER } from './field-reader.js'

const rec = (name: string, tail = ''): string => `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"${name}"${tail}}`

function readAll(reader: FieldReader, records: string[]): (string | undefined)[] {
  const buf = Buffer.from(records.join(','), 'utf8')
  const out: (string | undefined)[] = []
  let start = 0
  for (const r of records) {
    const end = start + Buffer.byteLength(r)
    out.push(reader.read(buf, start, end))
    start = end + 1
  }
  return out
}

describe('FieldReader', () => {
  const names = new FieldReader('eventName', ['PutBucketAcl', 'ConsoleLogin', 'Löschen', 'Say"Hi'])

  it('answers with the known value, or OTHER for any other plain value', () => {
    expect(readAll(names, [rec('PutBucketAcl'), rec('GetObject'), rec('ConsoleLogin'), rec('PutBucketAc'), rec('PutBucketAclX')])).toEqual([
      'PutBucketAcl',
      OTHER,
      'ConsoleLogin',
      OTHER,
      OTHER,
    ])
  })

  it('reads UTF-8 values byte for byte', () => {
    expect(readAll(names, [rec('Löschen'), rec('Loschen')])).toEqual(['Löschen', OTHER])
  })

  it('gives up (undefined: parse the record) on escapes and on a record without the field', () => {
    const noName = '{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"}'
    expect(readAll(names, [rec('Say\\"Hi'), rec('Put\\u0042ucketAcl'), noName, rec('PutBucketAcl')])).toEqual([
      undefined,
      undefined,
      undefined,
      'PutBucketAcl',
    ])
  })

  it('reads the first occurrence, the record’s own, not a nested one', () => {
    const r = rec('ConsoleLogin', ',"requestParameters":{"eventName":"PutBucketAcl"}')
    expect(readAll(names, [r])).toEqual(['ConsoleLogin'])
  })
})
