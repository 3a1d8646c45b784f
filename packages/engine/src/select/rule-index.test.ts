import { describe, expect, it } from 'vitest'
import type { CompiledRule } from '../match/matcher.js'
import { ByteLiteralCursor } from './byte-literal.js'
import { RuleIndex, SelectScratch } from './rule-index.js'
import { ABSENT, UNKNOWN, type FieldTest, type FieldValue, type RawField, type RawFields } from './field-test.js'

function rule(
  id: string,
  eventName: string[] | null,
  literals: string[][][] | null = null,
  eventSource: string[] | null = null,
): CompiledRule {
  return {
    id,
    spec: { id, title: id, severity: 'low', language: 'cwl-filter', pattern: '', examples: { match: [], noMatch: [] } },
    indexKeys: { eventName, eventSource },
    literals: literals === null ? null : literals[0]!,
    match: () => null,
  }
}

const ids = (rules: readonly CompiledRule[]): string[] => rules.map((r) => r.id)

/** The unindexed rules for one record given as text, with a fresh cursor and scratch (a record alone). */
const unindexed = (idx: RuleIndex, text: string): readonly CompiledRule[] =>
  idx.unindexedInBytes(Buffer.from(text, 'latin1'), 0, text.length, new ByteLiteralCursor(), new SelectScratch())

describe('RuleIndex', () => {
  it('finds rules by the eventName they are indexed under', () => {
    const a = rule('a', ['PutBucketAcl', 'PutBucketPolicy'])
    const b = rule('b', ['PutBucketAcl'])
    const idx = new RuleIndex([a, b])
    expect(idx.named('PutBucketAcl').rules.map((r) => r.id)).toEqual(['a', 'b'])
    expect(idx.named('PutBucketPolicy').rules.map((r) => r.id)).toEqual(['a'])
    expect(idx.named('GetObject').rules).toEqual([])
    expect(idx.named(undefined).rules).toEqual([])
  })

  it('groups rules that constrain only the eventSource by it', () => {
    const idx = new RuleIndex([rule('kms', null, null, ['kms.amazonaws.com']), rule('both', ['Decrypt'], null, ['kms.amazonaws.com'])])
    expect(ids(idx.sourced('kms.amazonaws.com').rules)).toEqual(['kms'])
    expect(ids(idx.named('Decrypt').rules)).toEqual(['both'])
    expect(idx.always).toEqual([])
    expect(ids(unindexed(idx, '{}'))).toEqual([])
  })

  it('keeps from a named group only the rules whose literals the record holds', () => {
    const a = rule('denied-decrypt', ['Decrypt'], [[['AccessDenied']]])
    const b = rule('any-decrypt', ['Decrypt'], null)
    const idx = new RuleIndex([a, b])
    expect(ids(idx.mayMatch(idx.named('Decrypt'), '{"eventName":"Decrypt"}'))).toEqual(['any-decrypt'])
    expect(ids(idx.mayMatch(idx.named('Decrypt'), '{"eventName":"Decrypt","errorCode":"AccessDenied"}'))).toEqual([
      'denied-decrypt',
      'any-decrypt',
    ])
  })

  it('guards unindexed rules by their literals, rule by rule', () => {
    const idx = new RuleIndex([rule('root', null, [[['Root']]]), rule('denied', null, [[['AccessDenied'], ['UnauthorizedOperation']]])])
    expect(ids(unindexed(idx, '{"userIdentity":{"type":"Root"}}'))).toEqual(['root'])
    expect(ids(unindexed(idx, '{"errorCode":"Client.UnauthorizedOperation"}'))).toEqual(['denied'])
    expect(ids(unindexed(idx, '{"errorCode":"NoSuchKey"}'))).toEqual([])
  })

  it('consults an unindexed rule without literals on every record, and only it', () => {
    const idx = new RuleIndex([rule('any', null, null), rule('root', null, [[['Root']]])])
    expect(ids(unindexed(idx, '{}'))).toEqual(['any'])
    expect(ids(unindexed(idx, '{"type":"Root"}'))).toEqual(['any', 'root'])
  })

  it('finds overlapping literals and literals inside longer ones', () => {
    const idx = new RuleIndex([
      rule('abc', null, [[['abc']]]),
      rule('bcd', null, [[['bcd']]]),
      rule('q', null, [[['"Denied"']]]),
      rule('bare', null, [[['Denied']]]),
    ])
    expect(ids(unindexed(idx, 'xabcdx'))).toEqual(['abc', 'bcd'])
    expect(ids(unindexed(idx, '{"e":"Denied"}')).sort()).toEqual(['bare', 'q'])
    expect(ids(unindexed(idx, '{"e":"NotDenied"}'))).toEqual(['bare'])
  })

  it('needs every literal of a several-literal alternative', () => {
    const idx = new RuleIndex([rule('both', null, [[['Opt', 'sso.amazonaws.com']]])])
    expect(ids(unindexed(idx, '{"a":"Opt","s":"sso.amazonaws.com"}'))).toEqual(['both'])
    expect(ids(unindexed(idx, '{"a":"Opt"}'))).toEqual([])
  })

  it.each([
    ['few literals', 0],
    ['many literals: the regex over the text', 12],
  ])('gives the same answers with a chunk-wide cursor as record by record (%s)', (_name, extra) => {
    const many = Array.from({ length: extra }, (_, i) => rule(`r${i}`, null, [[[`"rare-${i}"`]]]))
    const idx = new RuleIndex([rule('root', null, [[['Root']]]), rule('denied', null, [[['AccessDenied', 'Bucket']]]), ...many])
    const records = [
      '{"a":"x"}',
      '{"t":"Root"}',
      '{"e":"AccessDenied"}',
      '{"e":"AccessDenied","k":"Bucket"}',
      '{"b":"y"}',
      '{"t":"Root","u":"Root"}',
      '{"z":1}',
    ]
    const chunk = Buffer.from(records.join(','), 'latin1')
    const cursor = new ByteLiteralCursor()
    const scratch = new SelectScratch()
    let start = 0
    for (const r of records) {
      expect(ids(idx.unindexedInBytes(chunk, start, start + r.length, cursor, scratch))).toEqual(ids(unindexed(idx, r)))
      start += r.length + 1
    }
  })
})

