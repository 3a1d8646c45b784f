import { describe, expect, it } from 'vitest'
import { compileCwlFilter } from '../match/cwl-filter/index.js'
import { compileEventPattern, toEventBridgeEnvelope } from '../match/eventbridge/index.js'
import type { FieldTest, RawField } from './field-test.js'

const base = {
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/a' },
  eventTime: '2024-05-01T00:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'ListUsers',
  awsRegion: 'us-east-1',
  sourceIPAddress: '203.0.183.9',
  userAgent: 'aws-cli/2',
  requestParameters: null,
  eventType: 'AwsApiCall',
}
const records: Record<string, unknown>[] = [
  base,
  { ...base, errorCode: 'AccessDenied' },
  { ...base, errorCode: 'Client.UnauthorizedOperation', eventSource: 'ec2.amazonaws.com' },
  { ...base, userIdentity: { type: 'Root' } },
  { ...base, userIdentity: { type: 'AWSService' }, eventSource: 's3.amazonaws.com', sourceIPAddress: 's3.amazonaws.com' },
  { ...base, sourceIPAddress: '203.000.183.5' },
  { ...base, sourceIPAddress: '::ffff:cb00:b705' },
  { ...base, sourceIPAddress: '10.1.2.3', eventName: 'PutBucketAcl' },
  { ...base, eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', errorCode: 'Failure' },
  { ...base, eventSource: 'custom.example.org' },
]

const valueOf = (record: Record<string, unknown>, field: RawField): unknown =>
  field.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), record)

/** A test must hold on the value of every record the rule matches; a record without the field never matches. */
function expectSound(tests: readonly FieldTest[], matches: (r: Record<string, unknown>) => boolean): number {
  let ruledOut = 0
  for (const r of records) {
    const fails = tests.some((t) => {
      const v = valueOf(r, t.field)
      return v === undefined || (typeof v === 'string' && !t.test(v))
    })
    if (fails) {
      ruledOut++
      expect(matches(r), JSON.stringify(r)).toBe(false)
    }
  }
  return ruledOut
}

describe('field tests of CloudWatch Logs filter patterns', () => {
  const cases: [string, RawField[]][] = [
    ['{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', ['errorCode']],
    ['{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }', ['userIdentity.type']],
    ['{ $.userIdentity.type != "AWSService" && $.errorCode = "*" }', ['userIdentity.type', 'errorCode']],
    ['{ $.sourceIPAddress = "203.0.183.*" }', ['sourceIPAddress']],
    ['{ ($.eventSource = "iam.*" && $.errorCode = "AccessDenied") || ($.eventSource = "ec2.*") }', ['eventSource']],
    ['{ $.eventName = "Put*" || $.eventName = "ConsoleLogin" }', ['eventName']],
    ['{ $.errorCode = "AccessDenied" || $.eventName = "ConsoleLogin" }', []],
    ['{ $.errorCode NOT EXISTS }', []],
    ['{ $.errorCode IS NULL }', ['errorCode']],
    ['{ $.requestParameters.sourceIPAddress = "10.*" }', []],
    ['{ $.userIdentity.* = "Root" }', []],
  ]
  it.each(cases)('%s', (pattern, fields) => {
    const f = compileCwlFilter(pattern)
    const tests = f.fieldTests ?? []
    expect(tests.map((t) => t.field).sort()).toEqual([...fields].sort())
    const ruledOut = expectSound(tests, (r) => f.matchRecord(r, JSON.stringify(r)))
    if (fields.length > 0) expect(ruledOut).toBeGreaterThan(0)
  })
})

describe('field tests of EventBridge patterns', () => {
  const cases: [Record<string, unknown>, RawField[]][] = [
    [{ source: ['aws.iam'] }, ['eventSource']],
    [
      { source: ['aws.s3', 'aws.signin'], detail: { errorCode: [{ prefix: 'Access' }, { suffix: 'Failure' }] } },
      ['eventSource', 'errorCode'],
    ],
    [{ detail: { sourceIPAddress: [{ cidr: '203.0.183.0/24' }] } }, ['sourceIPAddress']],
    [{ source: ['aws.iam'], detail: { sourceIPAddress: ['203.0.183.5'] } }, ['eventSource', 'sourceIPAddress']],
    [
      { detail: { $or: [{ sourceIPAddress: [{ cidr: '10.0.0.0/8' }] }, { sourceIPAddress: [{ cidr: '203.0.183.0/24' }] }] } },
      ['sourceIPAddress'],
    ],
    [{ detail: { $or: [{ sourceIPAddress: [{ cidr: '10.0.0.0/8' }] }, { eventName: ['X'] }] } }, []],
    [{ detail: { errorCode: [{ exists: false }], userIdentity: { type: ['Root'] } } }, ['userIdentity.type']],
    [{ detail: { userIdentity: { type: [{ 'anything-but': ['IAMUser', 'AssumedRole'] }] } } }, ['userIdentity.type']],
    [{ detail: { eventName: [{ prefix: 'Put' }], errorCode: [{ 'equals-ignore-case': 'accessdenied' }] } }, ['eventName', 'errorCode']],
    [{ detail: { requestParameters: { sourceIPAddress: ['10.1.2.3'] } } }, []],
  ]
  it.each(cases)('%j', (pattern, fields) => {
    const p = compileEventPattern(pattern)
    expect(p.fieldTests.map((t) => t.field).sort()).toEqual([...fields].sort())
    const ruledOut = expectSound(p.fieldTests, (r) => p.match(toEventBridgeEnvelope(r)))
    if (fields.length > 0) expect(ruledOut).toBeGreaterThan(0)
  })

  it('tests a cidr on every spelling of an address, as the matcher does', () => {
    const p = compileEventPattern({ detail: { sourceIPAddress: [{ cidr: '203.0.183.0/24' }] } })
    for (const ip of ['203.0.183.9', '203.000.183.5', '::ffff:cb00:b705']) expect(p.fieldTests[0]!.test(ip)).toBe(true)
    expect(p.fieldTests[0]!.test('10.1.2.3')).toBe(false)
  })

  it('gives a cidr with host bits set the same masked block as the matcher', () => {
    const p = compileEventPattern({ detail: { sourceIPAddress: [{ cidr: '220.160.153.171/31' }] } })
    const record = { eventSource: 'ec2.amazonaws.com', sourceIPAddress: '220.160.153.170' }
    expect(p.fieldTests[0]!.test('220.160.153.170')).toBe(true)
    expect(p.match(toEventBridgeEnvelope(record as never))).toBe(true)
    expect(p.fieldTests[0]!.test('220.160.153.172')).toBe(false)
  })

  it('reads source through the record’s eventSource, as the envelope derives it', () => {
    const p = compileEventPattern({ source: ['aws.custom'] })
    expect(p.fieldTests[0]!.test('custom.example.org')).toBe(true)
    expect(p.fieldTests[0]!.test('iam.amazonaws.com')).toBe(false)
  })
})
