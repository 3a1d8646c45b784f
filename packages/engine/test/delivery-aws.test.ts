/**
 * Delivery with the real SDK v3 clients against loopback endpoints that speak each service's wire protocol
 * (support/aws-endpoints.ts), and real findings from the fixtures. Every test checks that nothing is dropped:
 * each finding comes back sent or failed, and the failed ones are in the outbox.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Finding } from '../src/index.js'
import { EventBridgeSink, EVENT_DETAIL_TYPE } from '../src/emit/delivery/eventbridge.js'
import { SecurityHubSink } from '../src/emit/delivery/securityhub.js'
import { SnsSink, SNS_MAX_BYTES } from '../src/emit/delivery/sns.js'
import {
  eventEntryBytes,
  snsMessageBytes,
  startEventBridge,
  startSecurityHub,
  startSns,
  type FakeEventBridge,
  type FakeSecurityHub,
  type FakeSns,
} from './support/aws-endpoints.js'
import { deliverAll, nothingDropped } from './support/delivery-run.js'
import { sampleFindings } from './support/sample-findings.js'

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trailscan-alerts'

let findings: Finding[]

beforeAll(async () => {
  findings = await sampleFindings()
  // More than one batch of every kind.
  expect(findings.length).toBeGreaterThan(10)
})

beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE')
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')
  vi.stubEnv('AWS_SESSION_TOKEN', undefined)
  vi.stubEnv('AWS_PROFILE', undefined)
  vi.stubEnv('AWS_REGION', 'us-east-1')
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true')
  vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true')
})

describe('sns:TOPIC_ARN', () => {
  let sns: FakeSns
  beforeEach(async () => {
    sns = await startSns()
  })
  afterAll(() => sns?.stop())

  it('publishes one message per finding, 10 per call, with severity and ruleId attributes and a readable subject', async () => {
    const { report, failures } = await deliverAll(new SnsSink(TOPIC, { endpointUrl: sns.url }), findings)
    await sns.stop()
    expect(sns.violations).toEqual([])
    expect(failures).toEqual([])
    nothingDropped(report, findings, failures)
    expect(sns.published.length).toBe(findings.length)
    expect(sns.batches.length).toBe(Math.ceil(findings.length / 10))
    for (const b of sns.batches) expect(b.length).toBeLessThanOrEqual(10)
    for (const m of sns.published) {
      const body = JSON.parse(m.Message) as { findingId: string; finding: Finding }
      const f = findings.find((x) => x.id === body.findingId)!
      expect(m.TopicArn).toBe(TOPIC)
      expect(m.MessageAttributes).toEqual({
        severity: { DataType: 'String', StringValue: f.severity },
        ruleId: { DataType: 'String', StringValue: f.ruleId },
      })
      expect(snsMessageBytes(m)).toBeLessThanOrEqual(SNS_MAX_BYTES)
      expect(m.Subject).toMatch(new RegExp(`^\\[${f.severity.toUpperCase()}\\] `))
      expect(m.Subject!.length).toBeLessThan(100)
      expect(body.finding).toEqual(f)
    }
  })

  it("carries what the AWS Storage Blog's notification carries: source IP, region, time, bucket, account, the new policy", async () => {
    const policy = findings.find((f) => f.ruleId === 's3-policy-change' && f.eventName === 'PutBucketPolicy')!
    expect(policy).toBeDefined()
    await deliverAll(new SnsSink(TOPIC, { endpointUrl: sns.url }), [policy])
    const body = JSON.parse(sns.published[0]!.Message) as Record<string, unknown>
    expect(body).toMatchObject({
      sourceIp: policy.sourceIp,
      region: policy.region,
      time: policy.eventTime,
      bucket: policy.details!.bucket,
      account: policy.account,
      newPolicy: policy.details!.newPolicy,
    })
    expect(body.sourceIp).toEqual(expect.any(String))
    expect(body.bucket).toEqual(expect.any(String))
    expect(body.newPolicy).toEqual(expect.any(Object))
  })

  it('keeps a finding with a huge policy under 256 KB, saying what was left out', async () => {
    const big: Finding = { ...findings[0]!, id: 'big', details: { bucket: 'b', newPolicy: { Statement: 'x'.repeat(400_000) } } }
    const { failures } = await deliverAll(new SnsSink(TOPIC, { endpointUrl: sns.url }), [big])
    expect(failures).toEqual([])
    const m = sns.published[0]!
    expect(snsMessageBytes(m)).toBeLessThanOrEqual(SNS_MAX_BYTES)
    expect(m.Message).toMatch(/left out: \d+ bytes, over SNS's 256 KB message limit/)
    expect((JSON.parse(m.Message) as { bucket: string }).bucket).toBe('b')
  })

  it('packs big messages so that no call goes over 256 KB', async () => {
    const list = findings.slice(0, 10).map((f, i) => ({ ...f, id: `p${i}`, details: { newPolicy: 'y'.repeat(60_000) } }))
    const { failures } = await deliverAll(new SnsSink(TOPIC, { endpointUrl: sns.url }), list)
    expect(failures).toEqual([])
    expect(sns.violations).toEqual([])
    expect(sns.published.length).toBe(10)
    expect(sns.batches.length).toBeGreaterThan(1)
  })

  it('retries throttled calls and failed entries, and reports each finding that keeps failing', async () => {
    sns.throttle(2)
    const bad = new Set(findings.slice(0, 3).map((f) => f.id))
    sns.failItems((m, before) => {
      const id = (JSON.parse(m.Message) as { findingId: string }).findingId
      if (bad.has(id)) return { code: 'InvalidParameter', message: 'Invalid parameter: Message', senderFault: true }
      // A service-side failure of one entry the first time: sent again, then accepted.
      return before === 0 && id === findings[5]!.id ? { code: 'InternalError', senderFault: false } : undefined
    })
    const { report, failures } = await deliverAll(new SnsSink(TOPIC, { endpointUrl: sns.url }), findings)
    nothingDropped(report, findings, failures)
    expect(failures.map((f) => f.findingId).sort()).toEqual([...bad].sort())
    expect(failures.every((f) => f.code === 'InvalidParameter')).toBe(true)
    expect(sns.published.length).toBe(findings.length - 3)
    expect(report.summary.destinations[0]!.retries).toBeGreaterThan(0)
    expect(report.outbox.entries).toEqual([{ destination: `sns:${TOPIC}`, findings: findings.filter((f) => bad.has(f.id)) }])
  })

  it('fails every finding, none lost, when the endpoint keeps throttling', async () => {
    sns.throttle(1000)
    const list = findings.slice(0, 12)
    const { report, failures } = await deliverAll(new SnsSink(TOPIC, { endpointUrl: sns.url }), list)
    nothingDropped(report, list, failures)
    expect(report.summary.destinations[0]!.sent).toBe(0)
    expect(failures[0]!.code).toBe('Throttling')
    expect(failures[0]!.message).toMatch(/still failing after 4 attempts/)
    // 2 batches × 4 attempts.
    expect(sns.server.requests.length).toBe(8)
  })
})

describe('eventbridge:BUS', () => {
  let eb: FakeEventBridge
  beforeEach(async () => {
    eb = await startEventBridge()
  })
  afterAll(() => eb?.stop())

  it('puts each finding as an event (source trailscan, the finding as detail), 10 entries per call', async () => {
    const { report, failures } = await deliverAll(new EventBridgeSink('security-findings', { endpointUrl: eb.url }), findings)
    expect(eb.violations).toEqual([])
    expect(failures).toEqual([])
    nothingDropped(report, findings, failures)
    expect(eb.batches.length).toBe(Math.ceil(findings.length / 10))
    expect(eb.accepted.map((e) => JSON.parse(e.Detail) as Finding)).toEqual(findings)
    for (const e of eb.accepted) {
      expect(e).toMatchObject({ Source: 'trailscan', DetailType: EVENT_DETAIL_TYPE, EventBusName: 'security-findings' })
      expect(eventEntryBytes(e)).toBeLessThan(256_000)
    }
  })

  it('keeps every call under 1 MB and every entry under 256 KB', async () => {
    const list = findings.slice(0, 10).map((f, i) => ({ ...f, id: `e${i}`, details: { newPolicy: 'z'.repeat(200_000) } }))
    list.push({ ...findings[0]!, id: 'huge', details: { newPolicy: 'z'.repeat(600_000) } })
    const { failures } = await deliverAll(new EventBridgeSink('security-findings', { endpointUrl: eb.url }), list)
    expect(failures).toEqual([])
    expect(eb.violations).toEqual([])
    expect(eb.accepted.length).toBe(11)
    for (const b of eb.batches) expect(b.reduce((n, e) => n + eventEntryBytes(e), 0)).toBeLessThanOrEqual(1_000_000)
    for (const e of eb.accepted) expect(eventEntryBytes(e)).toBeLessThanOrEqual(256_000)
    expect(eb.accepted.find((e) => e.Detail.includes('"id":"huge"'))!.Detail).toMatch(/left out: \d+ bytes/)
  })

  it('sends failed entries again and reports those that keep failing, one finding at a time', async () => {
    eb.throttle(1)
    const poison = findings[1]!.id
    eb.failItems((e, before) => {
      const id = (JSON.parse(e.Detail) as Finding).id
      if (id === poison) return { code: 'MalformedDetail', message: 'Detail is malformed.' }
      return before === 0 && id === findings[7]!.id ? { code: 'ThrottlingException', message: 'Rate exceeded' } : undefined
    })
    const { report, failures } = await deliverAll(new EventBridgeSink('security-findings', { endpointUrl: eb.url }), findings)
    nothingDropped(report, findings, failures)
    expect(failures).toEqual([{ findingId: poison, ruleId: findings[1]!.ruleId, code: 'MalformedDetail', message: 'Detail is malformed.' }])
    expect(eb.accepted.length).toBe(findings.length - 1)
    // The entry throttled once was sent again, alone with nothing else re-sent.
    expect(eb.batches.flat().filter((e) => e.Detail.includes(`"id":"${findings[7]!.id}"`)).length).toBe(2)
  })

  it('sends to the region of a bus named by ARN', async () => {
    const arn = 'arn:aws:events:eu-west-1:111122223333:event-bus/security'
    await deliverAll(new EventBridgeSink(arn, { endpointUrl: eb.url }), findings.slice(0, 1))
    expect(String(eb.server.requests[0]!.headers.authorization)).toMatch(/\/eu-west-1\/events\/aws4_request/)
    expect(eb.accepted[0]!.EventBusName).toBe(arn)
  })
})

describe('securityhub', () => {
  let hub: FakeSecurityHub
  beforeEach(async () => {
    hub = await startSecurityHub()
  })
  afterAll(() => hub?.stop())

  /** `n` distinct findings (their own ids) of `f`'s account and region. */
  const copies = (f: Finding, n: number, tag: string): Finding[] =>
    Array.from({ length: n }, (_, i) => ({ ...f, id: `${tag}-${i}`, eventId: `${tag}-${i}` }))

  it('imports ASFF findings with the required fields, at most 100 per call, each in its own account and region', async () => {
    const list = [...findings, ...copies(findings[0]!, 230, 'bulk')]
    const { report, failures } = await deliverAll(new SecurityHubSink({ endpointUrl: hub.url }), list)
    expect(hub.violations).toEqual([])
    expect(failures).toEqual([])
    nothingDropped(report, list, failures)
    expect(hub.stored.size).toBe(list.length)
    expect(Math.max(...hub.batches.map((b) => b.length))).toBe(100)
    for (const b of hub.batches) expect(new Set(b.map((f) => `${f.AwsAccountId} ${String(f.Region)}`)).size).toBe(1)
    for (const f of list) {
      const asff = [...hub.stored.values()].find((s) => s.finding.Id === f.id)!.finding
      expect(asff).toMatchObject({
        SchemaVersion: '2018-10-08',
        Id: f.id,
        ProductArn: `arn:aws:securityhub:${f.region}:${f.account}:product/${f.account}/default`,
        GeneratorId: expect.stringContaining(f.ruleId),
        AwsAccountId: f.account,
        Types: expect.any(Array),
        CreatedAt: expect.any(String),
        UpdatedAt: expect.any(String),
        Severity: { Label: expect.stringMatching(/^(INFORMATIONAL|LOW|MEDIUM|HIGH|CRITICAL)$/) },
        Title: expect.any(String),
        Description: expect.any(String),
        Resources: expect.any(Array),
      })
    }
    // Each call went to the Security Hub of the findings' region (SigV4 scope), the region their ProductArn names.
    for (const [i, b] of hub.batches.entries()) {
      const region = String(b[0]!.ProductArn).split(':')[3]
      expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/)
      expect(String(hub.server.requests[i]!.headers.authorization)).toContain(`/${region}/securityhub/`)
    }
  })

  it('updates a finding imported again, never duplicates it', async () => {
    await deliverAll(new SecurityHubSink({ endpointUrl: hub.url }), findings)
    const before = hub.stored.size
    await deliverAll(new SecurityHubSink({ endpointUrl: hub.url }), findings)
    expect(hub.stored.size).toBe(before)
    expect([...hub.stored.values()].every((s) => s.imports === 2)).toBe(true)
  })

  it('retries throttled calls with backoff and reports FailedFindings one finding at a time', async () => {
    hub.throttle(2)
    const bad = new Set([findings[2]!.id, findings[4]!.id])
    hub.failItems((f, before) =>
      bad.has(f.Id)
        ? { code: 'InvalidInput', message: `Finding ${f.Id} is invalid` }
        : before === 0 && f.Id === findings[6]!.id
          ? { code: 'ThrottlingException' }
          : undefined,
    )
    const { report, failures } = await deliverAll(new SecurityHubSink({ endpointUrl: hub.url }), findings)
    nothingDropped(report, findings, failures)
    expect(failures.map((f) => [f.findingId, f.code]).sort()).toEqual([...bad].map((id) => [id, 'InvalidInput']).sort())
    expect(failures.every((f) => f.message === `Finding ${f.findingId} is invalid`)).toBe(true)
    expect(hub.stored.size).toBe(findings.length - 2)
    expect(hub.server.requests.filter((r) => r.headers['x-amzn-errortype'] === undefined).length).toBeGreaterThan(hub.batches.length - 1)
    expect(report.summary.destinations[0]!.retries).toBeGreaterThan(0)
  })

  it("explains an account mismatch (an organization trail's member account) and still imports the caller's own findings", async () => {
    const accounts = [...new Set(findings.map((f) => f.account))]
    expect(accounts.length).toBeGreaterThan(1)
    const [own, member] = accounts as [string, string]
    hub.denyAccount(member, own)
    const list = [
      ...findings,
      ...copies(
        findings.find((f) => f.account === member)!,
        150,
        'member',
      ),
    ]
    const { report, failures } = await deliverAll(new SecurityHubSink({ endpointUrl: hub.url }), list)
    nothingDropped(report, list, failures)
    const memberFindings = list.filter((f) => f.account === member)
    expect(failures.map((f) => f.findingId).sort()).toEqual(memberFindings.map((f) => f.id).sort())
    expect(failures[0]!.code).toBe('AccessDeniedException')
    expect(failures[0]!.message).toContain(`findings of account ${member} can only be imported by account ${member}`)
    expect(failures[0]!.message).toContain(`the caller is account ${own}`)
    expect(failures[0]!.message).toContain('organization trail')
    expect([...hub.stored.values()].every((s) => s.finding.AwsAccountId !== member)).toBe(true)
    expect(hub.stored.size).toBe(list.length - memberFindings.length)
    // Refused once: the caller is the wrong account in every region, so the account's other batches are not sent.
    expect(new Set(memberFindings.map((f) => f.region)).size + Math.ceil(memberFindings.length / 100)).toBeGreaterThan(2)
    expect(hub.server.requests.filter((r) => r.body.includes(`"AwsAccountId":"${member}"`)).length).toBe(1)
  })
})
