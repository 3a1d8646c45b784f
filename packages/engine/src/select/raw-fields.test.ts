import { describe, expect, it } from 'vitest'
import { ABSENT, RAW_FIELDS, UNKNOWN, type FieldValue, type RawField } from './field-test.js'
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

const readText = (text: string, field: RawField): FieldValue =>
  new RawFieldReader().forObject().setBytes(Buffer.from(text, 'latin1'), 0, text.length).get(field)

describe('RecordFields on CloudTrail’s compact layout', () => {
  it('reads plain string values, UTF-8 included, and gives the same string object for the same bytes', () => {
    const reader = new RawFieldReader()
    const names = readAll(
      [rec('"eventName":"PutBucketAcl"'), rec('"eventName":"Löschen"'), rec('"eventName":"PutBucketAcl"')],
      'eventName',
      reader,
    )
    expect(names).toEqual(['PutBucketAcl', 'Löschen', 'PutBucketAcl'])
    expect(readAll([rec('"eventName":"PutBucketAcl"')], 'eventName', reader)[0]).toBe(names[0])
  })

  it('reads a key met once and gives UNKNOWN for one met twice, nested or duplicated (JSON.parse keeps the last)', () => {
    const records = [
      rec('"eventName":"A","requestParameters":{"eventName":"B"}'),
      rec('"eventName":"DescribeInstances","zzz":1,"eventName":"StopLogging"'),
      rec('"eventName":"A","requestParameters":{"name":"eventName"}'),
      rec('"eventName":"A"'),
    ]
    expect(readAll(records, 'eventName')).toEqual([UNKNOWN, UNKNOWN, 'A', 'A'])
    const nested = '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","eventName":"DescribeInstances"},"eventName":"StopLogging"}'
    expect(readAll([nested], 'eventName')).toEqual([UNKNOWN])
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
    // The record with a \u escape of a letter is not vouched for at all: even its errorCode is UNKNOWN.
    expect(readAll(records, 'errorCode')).toEqual([ABSENT, ABSENT, UNKNOWN, ABSENT, ABSENT, ABSENT])
  })

  it('reads a key with whitespace around its colon', () => {
    expect(readAll([rec('"eventName" :"StopLogging"'), rec('"eventName"\n:\t "B"'), rec('"eventName": "C"')], 'eventName')).toEqual([
      'StopLogging',
      'B',
      'C',
    ])
  })

  it('trusts no raw read of a record that escapes a letter, digit or ` ._:@-`, in a key or anywhere else', () => {
    const reader = new RawFieldReader()
    const fields = reader.forObject()
    const at = (text: string) => fields.setBytes(Buffer.from(text, 'latin1'), 0, text.length)
    for (const spelled of [
      '"eventN\\u0061me":"StopLogging"',
      '"eventName":"Stop\\u004cogging"',
      '"eventName":"A","x":"R\\u006Fot"',
      '"eventName":"A","x":"\\u002e"',
    ]) {
      expect(at(rec(spelled)).trusted()).toBe(false)
      expect(RAW_FIELDS.map((f) => at(rec(spelled)).get(f))).toEqual(RAW_FIELDS.map(() => UNKNOWN))
    }
    // Escapes CloudTrail and other writers use for characters no key or literal holds leave the record trusted.
    for (const spelled of ['"eventName":"A","userAgent":"\\u003cscript\\u003e \\u0026 \\u00e9"', '"eventName":"A","x":"\\"\\\\\\n\\/"']) {
      expect(at(rec(spelled)).trusted()).toBe(true)
      expect(at(rec(spelled)).get('eventName')).toBe('A')
    }
  })

  it('reads errorCode wherever it is, once', () => {
    const records = [
      rec('"errorCode":"AccessDenied","requestParameters":{"errorCode":"x"}'),
      rec('"requestParameters":{"items":[{"errorCode":"Throttled"}]}'),
      rec('"requestParameters":null,"responseElements":null'),
      rec('"requestParameters":null,"errorCode":"Late"'),
    ]
    // The second is nested with none of the record's own: a value where JSON has none only adds a candidate.
    expect(readAll(records, 'errorCode')).toEqual([UNKNOWN, 'Throttled', ABSENT, 'Late'])
  })

  it('reads userIdentity.type at the top level of the one userIdentity object, wherever its keys are', () => {
    expect(readAll([rec('"eventName":"A"')], 'userIdentity.type')).toEqual(['IAMUser'])
    const records = [
      '{"eventVersion":"1.08","userIdentity":{"accountId":"1","sessionContext":{"sessionIssuer":{"type":"Role"}},"type":"Root"},"eventName":"A"}',
      '{"eventVersion":"1.08","eventTime":"t","userIdentity" : {"type" : "Root"}}',
      '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","type":"Root"}}',
      '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser"},"userIdentity":{"type":"Root"}}',
      '{"eventVersion":"1.08","userIdentity":{"accountId":"1","sessionContext":{"sessionIssuer":{"type":"Role"}}}}',
      '{"eventVersion":"1.08","userIdentity":null}',
      '{"eventVersion":"1.08","userIdentity":{"type":"Ro\\"ot"}}',
      '{"eventVersion":"1.08","eventName":"A"}',
    ]
    expect(readAll(records, 'userIdentity.type')).toEqual(['Root', 'Root', UNKNOWN, UNKNOWN, ABSENT, UNKNOWN, UNKNOWN, ABSENT])
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

  it('reads another layout the same way', () => {
    expect(readText('{"eventName":"A","eventVersion":"1.08"}', 'eventName')).toBe('A')
    expect(readText('{"a":{"eventName":"B"},"eventName":"A"}', 'eventName')).toBe(UNKNOWN)
    expect(readText('{\n  "eventName" : "A"\n}', 'eventName')).toBe('A')
    expect(readText('{"a":1}', 'errorCode')).toBe(ABSENT)
    expect(readText('{"userIdentity": {\n "type": "Root"}}', 'userIdentity.type')).toBe('Root')
  })

  it('reads every raw field', () => {
    const r = `${CT},"eventTime":"2024-03-05T10:01:00Z","eventName":"N","awsRegion":"eu-west-1","sourceIPAddress":"192.0.2.1","userAgent":"u","errorCode":"E","requestParameters":null}`
    expect(RAW_FIELDS.map((f) => readText(r, f))).toEqual([
      'N',
      's3.amazonaws.com',
      'E',
      '192.0.2.1',
      'IAMUser',
      '2024-03-05T10:01:00Z',
      'eu-west-1',
    ])
  })
})
