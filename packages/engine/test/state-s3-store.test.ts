/**
 * S3StateStore against the loopback S3 whose proxy enforces conditional writes as AWS does: the lease and the
 * state's compare-and-swap are decided by the store, never by the client's own reading.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { CorruptStateError, LeaseHeldError, SourceReadError, StateConflictError } from '../src/errors.js'
import { S3StateStore } from '../src/state/s3-store.js'
import type { LeaseHolder } from '../src/state/state-store.js'
import { startS3Stack, stubS3rverCredentials, type S3Stack } from './support/s3-stack.js'

let stack: S3Stack
let n = 0
let prefix: string

beforeAll(async () => {
  stack = await startS3Stack(['state'])
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(() => {
  stubS3rverCredentials()
  stack.proxy.clear()
  prefix = `runs/${n++}/`
})

afterEach(() => {
  vi.unstubAllEnvs()
})

function store(opts: { leaseMs?: number; now?: () => number } = {}): S3StateStore {
  return new S3StateStore({ client: stack.client({ maxAttempts: 3 }), bucket: 'state', prefix, ...opts })
}

function holder(runId: string, pid = 4242): LeaseHolder {
  return { runId, host: `host-${runId}`, pid, startedAt: '2026-12-03T10:00:00.000Z', expiresAt: '2026-12-03T10:00:00.000Z' }
}

async function raw(key: string): Promise<string | null> {
  try {
    const out = await stack.client().send(new GetObjectCommand({ Bucket: 'state', Key: `${prefix}${key}` }))
    return (await out.Body?.transformToString()) ?? ''
  } catch (e) {
    if ((e as Error).name === 'NoSuchKey') return null
    throw e
  }
}

const settle = <T>(p: Promise<T>): Promise<T | Error> => p.catch((e: unknown) => e as Error)

describe('the state document', () => {
  it('is created once, then replaced only from the version it was read at', async () => {
    const s = store()
    expect(s.location).toBe(`s3://state/${prefix}`)
    expect(await s.read()).toBeNull()
    const v1 = await s.write(Buffer.from('{"v":1}'), null)
    expect(await s.read()).toEqual({ body: Buffer.from('{"v":1}'), version: v1 })
    const v2 = await s.write(Buffer.from('{"v":2}'), v1)
    expect(v2).not.toBe(v1)

    const stale = await settle(s.write(Buffer.from('{"v":"stale"}'), v1))
    expect(stale).toBeInstanceOf(StateConflictError)
    expect((stale as Error).message).toContain(`s3://state/${prefix}state.json was changed by another run`)
    const again = await settle(s.write(Buffer.from('{"v":"first again"}'), null))
    expect(again).toBeInstanceOf(StateConflictError)
    expect(await raw('state.json')).toBe('{"v":2}')
  })

  it('lets exactly one of two stores commit from the same version', async () => {
    const [a, b] = [store(), store()]
    const base = await a.write(Buffer.from('base'), null)
    const outcomes = await Promise.all([settle(a.write(Buffer.from('from a'), base)), settle(b.write(Buffer.from('from b'), base))])
    const won = outcomes.filter((o) => typeof o === 'string')
    expect(won).toHaveLength(1)
    expect(outcomes.filter((o) => o instanceof StateConflictError)).toHaveLength(1)
    expect(await raw('state.json')).toBe(outcomes[0] instanceof Error ? 'from b' : 'from a')
  })

  it('counts a write whose answer was lost as written when the retry finds its own bytes there', async () => {
    const s = store()
    const base = await s.write(Buffer.from('base'), null)
    stack.proxy.requests.length = 0
    stack.proxy.addRule({ method: 'PUT', key: `${prefix}state.json`, times: 1, action: { type: 'lose-answer' } })
    const v = await s.write(Buffer.from('next'), base)
    expect(await s.read()).toEqual({ body: Buffer.from('next'), version: v })
    // The retry went out and was refused by the first attempt's own write.
    expect(stack.proxy.requests.filter((r) => r.method === 'PUT')).toHaveLength(2)
  })

  it('is deleted with the lease by reset()', async () => {
    const s = store()
    await s.write(Buffer.from('x'), null)
    await s.acquire(holder('r'))
    await s.reset()
    expect(await s.read()).toBeNull()
    expect(await s.lease()).toBeNull()
  })
})

describe('the lease', () => {
  it('is created with host, pid, start time and expiry; a second run is refused, naming the holder', async () => {
    const lease = await store().acquire(holder('first', 111))
    const written = JSON.parse((await raw('lease.json'))!) as LeaseHolder
    expect(written).toMatchObject({ runId: 'first', host: 'host-first', pid: 111, startedAt: '2026-12-03T10:00:00.000Z' })
    expect(Date.parse(written.expiresAt)).toBeGreaterThan(Date.now())
    expect(lease.holder).toEqual(written)
    expect(stack.proxy.requests.find((r) => r.method === 'PUT')?.ifNoneMatch).toBe('*')

    const refused = await settle(store().acquire(holder('second')))
    expect(refused).toBeInstanceOf(LeaseHeldError)
    expect((refused as LeaseHeldError).holder).toEqual(written)
    expect((refused as Error).message).toMatch(/held by run first \(pid 111 on host-first, started 2026-12-03T10:00:00.000Z/)
    expect(JSON.parse((await raw('lease.json'))!)).toEqual(written)
    await lease.release()
  })

  it('lets exactly one of several racing runs take it', async () => {
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => settle(store().acquire(holder(`racer-${i}`)))))
    const winners = outcomes.filter((o) => !(o instanceof Error))
    expect(winners).toHaveLength(1)
    expect(outcomes.filter((o) => o instanceof LeaseHeldError)).toHaveLength(5)
    expect((await store().lease())?.runId).toBe((winners[0] as { holder: LeaseHolder }).holder.runId)
  })

  it('is taken over with a warning once expired; the old holder can neither renew nor release it', async () => {
    let clock = Date.parse('2026-12-03T10:00:00Z')
    const old = await store({ leaseMs: 60_000, now: () => clock }).acquire(holder('old'))
    clock += 61_000
    const warned: LeaseHolder[] = []
    const next = await store({ leaseMs: 60_000, now: () => clock }).acquire(holder('new'), { onTakeover: (h) => warned.push(h) })
    expect(warned.map((h) => h.runId)).toEqual(['old'])
    // The takeover named the expired lease's ETag.
    const puts = stack.proxy.requests.filter((r) => r.method === 'PUT')
    expect(puts.at(-1)?.ifMatch).toMatch(/^"?[0-9a-f]{32}"?$/)

    const renewed = await settle(old.renew())
    expect(renewed).toBeInstanceOf(LeaseHeldError)
    expect((renewed as LeaseHeldError).holder.runId).toBe('new')
    await old.release()
    expect((await store().lease())?.runId).toBe('new')
    await next.release()
    expect(await store().lease()).toBeNull()
  })

  it('is not taken over while it is live, by the same clock', async () => {
    let clock = Date.parse('2026-12-03T10:00:00Z')
    const lease = await store({ leaseMs: 60_000, now: () => clock }).acquire(holder('live'))
    clock += 59_000
    expect(await settle(store({ leaseMs: 60_000, now: () => clock }).acquire(holder('early')))).toBeInstanceOf(LeaseHeldError)
    await lease.renew()
    clock += 59_000
    expect(await settle(store({ leaseMs: 60_000, now: () => clock }).acquire(holder('late')))).toBeInstanceOf(LeaseHeldError)
    await lease.release()
  })

  it('of an expired lease, one of two racing takers wins', async () => {
    // A run killed mid-scan: its lease stays behind, expired, and nothing renews it.
    const dead = { ...holder('dead'), expiresAt: '2026-12-03T10:00:01.000Z' }
    await stack.client().send(new PutObjectCommand({ Bucket: 'state', Key: `${prefix}lease.json`, Body: JSON.stringify(dead) }))
    const clock = Date.parse('2026-12-03T10:00:05Z')
    const outcomes = await Promise.all(['a', 'b'].map((id) => settle(store({ leaseMs: 60_000, now: () => clock }).acquire(holder(id)))))
    expect(outcomes.filter((o) => !(o instanceof Error))).toHaveLength(1)
    expect(outcomes.filter((o) => o instanceof LeaseHeldError)).toHaveLength(1)
  })

  it('is renewed on its own during a long run, so it never expires under a live run', async () => {
    const lease = await store({ leaseMs: 600 }).acquire(holder('long'))
    const first = lease.holder.expiresAt
    await new Promise((r) => setTimeout(r, 1_000))
    // Past the first expiry: without renewal the lease would be stale and taken over.
    expect(Date.parse(first)).toBeLessThan(Date.now())
    expect(await settle(store({ leaseMs: 600 }).acquire(holder('intruder')))).toBeInstanceOf(LeaseHeldError)
    expect(Date.parse(lease.holder.expiresAt)).toBeGreaterThan(Date.parse(first))
    await lease.release()
  })

  it('is released once; release is idempotent and the next run takes it', async () => {
    const lease = await store().acquire(holder('a'))
    await lease.release()
    await lease.release()
    expect(await store().lease()).toBeNull()
    const b = await store().acquire(holder('b'))
    await b.release()
  })

  it('that is not a lease is an error naming the object, and is left as it is', async () => {
    await stack.client().send(new PutObjectCommand({ Bucket: 'state', Key: `${prefix}lease.json`, Body: 'not json' }))
    const err = await settle(store().acquire(holder('x')))
    expect(err).toBeInstanceOf(CorruptStateError)
    expect((err as Error).message).toContain(`lease s3://state/${prefix}lease.json is not JSON`)
    expect(await raw('lease.json')).toBe('not json')
  })
})

describe('S3 failures', () => {
  it('name the state object and keep the S3 error (a bucket that does not exist)', async () => {
    const s = new S3StateStore({ client: stack.client({ maxAttempts: 1 }), bucket: 'no-such-state-bucket', prefix: 'p' })
    const err = await settle(s.read())
    expect(err).toBeInstanceOf(SourceReadError)
    expect((err as Error).message).toMatch(
      /^reading state s3:\/\/no-such-state-bucket\/p\/state\.json: bucket does not exist.*NoSuchBucket/,
    )
  })

  it('say so when the store does not implement conditional writes', async () => {
    stack.proxy.addRule({ method: 'PUT', action: { type: 'error', status: 501, code: 'NotImplemented' } })
    const err = await settle(store().write(Buffer.from('x'), null))
    expect(err).toBeInstanceOf(SourceReadError)
    expect((err as Error).message).toContain('the store does not support conditional writes')
    expect((err as Error).message).toContain(`s3://state/${prefix}state.json`)
  })
})
