/**
 * The test S3 endpoint enforces conditional writes as AWS does (support/conditional-writes.ts), proven with the
 * real SDK client: the S3 state store's fencing is only as good as these checks.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startS3Stack, stubS3rverCredentials, type S3Stack } from './support/s3-stack.js'

let stack: S3Stack
let client: S3Client
let n = 0

beforeAll(async () => {
  stack = await startS3Stack(['state'])
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(() => {
  stubS3rverCredentials()
  client = stack.client({ maxAttempts: 1 })
  stack.proxy.clear()
})

afterEach(() => {
  vi.unstubAllEnvs()
})

const fresh = (): string => `cond/${n++}.json`

interface Outcome {
  ok: boolean
  etag?: string
  status?: number
  code?: string
}

async function attempt(run: () => Promise<{ ETag?: string } | object>): Promise<Outcome> {
  try {
    const out = await run()
    const etag = 'ETag' in out ? out.ETag : undefined
    return { ok: true, ...(etag === undefined ? {} : { etag }) }
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number } }
    return { ok: false, code: err.name, ...(err.$metadata?.httpStatusCode === undefined ? {} : { status: err.$metadata.httpStatusCode }) }
  }
}

function put(key: string, body: string, cond: { IfNoneMatch?: string; IfMatch?: string } = {}): Promise<Outcome> {
  return attempt(() => client.send(new PutObjectCommand({ Bucket: 'state', Key: key, Body: body, ...cond })))
}

async function stored(key: string): Promise<string | null> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: 'state', Key: key }))
    return (await out.Body?.transformToString()) ?? ''
  } catch (e) {
    if ((e as Error).name === 'NoSuchKey') return null
    throw e
  }
}

describe('PutObject If-None-Match: *', () => {
  it('creates once; a second create is 412 PreconditionFailed and leaves the first body', async () => {
    const key = fresh()
    expect(await put(key, 'first', { IfNoneMatch: '*' })).toMatchObject({ ok: true })
    expect(await put(key, 'second', { IfNoneMatch: '*' })).toEqual({ ok: false, status: 412, code: 'PreconditionFailed' })
    expect(await stored(key)).toBe('first')
  })

  it('lets exactly one of 12 racing creators through; the stored body is the winner', async () => {
    const key = fresh()
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => put(key, `writer-${i}`, { IfNoneMatch: '*' })))
    const winners = outcomes.flatMap((o, i) => (o.ok ? [i] : []))
    expect(winners).toHaveLength(1)
    expect(outcomes.filter((o) => !o.ok).every((o) => o.status === 412 && o.code === 'PreconditionFailed')).toBe(true)
    expect(await stored(key)).toBe(`writer-${winners[0]!}`)
  })

  it('answers any value but * with 501 NotImplemented, writing nothing', async () => {
    const key = fresh()
    expect(await put(key, 'x', { IfNoneMatch: '"abc"' })).toEqual({ ok: false, status: 501, code: 'NotImplemented' })
    expect(await stored(key)).toBeNull()
  })
})

describe('PutObject If-Match: <etag>', () => {
  it('replaces only the version it names', async () => {
    const key = fresh()
    const v1 = await put(key, 'v1')
    const v2 = await put(key, 'v2', { IfMatch: v1.etag! })
    expect(v2).toMatchObject({ ok: true })
    expect(await put(key, 'stale', { IfMatch: v1.etag! })).toEqual({ ok: false, status: 412, code: 'PreconditionFailed' })
    expect(await stored(key)).toBe('v2')
    // The ETag bare (without its quotes) names the same version.
    expect(await put(key, 'v3', { IfMatch: v2.etag!.replace(/"/g, '') })).toMatchObject({ ok: true })
    expect(await stored(key)).toBe('v3')
  })

  it('lets exactly one of 12 racing updaters of one version through', async () => {
    const key = fresh()
    const base = await put(key, 'base')
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => put(key, `update-${i}`, { IfMatch: base.etag! })))
    const winners = outcomes.flatMap((o, i) => (o.ok ? [i] : []))
    expect(winners).toHaveLength(1)
    expect(outcomes.filter((o) => !o.ok).every((o) => o.status === 412)).toBe(true)
    expect(await stored(key)).toBe(`update-${winners[0]!}`)
  })

  it('is 404 NoSuchKey when no object is there', async () => {
    const key = fresh()
    expect(await put(key, 'x', { IfMatch: '"0123456789abcdef0123456789abcdef"' })).toEqual({ ok: false, status: 404, code: 'NoSuchKey' })
    expect(await stored(key)).toBeNull()
  })
})

describe('DeleteObject If-Match', () => {
  it('deletes only the version it names', async () => {
    const key = fresh()
    const v1 = await put(key, 'v1')
    const v2 = await put(key, 'v2')
    const del = (etag: string): Promise<Outcome> =>
      attempt(() => client.send(new DeleteObjectCommand({ Bucket: 'state', Key: key, IfMatch: etag })))
    expect(await del(v1.etag!)).toEqual({ ok: false, status: 412, code: 'PreconditionFailed' })
    expect(await stored(key)).toBe('v2')
    expect(await del(v2.etag!)).toMatchObject({ ok: true })
    expect(await stored(key)).toBeNull()
  })
})

describe('the proxy still injects faults first', () => {
  it('answers 409 ConditionalRequestConflict from a rule, writing nothing', async () => {
    const key = fresh()
    stack.proxy.addRule({ method: 'PUT', key, times: 1, action: { type: 'error', status: 409, code: 'ConditionalRequestConflict' } })
    expect(await put(key, 'x', { IfNoneMatch: '*' })).toEqual({ ok: false, status: 409, code: 'ConditionalRequestConflict' })
    expect(await stored(key)).toBeNull()
    expect(stack.proxy.requests.find((r) => r.method === 'PUT')?.ifNoneMatch).toBe('*')
  })
})
