import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CarryError,
  compileRule,
  listLocalObjects,
  loadRuleSet,
  localObject,
  mergeEmitCarries,
  newEmitCarry,
  parseEmitCarry,
  scan,
  type CompiledRule,
  type EmitCarry,
  type Finding,
  type LogObject,
  type RuleSpec,
} from '@trailscan/engine'

/**
 * ScanOptions.carry (emit/carry.ts): alarm periods and public exposures that span scan() calls, each call one
 * "run" of a scheduled scan.
 */

const repo = fileURLToPath(new URL('../../../', import.meta.url))
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-carry-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

let files = 0
async function object(records: object[]): Promise<LogObject> {
  const text = JSON.stringify({ Records: records })
  const path = join(dir, `${++files}.json`)
  await writeFile(path, text)
  return localObject(path, text.length)
}

const rootRule = (threshold: number): CompiledRule =>
  compileRule({
    id: 'root-call',
    title: 'Root call',
    description: 'any call by the root user',
    severity: 'high',
    language: 'cwl-filter',
    pattern: '{ $.userIdentity.type = "Root" }',
    alarm: { statistic: 'Sum', threshold, periodSeconds: 300, evaluationPeriods: 1 },
    examples: { match: [], noMatch: [] },
  } as unknown as RuleSpec)

const rootCall = (eventID: string, eventTime: string): object => ({
  eventVersion: '1.08',
  userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
  eventTime,
  eventSource: 'ec2.amazonaws.com',
  eventName: 'DescribeInstances',
  awsRegion: 'eu-west-1',
  eventID,
  recipientAccountId: '111122223333',
})

async function run(objects: LogObject[], rules: readonly CompiledRule[], carry?: EmitCarry, signal?: AbortSignal) {
  const findings: Finding[] = []
  const summary = await scan({
    objects,
    rules,
    alarms: true,
    concurrency: 1,
    ...(carry ? { carry } : {}),
    ...(signal ? { signal } : {}),
    onFinding: (f) => findings.push(f),
  })
  return { summary, findings }
}

