import { describe, expect, test } from 'vitest'
import { toEventBridgeEnvelope } from './envelope.js'

const record = {
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', accountId: '111122223333' },
  eventTime: '2024-01-01T00:00:00Z',
  eventSource: 'monitoring.amazonaws.com',
  eventName: 'PutMetricAlarm',
  awsRegion: 'eu-west-1',
  eventID: 'e1',
  eventType: 'AwsApiCall',
  recipientAccountId: '444455556666',
}

describe('toEventBridgeEnvelope', () => {
  test('derives the envelope fields and keeps the record, unchanged, as detail', () => {
    const env = toEventBridgeEnvelope(record)
    expect(env).toMatchObject({
      version: '0',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.monitoring',
      account: '444455556666',
      time: '2024-01-01T00:00:00Z',
      region: 'eu-west-1',
      resources: [],
    })
    expect(env['detail']).toBe(record)
  })

  test('the id is a UUIDv5 of the eventID: stable across runs, distinct across events', () => {
    const a = toEventBridgeEnvelope(record)['id']
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(toEventBridgeEnvelope({ ...record })['id']).toBe(a)
    expect(toEventBridgeEnvelope({ ...record, eventID: 'e2' })['id']).not.toBe(a)
  })

  test('the id behaves as data: it serialises, spreads and can be overwritten', () => {
    const env = toEventBridgeEnvelope(record)
    const id = env['id']
    expect(JSON.parse(JSON.stringify(env))['id']).toBe(id)
    expect({ ...env }['id']).toBe(id)
    env['id'] = 'other'
    expect(env['id']).toBe('other')
  })

  test('detail-type follows eventType, defaulting to an API call', () => {
    const dt = (eventType: unknown): unknown => toEventBridgeEnvelope({ ...record, eventType })['detail-type']
    expect(dt('AwsServiceEvent')).toBe('AWS Service Event via CloudTrail')
    expect(dt('AwsConsoleAction')).toBe('AWS Console Action via CloudTrail')
    expect(dt('AwsConsoleSignIn')).toBe('AWS Console Sign In via CloudTrail')
    expect(dt('AwsCloudTrailInsight')).toBe('AWS Insight via CloudTrail')
    expect(dt('SomethingNew')).toBe('AWS API Call via CloudTrail')
    expect(dt('constructor')).toBe('AWS API Call via CloudTrail')
    expect(dt(undefined)).toBe('AWS API Call via CloudTrail')
  })

  test('the account falls back to the caller when there is no recipient', () => {
    const { recipientAccountId: _, ...rest } = record
    expect(toEventBridgeEnvelope(rest)['account']).toBe('111122223333')
  })

  test('an envelope field whose record field is missing is left out, not invented', () => {
    const env = toEventBridgeEnvelope({ eventName: 'X' })
    expect(Object.keys(env)).toEqual(['version', 'id', 'detail-type', 'resources', 'detail'])
    expect(env['id']).toBe(toEventBridgeEnvelope({ eventName: 'X' })['id'])
  })

  test('an eventSource outside amazonaws.com keeps its first label', () => {
    expect(toEventBridgeEnvelope({ ...record, eventSource: 'signin.aws.example' })['source']).toBe('aws.signin')
  })
})