describe('RuleIndex on a record’s bytes', () => {
  const records = [
    '{"eventVersion":"1.08","userIdentity":{"type":"Root"},"eventName":"A"}',
    '{"eventVersion":"1.08","errorCode":"AccessDenied","eventName":"B"}',
    '{"eventVersion":"1.08","eventName":"C","x":"Root"}',
    '{"eventVersion":"1.08","errorCode":"Client.UnauthorizedOperation","eventName":"D","t":"xabcdx"}',
    '{"eventVersion":"1.08","eventName":"E","r":"NotRoot\\"","s":"sso.amazonaws.com","o":"Opt"}',
    '{"eventVersion":"1.08","eventName":"F","s":"sso.amazonaws.com"}',
  ]
  const buf = Buffer.from(records.join(','), 'latin1')
  const spans = records.map((r, i) => {
    const start = records.slice(0, i).reduce((n, x) => n + x.length + 1, 0)
    return [start, start + r.length] as const
  })
  const guarded = [
    rule('root', null, [[['"Root"']]]),
    rule('denied', null, [[['"AccessDenied'], ['UnauthorizedOperation"']]]),
    rule('abc', null, [[['abc']]]),
    rule('bcd', null, [[['bcd']]]),
    rule('both', null, [[['Opt', '"sso.amazonaws.com"']]]),
  ]
  const many = Array.from({ length: 12 }, (_, i) => rule(`r${i}`, null, [[[`"rare-${i}"`]]]))

  it.each([
    ['few literals: one search per literal', guarded],
    ['many literals: one regex over the text', [...guarded, ...many]],
  ])('agrees with the text path (%s)', (_name, rules) => {
    const idx = new RuleIndex(rules)
    const cursor = new ByteLiteralCursor()
    const scratch = new SelectScratch()
    const fromBytes = spans.map(([s, e]) => ids(idx.unindexedInBytes(buf, s, e, cursor, scratch)).sort())
    expect(fromBytes).toEqual(records.map((r) => ids(unindexed(idx, r)).sort()))
    expect(fromBytes).toEqual([['root'], ['denied'], ['root'], ['abc', 'bcd', 'denied'], ['both'], []])
  })

  it('does not test literals a named group’s own key puts in the text', () => {
    const idx = new RuleIndex([
      rule('named-only', ['DisableRule'], [[['"DisableRule"']]]),
      rule('with-code', ['DisableRule'], [[['"DisableRule"', '"AccessDenied"']]]),
    ])
    let reads = 0
    const record = {
      get raw(): string {
        reads++
        return '{"eventName":"DisableRule"}'
      },
    }
    expect(ids(idx.mayMatch(idx.named('DisableRule'), record))).toEqual(['named-only'])
    expect(reads).toBe(1)
    const onlyImplied = new RuleIndex([rule('named-only', ['DisableRule'], [[['"DisableRule"']]])])
    expect(ids(onlyImplied.mayMatch(onlyImplied.named('DisableRule'), record))).toEqual(['named-only'])
    expect(reads).toBe(1)
  })
})

