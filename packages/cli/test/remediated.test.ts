import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './run-cli.js'

/**
 * `details.remediated` end to end, on the public-s3 fixture (fixtures/README.md, "public-s3"): the exposure tracker
 * sees the calls that close an exposure anywhere in the scan (another object, later in time), and each "made public"
 * finding is written at the end of the scan with the earliest such call after it, or null.
 */

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const id = (n: number): string => `5a3c0000-e000-4000-8000-000000000${n}`
const EXPOSURE_RULES = ['public-s3-acl-console', 'public-s3-acl-cli', 'public-s3-policy', 'public-s3-object-acl']

const terraform = 'arn:aws:sts::111122223333:assumed-role/terraform/terraform'
const carol = 'arn:aws:sts::444455556666:assumed-role/Admin/carol'
const blockPublicAccess = {
  eventTime: '2024-06-04T14:07:20Z',
  eventId: id(502),
  eventName: 'PutBucketPublicAccessBlock',
  by: carol,
  how: 'Block Public Access turned on',
}
/** Exposure event → the call that closed it; every other successful exposure is remediated: null. */
const REMEDIATED: Record<string, unknown> = {
  // the bucket ACL made private by Terraform, in another object, two hours later
  [id(101)]: {
    eventTime: '2024-06-03T11:02:07Z',
    eventId: id(601),
    eventName: 'PutBucketAcl',
    by: terraform,
    how: 'ACL replaced with one that grants no public group',
  },
  // same object: an ACL naming account ids only
  [id(202)]: {
    eventTime: '2024-06-03T09:18:00Z',
    eventId: id(209),
    eventName: 'PutBucketAcl',
    by: 'arn:aws:iam::111122223333:user/alice',
    how: 'ACL replaced with one that grants no public group',
  },
  [id(301)]: {
    eventTime: '2024-06-03T11:02:40Z',
    eventId: id(602),
    eventName: 'DeleteBucketPolicy',
    by: terraform,
    how: 'bucket policy deleted',
  },
  [id(303)]: {
    eventTime: '2024-06-03T11:03:15Z',
    eventId: id(603),
    eventName: 'PutBucketPublicAccessBlock',
    by: terraform,
    how: 'Block Public Access turned on',
  },
  // IgnorePublicAcls on closes object ACLs, although 502 weakens the policy settings; 503 and 507 come later
  [id(401)]: blockPublicAccess,
  [id(402)]: blockPublicAccess,
  [id(403)]: blockPublicAccess,
}

type Line = { ruleId: string; eventId: string; details?: Record<string, unknown> }
let findings: Line[]

beforeAll(async () => {
  const r = await runCli(['scan', 'fixtures/public-s3', '--format', 'jsonl'], { cwd: repo })
  expect(r.code).toBe(0)
  findings = jsonLines(r.stdout) as unknown as Line[]
})

describe('details.remediated on public-exposure findings', () => {
  it('names the earliest later call that closed each exposure, with its time, id, name, caller and what it did', () => {
    const exposures = findings.filter((f) => EXPOSURE_RULES.includes(f.ruleId) && f.details && 'remediated' in f.details)
    const got = Object.fromEntries(exposures.filter((f) => f.details!.remediated !== null).map((f) => [f.eventId, f.details!.remediated]))
    expect(got).toEqual(REMEDIATED)
  })

  it('is null on every successful exposure nothing closed, and absent on failed calls and other rules', () => {
    const withField = findings.filter((f) => f.details && 'remediated' in f.details)
    expect(withField.every((f) => EXPOSURE_RULES.includes(f.ruleId))).toBe(true)
    const open = withField.filter((f) => f.details!.remediated === null).map((f) => f.eventId.slice(-3))
    expect(open.sort()).toEqual(['102', '103', '201', '203', '204', '205', '206', '211', '302', '304', '311'])
    // AccessDenied calls (105, 210, 305, 404) fire their rule at medium but expose nothing
    const failed = findings.filter((f) => EXPOSURE_RULES.includes(f.ruleId) && ['105', '210', '305', '404'].includes(f.eventId.slice(-3)))
    expect(failed).toHaveLength(4)
    for (const f of failed) expect(f.details ?? {}).not.toHaveProperty('remediated')
  })

  it('writes the held exposure findings after the others, oldest first', () => {
    const held = findings.map((f, i) => (f.details && 'remediated' in f.details ? i : -1)).filter((i) => i >= 0)
    expect(held[0]).toBe(findings.length - held.length)
    const times = held.map((i) => (findings[i] as Line & { eventTime: string }).eventTime)
    expect(times).toEqual([...times].sort())
  })
})
