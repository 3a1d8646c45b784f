import { describe, expect, it } from 'vitest'
import { userAgentKind } from '../record.js'
import { DETAIL_TRUNCATED, MAX_DETAIL_DEPTH, buildFinding } from './finding.js'
import type { CompiledRule } from '../match/matcher.js'
import { findingId } from './finding-id.js'

const rule = (output?: Record<string, string>): CompiledRule => ({
  id: 'r',
  spec: {
    id: 'r',
    title: 'R',
    severity: 'medium',
    language: 'eventbridge',
    pattern: {},
    examples: { match: [], noMatch: [] },
    ...(output ? { output } : {}),
  },
  indexKeys: { eventName: null, eventSource: null },
  literals: null,
  match: () => ({}),
})

const record = {
  eventID: 'e-1',
  eventTime: '2024-05-01T10:00:00Z',
  eventName: 'PutBucketPolicy',
  eventSource: 's3.amazonaws.com',
  awsRegion: 'eu-west-1',
  recipientAccountId: '111122223333',
  sourceIPAddress: '198.51.100.7',
  userAgent: '[aws-cli/2.15.0 Python/3.11.6]',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', userName: 'alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
  requestParameters: { bucketName: 'reports', bucketPolicy: { Statement: [] } },
}

describe('buildFinding', () => {
  it('fills the contract fields from the record and the rule', () => {
    const f = buildFinding(rule(), {}, record, { uri: 'x.json.gz', recordIndex: 3 }, {})
    expect(f).toMatchObject({
      kind: 'finding',
      id: findingId('r', '111122223333', 'e-1', { uri: 'x.json.gz', recordIndex: 3 }),
      ruleId: 'r',
      title: 'R',
      severity: 'medium',
      eventId: 'e-1',
      eventName: 'PutBucketPolicy',
      account: '111122223333',
      region: 'eu-west-1',
      sourceIp: '198.51.100.7',
      userAgentKind: 'cli',
      source: { uri: 'x.json.gz', recordIndex: 3 },
      actor: { arn: 'arn:aws:iam::111122223333:user/alice', type: 'IAMUser', userName: 'alice', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
      resource: { type: 'bucket', name: 'reports' },
    })
  })

  it("adds the rule's output fields the record has, and only those", () => {
    const f = buildFinding(
      rule({ newPolicy: 'requestParameters.bucketPolicy', newAcl: 'requestParameters.AccessControlPolicy' }),
      {},
      record,
      { uri: 'x', recordIndex: 0 },
      {},
    )
    expect(f.details).toEqual({ newPolicy: { Statement: [] } })
  })

  it('falls back to the key layout for account and region when the record lacks them', () => {
    const f = buildFinding(rule(), {}, { eventID: 'e-2' }, { uri: 'x', recordIndex: 0 }, { account: '444455556666', region: 'us-east-1' })
    expect([f.account, f.region]).toEqual(['444455556666', 'us-east-1'])
  })
})

describe('userAgentKind', () => {
  it.each([
    ['signin.amazonaws.com', 'console'],
    ['[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]', 'console'],
    ['aws-cli/2.15.0 Python/3.11.6 Linux/6.1', 'cli'],
    ['[aws-cli/2.17.32 md/awscrt#0.20.11]', 'cli'],
    ['Boto3/1.34.69 md/Botocore#1.34.69', 'sdk'],
    ['cloudtrail.amazonaws.com', 'service'],
    ['curl/8.0', 'other'],
  ])('%s is %s', (ua, kind) => {
    expect(userAgentKind({ userAgent: ua })).toBe(kind)
  })
})

// ../shared/reliability/README.md §6: a policy nested ~4,000 levels deep overflowed JSON.stringify on output.
describe('details depth bound', () => {
  const nested = (depth: number, leaf: unknown = 1): unknown => {
    let v = leaf
    for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v }
    return v
  }

  it('cuts record values nested deeper than MAX_DETAIL_DEPTH with a marker, so any output can serialise them', () => {
    const deep = { ...record, requestParameters: { bucketName: 'b', bucketPolicy: { Statement: [{ Condition: nested(100_000) }] } } }
    const f = buildFinding(rule({ newPolicy: 'requestParameters.bucketPolicy' }), {}, deep, { uri: 'x', recordIndex: 0 }, {})
    const text = JSON.stringify(f)
    expect(text).toContain(JSON.stringify(DETAIL_TRUNCATED))
    let depth = 0
    let cur: unknown = f.details
    while (cur !== null && typeof cur === 'object') {
      depth++
      cur = Object.values(cur)[0]
    }
    expect(depth).toBe(MAX_DETAIL_DEPTH)
    expect(cur).toBe(DETAIL_TRUNCATED)
  })

  it('keeps details that fit as they are, __proto__ keys included', () => {
    const policy = JSON.parse('{"Statement":[{"Condition":{"__proto__":{"x":1}}}]}') as unknown
    const fits = { ...record, requestParameters: { bucketPolicy: policy } }
    const f = buildFinding(rule({ newPolicy: 'requestParameters.bucketPolicy' }), {}, fits, { uri: 'x', recordIndex: 0 }, {})
    expect(f.details?.newPolicy).toBe(policy)
    const cut = { ...record, requestParameters: { bucketPolicy: JSON.parse(`{"__proto__":${JSON.stringify(nested(40))}}`) as unknown } }
    const g = buildFinding(rule({ newPolicy: 'requestParameters.bucketPolicy' }), {}, cut, { uri: 'x', recordIndex: 0 }, {})
    expect(JSON.stringify(g.details)).toMatch(/^\{"newPolicy":\{"__proto__":\{"a":\[/)
    expect(Object.getPrototypeOf(g.details?.newPolicy)).toBe(Object.prototype)
  })
})