describe('RuleIndex field tests', () => {
  const fieldsOf = (values: Partial<Record<RawField, FieldValue>>): RawFields & { reads: RawField[] } => {
    const reads: RawField[] = []
    return { reads, get: (f) => (reads.push(f), values[f] ?? ABSENT) }
  }
  const test = (field: RawField, pass: (v: string) => boolean): FieldTest => ({ field, test: pass })
  const withTests = (r: CompiledRule, ...fieldTests: FieldTest[]): CompiledRule => ({ ...r, fieldTests })

  it('keys a rule with no eventName by a tested field and consults it only when the value passes', () => {
    const root = withTests(
      rule('root', null),
      test('userIdentity.type', (v) => v === 'Root'),
    )
    const denied = withTests(
      rule('denied', null),
      test('errorCode', (v) => v.startsWith('AccessDenied')),
      test('userIdentity.type', (v) => v !== 'AWSService'),
    )
    const idx = new RuleIndex([root, denied])
    expect(idx.always).toEqual([])
    expect(ids(unindexed(idx, '{"type":"Root","errorCode":"AccessDenied"}'))).toEqual([])
    expect(idx.hasKeyed).toBe(true)
    expect(ids(idx.keyedBy(fieldsOf({ 'userIdentity.type': 'Root' })))).toEqual(['root'])
    expect(ids(idx.keyedBy(fieldsOf({ 'userIdentity.type': 'IAMUser', errorCode: 'AccessDeniedException' })))).toEqual(['denied'])
    expect(ids(idx.keyedBy(fieldsOf({ 'userIdentity.type': 'AWSService', errorCode: 'AccessDenied' })))).toEqual([])
    expect(ids(idx.keyedBy(fieldsOf({ 'userIdentity.type': 'IAMUser', errorCode: 'NoSuchKey' })))).toEqual([])
  })

  it('guards rules with field tests by their literals while these are few, and checks the tests after', () => {
    const root = withTests(
      rule('root', null, [[['"Root"']]]),
      test('userIdentity.type', (v) => v === 'Root'),
    )
    const few = new RuleIndex([root])
    expect(few.hasKeyed).toBe(false)
    const found = unindexed(few, '{"userIdentity":{"type":"IAMUser"},"x":"Root"}')
    expect(ids(found)).toEqual(['root'])
    expect(few.passingFieldTests(found, fieldsOf({ 'userIdentity.type': 'IAMUser' }))).toEqual([])
    expect(few.passingFieldTests(found, fieldsOf({ 'userIdentity.type': 'Root' }))).toBe(found)
    expect(few.passingFieldTests(found, fieldsOf({ 'userIdentity.type': UNKNOWN }))).toBe(found)
    // Past BYTE_LITERALS_MAX distinct literals, the same rules are keyed by their fields instead.
    const many = Array.from({ length: 9 }, (_, i) =>
      withTests(
        rule(`t${i}`, null, [[[`"T${i}"`]]]),
        test('userIdentity.type', (v) => v === `T${i}`),
      ),
    )
    const idx = new RuleIndex(many)
    expect(idx.hasKeyed).toBe(true)
    expect(ids(unindexed(idx, '{"t":"T3"}'))).toEqual([])
    expect(ids(idx.keyedBy(fieldsOf({ 'userIdentity.type': 'T3' })))).toEqual(['t3'])
  })

  it('rules out on an absent field, and lets through on one it cannot read', () => {
    const denied = withTests(
      rule('denied', null),
      test('errorCode', (v) => v === 'AccessDenied'),
      test('sourceIPAddress', (v) => v.startsWith('10.')),
    )
    const idx = new RuleIndex([denied])
    expect(ids(idx.keyedBy(fieldsOf({ sourceIPAddress: '10.0.0.1' })))).toEqual([])
    expect(ids(idx.keyedBy(fieldsOf({ errorCode: UNKNOWN, sourceIPAddress: '10.0.0.1' })))).toEqual(['denied'])
    expect(ids(idx.keyedBy(fieldsOf({ errorCode: 'AccessDenied', sourceIPAddress: UNKNOWN })))).toEqual(['denied'])
    expect(ids(idx.keyedBy(fieldsOf({ errorCode: 'AccessDenied', sourceIPAddress: '192.0.2.1' })))).toEqual([])
  })

  it('remembers the answer for a value instead of testing it again', () => {
    let calls = 0
    const idx = new RuleIndex([
      withTests(
        rule('root', null),
        test('userIdentity.type', (v) => (calls++, v === 'Root')),
      ),
    ])
    for (let i = 0; i < 3; i++) expect(ids(idx.keyedBy(fieldsOf({ 'userIdentity.type': 'Root' })))).toEqual(['root'])
    expect(calls).toBe(1)
  })

  it('drops from a group the rules whose other field tests fail, before reading the text for literals', () => {
    const a = withTests(
      rule('a', ['A'], [[['"needle"']]]),
      test('eventName', (v) => v === 'A'),
      test('sourceIPAddress', (v) => v === '192.0.2.1'),
    )
    const b = rule('b', ['A'])
    const idx = new RuleIndex([a, b])
    let reads = 0
    const record = {
      get raw(): string {
        reads++
        return '{"x":"needle"}'
      },
    }
    const fields = fieldsOf({ eventName: 'A', sourceIPAddress: '198.51.100.1' })
    expect(ids(idx.mayMatch(idx.named('A'), record, fields))).toEqual(['b'])
    expect(reads).toBe(0)
    // The group's own key is not tested again.
    expect(fields.reads).toEqual(['sourceIPAddress'])
    expect(ids(idx.mayMatch(idx.named('A'), record, fieldsOf({ sourceIPAddress: '192.0.2.1' })))).toEqual(['a', 'b'])
    expect(reads).toBe(1)
  })
})
