import { describe, expect, it } from 'vitest'
import type { Finding } from './finding.js'
import { ExposureTracker } from './exposure-tracker.js'

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
