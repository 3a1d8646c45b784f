import { randomBytes } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SourceReadError } from '../src/errors.js'
import type { LogObject } from '../src/source/log-object.js'
import { isFatalS3Error, listS3Objects, openS3Object, type ListS3Options } from '../src/source/s3.js'
import { cloudTrailKey, gzipRecords, readAll, records, uploadAll } from './support/s3-fixtures.js'
import { collect, startS3Stack, stubS3rverCredentials, type S3Stack } from './support/s3-stack.js'

const A = '111111111111'
const day = '2024-03-05'
const big = cloudTrailKey({ account: A, region: 'us-east-1', day, time: '0100' })
const small = cloudTrailKey({ account: A, region: 'us-east-1', day, time: '0200' })
const denied = cloudTrailKey({ account: A, region: 'us-east-1', day, time: '0300' })
// Records with random ids compress poorly, so the gzip body spans many socket reads.
const bigBody = gzipRecords(
  records(1500, A, 'us-east-1', day).map((r) => ({ ...r, requestParameters: { blob: randomBytes(48).toString('hex') } })),
)
const smallBody = gzipRecords(records(3, A, 'us-east-1', day))

let stack: S3Stack

beforeAll(async () => {
  stubS3rverCredentials()
  stack = await startS3Stack(['trail'])
  await uploadAll(stack.s3.endpoint, 'trail', [
    { key: big, body: bigBody },
    { key: small, body: smallBody },
    { key: denied, body: smallBody },
  ])
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(() => stack.proxy.clear())

async function objects(opts: Partial<ListS3Options> = {}): Promise<Map<string, LogObject>> {
  const list = await collect(listS3Objects({ client: stack.client(), bucket: 'trail', resume: { baseDelayMs: 5 }, ...opts }))
  stack.proxy.clear()
  return new Map(list.map((o) => [o.uri.slice('s3://trail/'.length), o]))
}

describe('S3 LogObject.open', () => {
  it('streams the stored bytes unchanged', async () => {
    const objs = await objects()
    expect(objs.get(big)!.size).toBe(bigBody.length)
    const bytes = await readAll(await objs.get(big)!.open())
    expect(bytes.equals(bigBody)).toBe(true)
    expect(stack.proxy.gets()).toEqual([expect.objectContaining({ key: big, range: undefined })])
  })

  it('resumes a body cut mid-way with Range and If-Match, delivering each byte once', async () => {
    const objs = await objects()
    stack.proxy.addRule({ key: big, ranged: false, times: 1, action: { type: 'reset', afterBytes: 40_000 } })
    stack.proxy.addRule({ key: big, ranged: true, times: 1, action: { type: 'reset', afterBytes: 25_000 } })
    const bytes = await readAll(await objs.get(big)!.open())
    expect(bytes.equals(bigBody)).toBe(true)
    const gets = stack.proxy.gets()
    expect(gets.map((g) => g.range)).toEqual([undefined, 'bytes=40000-', 'bytes=65000-'])
    expect(gets[1]!.ifMatch).toBe(`"${objs.get(big)!.etag}"`)
    const parsed = JSON.parse(gunzipSync(bytes).toString('utf8')) as { Records: unknown[] }
    expect(parsed.Records).toHaveLength(1500)
  })

  it('resumes after a stalled body once the idle timeout fires', async () => {
    const objs = await objects({ client: stack.client({ timeouts: { idleMs: 300 } }) })
    stack.proxy.addRule({ key: big, ranged: false, times: 1, action: { type: 'stall', afterBytes: 10_000 } })
    const bytes = await readAll(await objs.get(big)!.open())
    expect(bytes.equals(bigBody)).toBe(true)
    expect(stack.proxy.gets().map((g) => g.range)).toEqual([undefined, 'bytes=10000-'])
  })

  it('fails instead of mixing versions when the object changed before the resume', async () => {
    const objs = await objects()
    stack.proxy.addRule({ key: big, ranged: false, times: 1, action: { type: 'reset', afterBytes: 10_000 } })
    stack.proxy.addRule({ key: big, ranged: true, action: { type: 'error', status: 412, code: 'PreconditionFailed' } })
    await expect(readAll(await objs.get(big)!.open())).rejects.toThrow(/changed while it was being read/)

    // A store that ignores If-Match: the ETag of the ranged answer gives it away.
    stack.proxy.clear()
    stack.proxy.addRule({ key: big, ranged: false, times: 1, action: { type: 'reset', afterBytes: 10_000 } })
    stack.proxy.addRule({ key: big, ranged: true, action: { type: 'etag', etag: '"0123456789abcdef0123456789abcdef"' } })
    const err = await readAll(await objs.get(big)!.open()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SourceReadError)
    expect((err as SourceReadError).message).toMatch(/ETag differs/)
    expect((err as SourceReadError).location?.object).toBe(`s3://trail/${big}`)
  })

  it('gives up after the configured number of resumes', async () => {
    const objs = await objects({ resume: { attempts: 2, baseDelayMs: 1 } })
    stack.proxy.addRule({ key: big, action: { type: 'reset', afterBytes: 5_000 } })
    const err = await readAll(await objs.get(big)!.open()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SourceReadError)
    expect((err as Error).message).toContain(`s3://trail/${big}`)
    expect(stack.proxy.gets()).toHaveLength(3)
    expect(isFatalS3Error(err)).toBe(false)
  })

  it('retries throttled requests (503 SlowDown) inside the SDK', async () => {
    stack.proxy.addRule({ listPrefix: `AWSLogs/${A}/CloudTrail/`, times: 2, action: { type: 'slowdown' } })
    stack.proxy.addRule({ key: small, times: 1, action: { type: 'slowdown' } })
    const list = await collect(listS3Objects({ client: stack.client(), bucket: 'trail', accounts: [A] }))
    expect(list).toHaveLength(3)
    const obj = list.find((o) => o.uri.endsWith(small))!
    expect((await readAll(await obj.open())).equals(smallBody)).toBe(true)
    expect(stack.proxy.listings().filter((r) => r.query['prefix'] === `AWSLogs/${A}/CloudTrail/`)).toHaveLength(3)
    expect(stack.proxy.gets().filter((g) => g.key === small)).toHaveLength(2)
  })

  it('retries a listing whose response never comes (socket idle timeout)', async () => {
    stack.proxy.addRule({ listPrefix: `AWSLogs/${A}/CloudTrail/`, times: 1, action: { type: 'stall', afterBytes: 0 } })
    const client = stack.client({ timeouts: { idleMs: 300 } })
    const list = await collect(listS3Objects({ client, bucket: 'trail', accounts: [A] }))
    expect(list).toHaveLength(3)
  })
})

describe('per-object errors', () => {
  it('reports access denied on one object with its s3:// key while the others open', async () => {
    const objs = await objects()
    stack.proxy.addRule({ key: denied, action: { type: 'error', status: 403, code: 'AccessDenied', message: 'Access Denied' } })
    const err = await objs
      .get(denied)!
      .open()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SourceReadError)
    expect((err as SourceReadError).location).toEqual({ object: `s3://trail/${denied}` })
    expect((err as Error).message).toMatch(/access denied.*AccessDenied, HTTP 403/i)
    expect(isFatalS3Error(err)).toBe(false)
    expect((await readAll(await objs.get(small)!.open())).equals(smallBody)).toBe(true)
  })

  it('reports a missing key as a per-object error', async () => {
    const err = await openS3Object({ client: stack.client(), bucket: 'trail' }, 'AWSLogs/gone.json.gz').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SourceReadError)
    expect((err as Error).message).toMatch(/not found.*NoSuchKey/)
    expect(isFatalS3Error(err)).toBe(false)
  })
})