describe('alarm periods across runs', () => {
  it('counts a period whose events arrive in two runs once, in full, in the run where it breaches', async () => {
    const rules = [rootRule(3)]
    const carry = newEmitCarry()
    const first = await run([await object([rootCall('a1', '2024-03-05T10:01:00Z'), rootCall('a2', '2024-03-05T10:02:00Z')])], rules, carry)
    expect(first.summary.alarms).toEqual([])
    const second = await run([await object([rootCall('a3', '2024-03-05T10:04:59Z')])], rules, carry)
    expect(second.summary.alarms).toMatchObject([
      { kind: 'alarm', ruleId: 'root-call', periodStart: '2024-03-05T10:00:00.000Z', periodEnd: '2024-03-05T10:05:00.000Z', count: 3 },
    ])
    expect(second.summary.alarms[0]!.id).toMatch(/^[0-9a-f]{32}$/)
    // Late events for a period already reported never report it again.
    const third = await run([await object([rootCall('a4', '2024-03-05T10:03:00Z')])], rules, carry)
    expect(third.summary.alarms).toEqual([])
  })

  it('counts an event delivered again in a later run once', async () => {
    const rules = [rootRule(2)]
    const carry = newEmitCarry()
    await run([await object([rootCall('d1', '2024-03-05T11:00:00Z')])], rules, carry)
    // The same event, in another object: it was counted already, so the period stays below 2.
    const again = await run([await object([rootCall('d1', '2024-03-05T11:00:00Z')])], rules, carry)
    expect(again.summary.alarms).toEqual([])
    const more = await run([await object([rootCall('d2', '2024-03-05T11:01:00Z')])], rules, carry)
    expect(more.summary.alarms).toMatchObject([{ periodStart: '2024-03-05T11:00:00.000Z', count: 2 }])
  })

  it('gives a period an id of its rule and start, the same in whichever run reports it', async () => {
    const rules = [rootRule(1)]
    const one = await run([await object([rootCall('i1', '2024-03-05T12:00:00Z'), rootCall('i2', '2024-03-05T12:05:00Z')])], rules)
    const carry = newEmitCarry()
    await run([await object([rootCall('i3', '2024-03-05T11:55:00Z')])], rules, carry)
    const two = await run([await object([rootCall('i4', '2024-03-05T12:01:00Z'), rootCall('i5', '2024-03-05T12:06:00Z')])], rules, carry)
    const ids = one.summary.alarms.map((a) => a.id)
    expect(ids).toHaveLength(2)
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/)
    expect(ids[1]).not.toBe(ids[0])
    expect(two.summary.alarms.map((a) => a.id)).toEqual(ids)
  })

  it('drops periods behind the horizon, measured from the newest event, and no longer counts events in them', async () => {
    const rules = [rootRule(1)]
    const carry = newEmitCarry({ horizonDays: 2 })
    await run([await object([rootCall('h1', '2024-03-01T10:00:00Z')])], rules, carry)
    await run([await object([rootCall('h2', '2024-03-05T10:00:00Z')])], rules, carry)
    expect(carry.newest).toBe('2024-03-05T10:00:00Z')
    // The next run starts without the 03-01 period: three days behind 03-05.
    const late = await run([await object([rootCall('h3', '2024-03-01T10:01:00Z'), rootCall('h4', '2024-03-04T10:00:00Z')])], rules, carry)
    expect(late.summary.alarms.map((a) => a.periodStart)).toEqual(['2024-03-04T10:00:00.000Z'])
    expect(carry.alarms[0]!.periods.map((p) => p.start)).toEqual(['2024-03-04T10:00:00.000Z', '2024-03-05T10:00:00.000Z'])
  })

  it('does not let a record dated far in the future move the horizon past real events', async () => {
    const rules = [rootRule(1)]
    const carry = newEmitCarry({ horizonDays: 2 })
    await run([await object([rootCall('f1', '9999-01-01T00:00:00Z')])], rules, carry)
    expect(Date.parse(carry.newest!)).toBeLessThan(Date.now() + 2 * 86_400_000)
    const now = new Date(Date.now() - 3_600_000).toISOString()
    const next = await run([await object([rootCall('f2', now)])], rules, carry)
    expect(next.summary.alarms).toHaveLength(1)
  })
})

const ALICE = 'arn:aws:iam::111122223333:user/alice'
const BOB = 'arn:aws:iam::111122223333:user/bob'
const bucketAcl = (eventID: string, eventTime: string, acl: Record<string, string>, arn: string): object => ({
  eventVersion: '1.09',
  userIdentity: { type: 'IAMUser', arn, accountId: '111122223333', userName: arn.split('/')[1] },
  eventTime,
  eventSource: 's3.amazonaws.com',
  eventName: 'PutBucketAcl',
  awsRegion: 'us-east-1',
  requestParameters: { bucketName: 'example-assets', acl: '', accessControlList: acl },
  eventID,
  recipientAccountId: '111122223333',
})
const makePublic = (id: string, time: string) =>
  bucketAcl(id, time, { 'x-amz-grant-read': 'uri=http://acs.amazonaws.com/groups/global/AllUsers' }, ALICE)
const makePrivate = (id: string, time: string) => bucketAcl(id, time, { 'x-amz-acl': 'private' }, BOB)

let publicS3: CompiledRule[]
beforeAll(async () => {
  publicS3 = (await loadRuleSet([join(repo, 'packages/rules/rules/public-s3')])).rules
})

