import { describe, expect, it } from 'vitest'
import { ABSENT, RAW_FIELDS, UNKNOWN, type FieldValue, type RawField } from '../rule/field-test.js'
import { RawFieldReader } from './raw-fields.js'

const CT = '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"a"},"eventSource":"s3.amazonaws.com"'
const rec = (tail: string): string => `${CT},${tail}}`

/** Reads `field` of every record, laid out one after another in one buffer as the byte splitter delivers them. */
function readAll(records: readonly string[], field: RawField, reader = new RawFieldReader()): FieldValue[] {
  const buf = Buffer.from(records.join(','), 'utf8')
  const fields = reader.forObject()
  const out: FieldValue[] = []
  let start = 0
  for (const r of records) {
    const end = start + Buffer.byteLength(r)
    out.push(fields.setBytes(buf, start, end).get(field))
    start = end + 1
  }
  return out
}

const readText = (text: string, field: RawField): FieldValue => new RawFieldReader().forObject().setText(text).get(field)

describe('RecordFields on CloudTrail’s compact layout', () => {
  it('reads plain string values, UTF-8 included, and gives the same string object for the same bytes', () => {
    const reader = new RawFieldReader()
    const names = readAll([rec('"eventName":"PutBucketAcl"'), rec('"eventName":"Löschen"'), rec('"eventName":"PutBucketAcl"')], 'eventName', reader)
    expect(names).toEqual(['PutBucketAcl', 'Löschen', 'PutBucketAcl'])
    expect(readAll([rec('"eventName":"PutBucketAcl"')], 'eventName', reader)[0]).toBe(names[0])
  })

  it('reads the first occurrence, the record’s own, not a nested one after it', () => {
    expect(readAll([rec('"eventName":"A","requestParameters":{"eventName":"B","sourceIPAddress":"10.0.0.1"},"sourceIPAddress":"192.0.2.1"')], 'eventName')).toEqual(['A'])
  })

  it('tells a field the record lacks (ABSENT) from one it cannot read (UNKNOWN)', () => {
    const records = [
      rec('"eventName":"A"'),
      rec('"eventName":"Say\\"Hi"'),
      rec('"eventName":"Put\\u0042ucketAcl"'),
      rec('"eventName":["A"]'),
      rec('"eventName":12'),
      rec('"eventName":"B"'),
    ]
    expect(readAll(records, 'eventName')).toEqual(['A', UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 'B'])
    expect(readAll(records, 'errorCode')).toEqual(records.map(() => ABSENT))
  })

  it('finds a field after records without it, and not in the record after', () => {
    const records = [rec('"eventName":"A"'), rec('"eventName":"B"'), rec('"eventName":"C","errorCode":"AccessDenied"'), rec('"eventName":"D"')]
    expect(readAll(records, 'errorCode')).toEqual([ABSENT, ABSENT, 'AccessDenied', ABSENT])
  })

  it('trusts an errorCode only before requestParameters, where nested ones begin', () => {
    const records = [
      rec('"errorCode":"AccessDenied","requestParameters":{"errorCode":"x"}'),
      rec('"requestParameters":{"items":[{"errorCode":"Throttled"}]}'),
      rec('"requestParameters":null,"responseElements":null'),
      rec('"requestParameters":null,"errorCode":"Late"'),
    ]
    expect(readAll(records, 'errorCode')).toEqual(['AccessDenied', UNKNOWN, ABSENT, UNKNOWN])
  })

  it('reads userIdentity.type only where CloudTrail puts it, first in userIdentity, second in the record', () => {
    expect(readAll([rec('"eventName":"A"')], 'userIdentity.type')).toEqual(['IAMUser'])
    const odd = [
      '{"eventVersion":"1.08","userIdentity":{"accountId":"1","type":"Root"},"eventName":"A"}',
      '{"eventVersion":"1.08","eventTime":"t","userIdentity":{"type":"Root"}}',
      '{"eventVersion":"1.0811111111111111111111","userIdentity":{"type":"Root"}}',
      '{"eventVersion":1.08,"userIdentity":{"type":"Root"}}',
      '{"eventVersion":"1.08","requestParameters":{"userIdentity":{"type":"Root"}}}',
    ]
    expect(readAll(odd, 'userIdentity.type')).toEqual(odd.map(() => UNKNOWN))
  })

  it('does not read a value past the record’s end', () => {
    const buf = Buffer.from(`${CT},"eventName":"Cut"}`, 'latin1')
    const cut = buf.indexOf('Cut') + 1
    expect(new RawFieldReader().forObject().setBytes(buf, 0, cut).get('eventName')).toBe(UNKNOWN)
  })
})

describe('RecordFields on other layouts', () => {
  it('reads the record as text the same way when it starts as CloudTrail writes it', () => {
    expect(readText(rec('"eventName":"A","errorCode":"E"'), 'errorCode')).toBe('E')
    expect(readText(rec('"eventName":"A"'), 'errorCode')).toBe(ABSENT)
    expect(readText(rec('"eventName":"A"'), 'userIdentity.type')).toBe('IAMUser')
  })

  it('trusts another layout only when the key occurs once, and never takes its absence for ABSENT', () => {
    expect(readText('{"eventName":"A","eventVersion":"1.08"}', 'eventName')).toBe('A')
    expect(readText('{"a":{"eventName":"B"},"eventName":"A"}', 'eventName')).toBe(UNKNOWN)
    expect(readText('{"eventName" : "A"}', 'eventName')).toBe(UNKNOWN)
    expect(readText('{"a":1}', 'errorCode')).toBe(UNKNOWN)
    expect(readText('{"userIdentity":{"type":"Root"}}', 'userIdentity.type')).toBe(UNKNOWN)
  })

  it('reads every raw field', () => {
    const r = `${CT},"eventTime":"2024-03-05T10:01:00Z","eventName":"N","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.1","userAgent":"u","errorCode":"E","requestParameters":null}`
    expect(RAW_FIELDS.map((f) => readText(r, f))).toEqual(['N', 's3.amazonaws.com', 'E', '192.0.2.1', 'IAMUser', '2024-03-05T10:01:00Z', 'eu-west-1'])
  })
})
