import { describe, expect, it } from 'vitest'
import { parseCloudTrailKey } from './key-layout.js'
import type { LogObject } from './log-object.js'
import { parsePlan, planShards, type ShardPlan } from './shard-plan.js'

const obj = (key: string, size: number, etag = `e-${key.length}-${size}`): LogObject => ({
  uri: `s3://trail/${key}`,
  size,
  etag,
  key: parseCloudTrailKey(key),
  open: () => Promise.reject(new Error('not read in a plan')),
})

const key = (account: string, region: string, day: string, n: number, product = 'CloudTrail'): string =>
  `AWSLogs/${account}/${product}/${region}/${day.replaceAll('-', '/')}/${account}_${product}_${region}_${day.replaceAll('-', '')}T00${String(n).padStart(2, '0')}Z_x.json.gz`

const meta = { listedAt: new Date('2024-06-01T00:00:00Z'), options: {} }

/** Uneven prefixes: one busy account-region-day and many quiet ones, listed in no particular order. */
function listing(): LogObject[] {
  const out: LogObject[] = []
  for (let n = 0; n < 40; n++) out.push(obj(key('111122223333', 'us-east-1', '2024-05-01', n), 10_000))
  for (const region of ['eu-west-1', 'eu-central-1', 'ap-south-1', 'us-west-2'])
    for (const day of ['2024-05-01', '2024-05-02'])
      for (let n = 0; n < 3; n++) out.push(obj(key('444455556666', region, day, n), 1_000 + n))
  return out.reverse()
}

const uris = (p: ShardPlan): string[][] => p.shards.map((s) => s.objects.map((o) => o.uri))

describe('planShards', () => {
  it('gives every object to exactly one shard', () => {
    const objects = listing()
    for (const n of [1, 2, 3, 7, 100]) {
      const plan = planShards(objects, n, {}, meta)
      expect(plan.shards).toHaveLength(n)
      const all = uris(plan).flat()
      expect(all.sort()).toEqual(objects.map((o) => o.uri).sort())
    }
  })

  it('is the same plan for the same listing, whatever order the listing came in', () => {
    const a = planShards(listing(), 3, {}, meta)
    const shuffled = listing().sort((x, y) => (x.etag! < y.etag! ? -1 : 1))
    const b = planShards(shuffled, 3, {}, meta)
    expect(uris(b).map((s) => [...s].sort())).toEqual(uris(a).map((s) => [...s].sort()))
    expect(planShards(listing(), 3, {}, meta)).toEqual(a)
  })

  it('balances shards by stored bytes, splitting a group that alone exceeds a shard by key range', () => {
    const objects = listing()
    const total = objects.reduce((n, o) => n + o.size, 0)
    const plan = planShards(objects, 3, {}, meta)
    const share = Math.ceil(total / 3)
    for (const s of plan.shards) expect(s.bytes).toBeLessThanOrEqual(share + 10_000)
    // The busy prefix (400 kB) is more than a shard's share: it is cut into consecutive key ranges.
    const busy = plan.shards.map((s) => s.objects.filter((o) => o.uri.includes('111122223333')).map((o) => o.uri))
    expect(busy.filter((b) => b.length > 0).length).toBeGreaterThan(1)
    const sorted = busy.flat().sort()
    for (const part of busy.filter((b) => b.length > 0)) {
      const at = sorted.indexOf([...part].sort()[0]!)
      expect([...part].sort()).toEqual(sorted.slice(at, at + part.length))
    }
  })

  it('keeps a quiet prefix whole on one shard', () => {
    const plan = planShards(listing(), 3, {}, meta)
    const prefix = 'AWSLogs/444455556666/CloudTrail/eu-west-1/2024/05/01/'
    expect(plan.shards.filter((s) => s.objects.some((o) => o.uri.includes(prefix)))).toHaveLength(1)
  })

  it('leaves out what a scan with the same filters would not read, and counts it', () => {
    const objects = [
      ...listing(),
      obj(key('111122223333', 'us-east-1', '2024-05-01', 1, 'CloudTrail-Digest'), 500),
      obj(key('111122223333', 'us-east-1', '2024-05-01', 2, 'CloudTrail-Insight'), 500),
    ]
    const plan = planShards(objects, 2, { start: new Date('2024-05-02T00:00:00Z'), regions: ['eu-west-1', 'us-east-1'] }, meta)
    const planned = uris(plan).flat()
    expect(planned.every((u) => u.includes('/2024/05/02/') || u.includes('/2024/05/03/'))).toBe(true)
    expect(planned.every((u) => u.includes('/eu-west-1/'))).toBe(true)
    expect(plan.excluded).toMatchObject({ digest: 1, insight: 1, 'other region': 18, 'delivered outside the time window': 43 })
  })

  it('numbers objects in listing order, and keeps each shard in that order', () => {
    const objects = listing()
    const plan = planShards(objects, 3, {}, meta)
    for (const s of plan.shards) {
      const seqs = s.objects.map((o) => o.seq)
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
      for (const o of s.objects) expect(objects[o.seq]!.uri).toBe(o.uri)
    }
  })

  it('stands a local file in for an ETag with its size and modification time', () => {
    const local: LogObject = {
      ...obj(key('111122223333', 'us-east-1', '2024-05-01', 0), 10),
      uri: '/logs/a.json.gz',
      mtime: new Date(5000),
    }
    delete local.etag
    expect(planShards([local], 1, {}, meta).shards[0]!.objects[0]!.etag).toBe('10:5000')
  })
})

describe('parsePlan', () => {
  const plan = planShards(listing(), 3, {}, meta)

  it('reads back what was written', () => {
    expect(parsePlan(JSON.stringify(plan), 'plan.json')).toEqual(plan)
  })

  it('ties the state a plan was made from, and when it listed, to its planId', () => {
    const state = { location: 's3://state/p/', version: '"abc"', sources: ['s3://trail/'], since: null, lookbackDays: 2 }
    const fromState = planShards(listing(), 3, {}, { ...meta, state })
    expect(parsePlan(JSON.stringify(fromState), 'plan.json')).toEqual(fromState)
    expect(fromState.planId).not.toBe(plan.planId)
    for (const edited of [
      { ...fromState, state: { ...state, version: '"def"' } },
      { ...fromState, state: { ...state, location: 's3://state/q/' } },
      { ...fromState, listedAt: '2024-06-02T00:00:00.000Z' },
    ])
      expect(() => parsePlan(JSON.stringify(edited), 'plan.json')).toThrow(/do not match its planId/)
    expect(() => parsePlan(JSON.stringify({ ...fromState, state: { ...state, lookbackDays: -1 } }), 'plan.json')).toThrow(
      /damaged plan \(its "state"\)/,
    )
  })

  it.each([
    ['not JSON', '{"kind":', /not JSON/],
    ['another kind of file', '{"Records":[]}', /not a trailscan plan/],
    ['a newer version', JSON.stringify({ ...plan, version: 2 }), /version 2 is not one this trailscan reads/],
    ['a shard missing its objects', JSON.stringify({ ...plan, shards: [{ index: 0, bytes: 0 }] }), /damaged plan \(shard 0\)/],
    [
      'an object edited after planning',
      JSON.stringify({ ...plan, shards: plan.shards.map((s, i) => (i === 0 ? { ...s, objects: s.objects.slice(1) } : s)) }),
      /do not match its planId/,
    ],
  ])('refuses %s, naming the file', (_, text, why) => {
    expect(() => parsePlan(text, 'plan.json')).toThrow(why)
    expect(() => parsePlan(text, 'plan.json')).toThrow(/^plan\.json: /)
  })
})