describe('public exposures across runs', () => {
  it('reports an exposure closed in a later run as a remediation naming the finding, when and by whom', async () => {
    const carry = newEmitCarry()
    const first = await run([await object([makePublic('p1', '2024-06-04T09:00:00Z')])], publicS3, carry)
    const [exposure] = first.findings
    expect(exposure).toMatchObject({ ruleId: 'public-s3-acl-cli', details: { remediated: null } })
    expect(first.summary.remediations).toBeUndefined()

    const second = await run([await object([makePrivate('p2', '2024-06-04T09:30:00Z')])], publicS3, carry)
    expect(second.findings).toEqual([])
    expect(second.summary.remediations).toEqual([
      {
        kind: 'remediation',
        id: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
        findingId: exposure!.id,
        ruleId: 'public-s3-acl-cli',
        account: '111122223333',
        bucket: 'example-assets',
        exposedAt: '2024-06-04T09:00:00Z',
        eventTime: '2024-06-04T09:30:00Z',
        eventId: 'p2',
        eventName: 'PutBucketAcl',
        actor: { arn: BOB, type: 'IAMUser', userName: 'bob', accessKeyId: null, accountId: '111122223333', sessionIssuer: null },
        how: 'ACL replaced with one that grants no public group',
      },
    ])
    // Closed and reported: a third run says nothing more about it.
    const third = await run([await object([makePrivate('p3', '2024-06-04T10:00:00Z')])], publicS3, carry)
    expect(third.summary.remediations).toBeUndefined()
    expect(carry.exposures).toEqual([])
  })

  it('closes an exposure delivered late with a closing call an earlier run saw', async () => {
    const carry = newEmitCarry()
    await run([await object([makePrivate('q2', '2024-06-04T09:30:00Z')])], publicS3, carry)
    const late = await run([await object([makePublic('q1', '2024-06-04T09:00:00Z')])], publicS3, carry)
    expect(late.findings[0]!.details!.remediated).toEqual({
      eventTime: '2024-06-04T09:30:00Z',
      eventId: 'q2',
      eventName: 'PutBucketAcl',
      by: BOB,
      how: 'ACL replaced with one that grants no public group',
    })
    expect(late.summary.remediations).toBeUndefined()
  })
})

describe('closing calls in the carry', () => {
  it('keeps DeleteObject calls two days behind the newest event, other closing calls for the whole horizon', async () => {
    const deleteObject = {
      ...(makePrivate('k1', '2024-06-04T09:00:00Z') as Record<string, unknown>),
      eventName: 'DeleteObject',
      eventID: 'k2',
      requestParameters: { bucketName: 'example-assets', key: 'a.txt' },
    }
    const carry = newEmitCarry()
    await run([await object([makePrivate('k1', '2024-06-04T09:00:00Z'), deleteObject])], [rootRule(1)], carry)
    expect(carry.closings.map((c) => c.eventName)).toEqual(['PutBucketAcl', 'DeleteObject'])
    await run([await object([rootCall('k3', '2024-06-06T09:00:01Z')])], [rootRule(1)], carry)
    // Dropped when the next run starts, from the newest event the carry has seen by then.
    expect(carry.closings.map((c) => c.eventName)).toEqual(['PutBucketAcl', 'DeleteObject'])
    await run([], [rootRule(1)], carry)
    expect(carry.closings.map((c) => c.eventName)).toEqual(['PutBucketAcl'])
  })
})

