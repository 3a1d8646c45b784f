import { describe, expect, it } from 'vitest'
import { compileEventPattern } from './compile.js'
import { toEventBridgeEnvelope } from './envelope.js'

const record = (ip: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/a' },
  eventTime: '2024-05-01T00:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'ListUsers',
  awsRegion: 'us-east-1',
  ...(ip === undefined ? {} : { sourceIPAddress: ip }),
  userAgent: 'aws-cli/2',
  requestParameters: { sourceIPAddress: '203.0.183.9' },
  ...extra,
})

const IAM_BLOCK = { source: ['aws.iam'], detail: { sourceIPAddress: [{ cidr: '203.0.183.0/24' }] } }

describe('EventBridge raw-text test for cidr on sourceIPAddress', () => {
  const p = compileEventPattern(IAM_BLOCK)

  it('rules out records whose address is outside every block, from the raw text', () => {
    expect(p.rawTest).toBeDefined()
    expect(p.rawTest!(JSON.stringify(record('198.51.100.7')))).toBe(false)
    expect(p.rawTest!(JSON.stringify(record('203.0.183.77')))).toBe(true)
  })

  it('passes every spelling the matcher accepts, and everything it cannot read', () => {
    const cases: [unknown, Record<string, unknown>?][] = [
      ['203.000.183.5'],
      ['::ffff:cb00:b705'],
      [['198.51.100.7', '203.0.183.5']],
    ]
    for (const [ip, extra] of cases) {
      const r = record(ip, extra)
      expect(p.match(toEventBridgeEnvelope(r))).toBe(true)
      expect(p.rawTest!(JSON.stringify(r))).toBe(true)
    }
    // Not as CloudTrail writes it (eventVersion not first) and the key twice: cannot tell, so the record is parsed.
    expect(p.rawTest!(JSON.stringify({ requestParameters: { sourceIPAddress: '198.51.100.7' }, sourceIPAddress: '203.0.183.1' }))).toBe(true)
    expect(p.rawTest!('{"eventVersion":"1.08","sourceIPAddress":"198.51.100.\\u0037"}')).toBe(true)
  })

  it('never rules out a record the pattern matches, nor keeps one without the field', () => {
    const noIp = record(undefined)
    expect(p.match(toEventBridgeEnvelope(noIp))).toBe(false)
    // The first occurrence is nested (requestParameters): in block, so the record is parsed and then not matched.
    expect(p.rawTest!(JSON.stringify(noIp))).toBe(true)
    expect(p.rawTest!(JSON.stringify({ eventVersion: '1.08', eventName: 'X' }))).toBe(false)
  })

  it('is absent when some $or branch has no block to test', () => {
    expect(compileEventPattern({ detail: { $or: [{ sourceIPAddress: [{ cidr: '10.0.0.0/8' }] }, { eventName: ['X'] }] } }).rawTest).toBeUndefined()
    expect(compileEventPattern({ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }, '192.0.2.1'] } }).rawTest).toBeUndefined()
    expect(compileEventPattern({ detail: { eventName: ['X'] } }).rawTest).toBeUndefined()
    const both = compileEventPattern({ detail: { $or: [{ sourceIPAddress: [{ cidr: '10.0.0.0/8' }] }, { sourceIPAddress: [{ cidr: '192.0.2.0/24' }] }] } })
    expect(both.rawTest!(JSON.stringify(record('192.0.2.4')))).toBe(true)
    expect(both.rawTest!(JSON.stringify(record('10.1.2.3')))).toBe(true)
    expect(both.rawTest!(JSON.stringify(record('172.16.0.1')))).toBe(false)
  })
})
