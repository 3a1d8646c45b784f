import { describe, expect, it } from 'vitest'
import type { Finding } from './finding.js'
import type { CarriedClosing } from './carry.js'
import type { Exposure } from '../match/matcher.js'
import { byClosingOrder, ClosingIndex, ExposureTracker } from './exposure-tracker.js'

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'
const aclCall = (time: string, grant: Record<string, unknown>) => ({
  eventTime: time,
  eventID: `e-${time}`,
  eventName: 'PutBucketAcl',
  eventSource: 's3.amazonaws.com',
  requestParameters: {
    bucketName: 'b',
    AccessControlPolicy: { AccessControlList: { Grant: [{ Grantee: { ID: 'owner' }, Permission: 'FULL_CONTROL' }, grant] } },
  },
})
const exposed = { eventTime: '2024-05-01T10:00:00Z', account: '111122223333' } as Finding

describe('ExposureTracker and ACL grants', () => {
  it('does not take an ACL that still grants a public group, Permission unreadable, as making the bucket private', () => {
    const t = new ExposureTracker()
    t.observe(aclCall('2024-05-01T11:00:00Z', { Grantee: { URI: ALL_USERS } }))
    t.observe(aclCall('2024-05-01T11:30:00Z', { Grantee: { URI: ALL_USERS }, Permission: 'REED' }))
    expect(t.remediationOf(exposed, { kind: 'acl', bucket: 'b' })).toBeNull()
    t.observe(aclCall('2024-05-01T12:00:00Z', { Grantee: { ID: 'someone' }, Permission: 'READ' }))
    expect(t.remediationOf(exposed, { kind: 'acl', bucket: 'b' })?.eventTime).toBe('2024-05-01T12:00:00Z')
  })
})

describe('ClosingIndex', () => {
  const KINDS = ['acl', 'object-acl', 'policy'] as const
  // A small deterministic generator: the same cases on every run.
  const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31

  /** The rule as stated: the earliest closing after the exposure on its bucket, object or account, ties by byClosingOrder. */
  function reference(closings: CarriedClosing[], e: Exposure, account: string | null, eventTime: string): CarriedClosing | undefined {
    const t = Date.parse(eventTime)
    const fits = closings.filter(
      (c) =>
        Date.parse(c.eventTime) > t &&
        c.closes.includes(e.kind) &&
        (c.account !== undefined
          ? c.account === account
          : c.bucket === e.bucket && (e.kind !== 'object-acl' || c.key === undefined || c.key === e.key)),
    )
    return fits.reduce<CarriedClosing | undefined>((best, c) => (!best || byClosingOrder(c, best) < 0 ? c : best), undefined)
  }

  function closing(r: () => number, i: number): CarriedClosing {
    const c: CarriedClosing = {
      // Few distinct seconds, so equal times are common; now and then one that cannot be read.
      eventTime: r() < 0.02 ? 'not a time' : `2024-05-01T10:0${Math.floor(r() * 6)}:00Z`,
      eventId: r() < 0.1 ? null : `e${Math.floor(r() * 40)}`,
      eventName: 'PutBucketAcl',
      actor: { arn: `arn:aws:iam::1:user/u${i}`, type: null, userName: null, accessKeyId: null, accountId: null, sessionIssuer: null },
      how: 'x',
      closes: KINDS.filter(() => r() < 0.5),
    }
    if (r() < 0.15) c.account = r() < 0.5 ? '111122223333' : '444455556666'
    else c.bucket = `b${Math.floor(r() * 4)}`
    if (r() < 0.3) c.key = `k${Math.floor(r() * 3)}`
    return c
  }

  it('names the same closing as the rule does, ties and unreadable times included', () => {
    const r = random(7)
    const closings = Array.from({ length: 300 }, (_, i) => closing(r, i))
    const index = new ClosingIndex(closings)
    let found = 0
    for (let i = 0; i < 500; i++) {
      const e: Exposure = {
        kind: KINDS[Math.floor(r() * 3)]!,
        bucket: `b${Math.floor(r() * 5)}`,
        ...(r() < 0.5 ? { key: `k${Math.floor(r() * 3)}` } : {}),
      }
      const account = r() < 0.2 ? null : r() < 0.5 ? '111122223333' : '444455556666'
      const time = r() < 0.02 ? 'never' : `2024-05-01T10:0${Math.floor(r() * 6)}:00Z`
      const want = reference(closings, e, account, time)
      expect(index.of(e, account, time)).toBe(want)
      if (want) found++
    }
    expect(found).toBeGreaterThan(100)
  })

  it('looks only at the closings on the exposure’s own bucket or account, not at every closing', () => {
    // 5,000 buckets, one closing each; 2,000 exposures. Scanning every closing per exposure is 10 million looks.
    let looks = 0
    const closings = Array.from({ length: 5000 }, (_, i) => {
      const closes: Exposure['kind'][] = ['acl']
      Object.defineProperty(closes, 'includes', { value: (k: Exposure['kind']) => (looks++, Array.prototype.includes.call(closes, k)) })
      return { ...closing(random(i), i), eventTime: '2024-05-01T11:00:00Z', bucket: `bucket-${i}`, closes }
    })
    for (const c of closings) delete c.account
    const index = new ClosingIndex(closings)
    for (let i = 0; i < 2000; i++)
      expect(index.of({ kind: 'acl', bucket: `bucket-${i}` }, '111122223333', '2024-05-01T10:00:00Z')).toBe(closings[i])
    expect(looks).toBeLessThanOrEqual(2000)
  })
})