describe('the carry as data', () => {
  it('round-trips through JSON: the next run from the parsed copy gives what the object itself gives', async () => {
    const rules = [...publicS3, rootRule(2)]
    const carry = newEmitCarry()
    await run([await object([makePublic('r1', '2024-06-04T09:00:00Z'), rootCall('r2', '2024-06-04T09:01:00Z')])], rules, carry)
    const copy = parseEmitCarry(JSON.stringify(carry))
    expect(copy).toEqual(carry)
    const next = [await object([makePrivate('r3', '2024-06-04T09:30:00Z'), rootCall('r4', '2024-06-04T09:02:00Z')])]
    const a = await run(next, rules, carry)
    const b = await run(next, rules, copy)
    expect(b.summary.alarms).toEqual(a.summary.alarms)
    expect(b.summary.remediations).toEqual(a.summary.remediations)
    expect(a.summary.alarms).toHaveLength(1)
    expect(a.summary.remediations).toHaveLength(1)
    expect(copy).toEqual(carry)
  })

  it('refuses a damaged carry, naming what is wrong, and scan() leaves it as it was', async () => {
    const good = newEmitCarry()
    await run([await object([rootCall('z1', '2024-03-05T10:00:00Z')])], [rootRule(2)], good)
    const json = JSON.parse(JSON.stringify(good)) as Record<string, unknown>
    const damaged: [unknown, RegExp][] = [
      ['{"format": "trailscan-emit-carry", "version"', /not JSON/],
      [[], /the carry: an object expected/],
      [{ ...json, format: 'something-else' }, /not an emit carry/],
      [{ ...json, version: 2 }, /version 2 is not supported/],
      [{ ...json, newest: 'yesterday' }, /newest: an ISO 8601 time expected/],
      [{ ...json, closings: {} }, /closings: an array expected/],
      [JSON.stringify(json).replace('"count":1', '"count":5'), /alarms\[0\]\.periods\[0\]: count 5 but 1 finding ids/],
      [JSON.stringify(json).replace('"reported":null', '"reported":"maybe"'), /alarms\[0\]\.periods\[0\]\.reported/],
    ]
    for (const [input, message] of damaged) {
      expect(() => parseEmitCarry(input)).toThrow(message)
      expect(() => parseEmitCarry(input)).toThrow(CarryError)
    }
    const bad = { ...json, version: 7 } as unknown as EmitCarry
    const before = JSON.stringify(bad)
    await expect(run([await object([rootCall('z2', '2024-03-05T10:01:00Z')])], [rootRule(2)], bad)).rejects.toThrow(/version 7/)
    expect(JSON.stringify(bad)).toBe(before)
  })

  it('is updated by an interrupted scan for the objects whose findings went out, and only those', async () => {
    const rules = [...publicS3, rootRule(5)]
    const objects = [
      await object([rootCall('s1', '2024-03-05T10:00:00Z'), makePublic('s2', '2024-03-05T10:00:30Z')]),
      await object([rootCall('s3', '2024-03-05T10:10:00Z')]),
      await object([rootCall('s4', '2024-03-05T10:20:00Z')]),
    ]
    const carry = newEmitCarry()
    const stop = new AbortController()
    const findings: Finding[] = []
    const summary = await scan({
      objects,
      rules,
      alarms: true,
      concurrency: 1,
      carry,
      signal: stop.signal,
      onFinding: (f) => findings.push(f),
      onObject: () => stop.abort(),
    })
    expect(summary.interrupted).toBe(true)
    expect(findings.map((f) => f.eventId)).toEqual(['s1', 's2'])
    const counted = carry.alarms.flatMap((r) => r.periods.flatMap((p) => p.findingIds ?? []))
    expect(counted).toEqual([findings[0]!.id])
    expect(carry.exposures.map((e) => e.findingId)).toEqual([findings[1]!.id])

    // The next run over the objects not emitted completes the picture.
    await run(objects.slice(1), rules, carry)
    expect(carry.alarms[0]!.periods.map((p) => p.start)).toEqual([
      '2024-03-05T10:00:00.000Z',
      '2024-03-05T10:10:00.000Z',
      '2024-03-05T10:20:00.000Z',
    ])
  })
})

