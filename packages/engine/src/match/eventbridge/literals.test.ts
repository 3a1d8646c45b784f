import { describe, expect, it } from 'vitest'
import { compileEventPattern } from './compile.js'
import { toEventBridgeEnvelope } from './envelope.js'

const lits = (p: Record<string, unknown>) => compileEventPattern(p).literals

describe('EventBridge pattern literals for the raw-text prefilter', () => {
  it('takes quoted exact strings of a detail field', () => {
    expect(lits({ detail: { eventName: ['PutBucketAcl', 'PutObjectAcl'] } })).toEqual([['"PutBucketAcl"'], ['"PutObjectAcl"']])
  })

  it('prefers the field with fewer alternatives', () => {
    expect(lits({ detail: { eventName: ['A1x', 'B2x'], eventSource: ['s3.amazonaws.com'] } })).toEqual([['"s3.amazonaws.com"']])
  })

  it('takes a case-sensitive prefix with its opening quote only', () => {
    expect(lits({ detail: { eventName: [{ prefix: 'PutBucket' }] } })).toEqual([['"PutBucket']])
  })

  it("reads the record's eventSource prefix from the envelope's source", () => {
    expect(lits({ source: ['aws.kms', 'aws.s3'], detail: { sourceIPAddress: [{ cidr: '203.0.113.0/24' }] } })).toEqual([
      ['"kms.'],
      ['"s3.'],
    ])
    const record = { eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' }
    expect(toEventBridgeEnvelope(record).source).toBe('aws.kms')
    expect(JSON.stringify(record)).toContain('"kms.')
  })

  it('gives nothing for envelope-only fields, numbers, negations, suffixes, case-insensitive or IP-like values', () => {
    expect(lits({ account: ['111122223333'] })).toBeNull()
    expect(lits({ detail: { n: [{ numeric: ['>', 5] }] } })).toBeNull()
    expect(lits({ detail: { e: [{ 'anything-but': 'x' }] } })).toBeNull()
    expect(lits({ detail: { e: [{ suffix: 'Acl' }] } })).toBeNull()
    expect(lits({ detail: { e: [{ 'equals-ignore-case': 'putbucketacl' }] } })).toBeNull()
    expect(lits({ detail: { sourceIPAddress: ['10.0.0.1'] } })).toBeNull()
  })

  it('joins the alternatives of every $or branch, or gives up when one branch has none', () => {
    expect(lits({ detail: { $or: [{ a: ['Xyz'] }, { b: ['Qrs'] }] } })).toEqual([['"Xyz"'], ['"Qrs"']])
    expect(lits({ detail: { $or: [{ a: ['Xyz'] }, { b: [{ exists: true }] }] } })).toBeNull()
  })
})