describe('mergeEmitCarries: shards merged give what one run gives', () => {
  let rules: CompiledRule[]
  let objects: LogObject[]
  beforeAll(async () => {
    const packs = ['cis-aws-foundations', 'public-s3', 's3-hardening', 's3-policy-changes'].map((p) =>
      join(repo, 'packages/rules/rules', p),
    )
    // A threshold above 1 over an hour, so periods fill up from several objects, and so from several shards.
    const s3Calls = compileRule({
      id: 's3-calls',
      title: 'S3 calls',
      description: 'three S3 API calls in an hour',
      severity: 'low',
      language: 'cwl-filter',
      pattern: '{ $.eventSource = "s3.amazonaws.com" }',
      alarm: { statistic: 'Sum', threshold: 3, periodSeconds: 3600, evaluationPeriods: 1 },
      examples: { match: [], noMatch: [] },
    } as unknown as RuleSpec)
    rules = [...(await loadRuleSet(packs)).rules, s3Calls]
    objects = []
    for (const f of ['public-s3', 'cis-controls', 'cis-org-trail'])
      for await (const o of listLocalObjects([join(repo, 'fixtures', f)])) objects.push(o)
  })

  /** Deterministic shuffles: object i goes to shard pick(i). */
  const splits: [string, (i: number, n: number) => number, number][] = [
    ['everything in one shard, two empty', () => 1, 3],
    ['round robin in 2', (i) => i % 2, 2],
    ['round robin in 3', (i) => i % 3, 3],
    ['halves, the later first', (i, n) => (i < n / 2 ? 1 : 0), 2],
    ['scattered in 4', (i) => ((i * 7 + 3) % 5) % 4, 4],
    ['one object per shard', (i) => i, Infinity],
  ]

  it.each([0, 5, 12])('with a carry from a run over the first %i objects', async (k) => {
    const base = newEmitCarry()
    await run(objects.slice(0, k), rules, base)
    const rest = objects.slice(k)
    const single = await run(rest, rules, structuredClone(base))
    const singleCarry = structuredClone(base)
    await run(rest, rules, singleCarry)
    expect(single.summary.alarms.length).toBeGreaterThan(0)

    for (const [name, pick, n] of splits) {
      const count = Math.min(n, rest.length)
      const parts: LogObject[][] = Array.from({ length: count }, () => [])
      rest.forEach((o, i) => parts[pick(i, rest.length) % count]!.push(o))
      const carries: EmitCarry[] = []
      const found = new Map<string, Finding>()
      for (const part of parts) {
        const carry = structuredClone(base)
        const r = await run(part, rules, carry)
        for (const f of r.findings) found.set(f.id, f)
        carries.push(JSON.parse(JSON.stringify(carry)) as EmitCarry)
      }
      const merged = mergeEmitCarries(carries)
      expect(merged.alarms, name).toEqual(single.summary.alarms)
      expect(merged.remediations, name).toEqual(single.summary.remediations ?? [])
      expect(merged.carry, name).toEqual(singleCarry)
      // Exposure findings: what the single run wrote in details.remediated, the merge gives by finding id.
      const exposures = single.findings.filter(
        (f) => f.details && 'remediated' in f.details && !base.exposures.some((e) => e.findingId === f.id),
      )
      expect(exposures.length).toBeGreaterThan(k === 0 ? 10 : 0)
      expect(new Map(exposures.map((f) => [f.id, f.details!.remediated]))).toEqual(merged.remediated)
      expect([...found.keys()].sort(), name).toEqual(single.findings.map((f) => f.id).sort())
    }
  })

  it('finds remediations across shards for exposures of an earlier run', async () => {
    const base = newEmitCarry()
    const exposing = objects.filter((o) => /0910Z|0920Z/.test(o.uri))
    await run(exposing, rules, base)
    expect(base.exposures.length).toBeGreaterThan(0)
    const rest = objects.filter((o) => !exposing.includes(o))
    const single = await run(rest, rules, structuredClone(base))
    expect(single.summary.remediations?.length).toBeGreaterThan(0)
    const carries = await Promise.all(
      [0, 1, 2].map(async (s) => {
        const carry = structuredClone(base)
        await run(
          rest.filter((_, i) => i % 3 === s),
          rules,
          carry,
        )
        return carry
      }),
    )
    expect(mergeEmitCarries(carries).remediations).toEqual(single.summary.remediations)
  })

  it('refuses shards that did not start from the same carry, and no shards at all', async () => {
    expect(() => mergeEmitCarries([])).toThrow(/no shard carries/)
    expect(() => mergeEmitCarries([newEmitCarry(), newEmitCarry({ horizonDays: 3 })])).toThrow(/shard 1 keeps 3 days/)
    const a = newEmitCarry()
    await run([await object([rootCall('m1', '2024-03-05T10:00:00Z')])], [rootRule(1)], a)
    const next = structuredClone(a)
    await run([await object([rootCall('m2', '2024-03-05T10:01:00Z')])], [rootRule(1)], next)
    // `a` still holds the period as reported by its own run; `next` as reported earlier: two different bases.
    expect(() => mergeEmitCarries([a, next])).toThrow(/not from the same carry/)
    expect(() => mergeEmitCarries([a, { ...a, version: 3 } as unknown as EmitCarry])).toThrow(/shard 1: version 3/)
  })
})
