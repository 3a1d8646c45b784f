/**
 * An S3 store that never ends (../shared/reliability/README.md §10): listings that loop or grow without bound,
 * bodies that never end, run past their size or drip, resumes that fail, and a run's retries. The store is s3rver
 * behind the fault proxy (test/support), which plays each misbehaviour on demand; the client is the real SDK.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SourceReadError } from '../src/errors.js'
import { scan } from '../src/scan.js'
import type { LogObject } from '../src/source/log-object.js'
import { compareKeys } from '../src/source/s3-list.js'
import { isFatalS3Error, ListingFault, listS3Objects, RetryBudget, type ListS3Options } from '../src/source/s3.js'
import { cloudTrailKey, gzipRecords, readAll, records, uploadAll } from './support/s3-fixtures.js'
import { collect, startS3Stack, stubS3rverCredentials, type S3Stack } from './support/s3-stack.js'

const A = '111111111111'
const B = '222222222222'
const day = '2024-03-05'
const flatA = `AWSLogs/${A}/CloudTrail/`
const keysA = ['0100', '0200', '0300'].map((time) => cloudTrailKey({ account: A, region: 'us-east-1', day, time }))
const keyB = cloudTrailKey({ account: B, region: 'us-east-1', day, time: '0100' })
const [first, second, third] = keysA as [string, string, string]
// Random ids compress poorly, so the body spans many socket reads (about 150 KB).
const bigRecords = 1500
const bigBody = gzipRecords(
  records(bigRecords, A, 'us-east-1', day).map((r) => ({ ...r, requestParameters: { blob: randomBytes(48).toString('hex') } })),
)
const smallBody = gzipRecords(records(3, A, 'us-east-1', day))

let stack: S3Stack

beforeAll(async () => {
  stubS3rverCredentials()
  stack = await startS3Stack(['trail', 'many'])
  await uploadAll(stack.s3.endpoint, 'trail', [
    { key: first, body: bigBody },
    { key: second, body: smallBody },
    { key: third, body: smallBody },
    { key: keyB, body: smallBody },
  ])
  await uploadAll(
    stack.s3.endpoint,
    'many',
    Array.from({ length: 30 }, (_, i) => ({
      key: `AWSLogs/${A}/CloudTrail/us-east-1/2024/01/01/${A}_CloudTrail_us-east-1_20240101T0000Z_${String(i).padStart(16, '0')}.json.gz`,
      body: Buffer.from('{"Records":[]}'),
    })),
    32,
  )
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(() => stack.proxy.clear())

interface Listing {
  objects: LogObject[]
  errors: SourceReadError[]
}

async function listing(opts: Partial<ListS3Options> = {}): Promise<Listing> {
  const errors: SourceReadError[] = []
  const objects = await collect(
    listS3Objects({ client: stack.client(), bucket: 'trail', accounts: [A], onError: (e) => errors.push(e), ...opts }),
  )
  return { objects, errors }
}

const keyOf = (o: LogObject): string => o.uri.slice(o.uri.indexOf('/', 5) + 1)

describe('listings that never end', () => {
  it('reports a continuation token seen before (A, B, A) as an error naming the prefix, each key once', async () => {
    stack.proxy.addRule({ listPrefix: flatA, action: { type: 'tokens', tokens: 'cycle' } })
    const { objects, errors } = await listing()
    expect(objects.map(keyOf)).toEqual(keysA)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(ListingFault)
    expect(errors[0]!.location).toEqual({ object: `s3://trail/${flatA}` })
    expect(errors[0]!.message).toMatch(/continuation token it had sent before/)
    expect(isFatalS3Error(errors[0])).toBe(false)
    const flat = stack.proxy.listings().filter((r) => r.query['prefix'] === flatA)
    expect(flat.map((r) => r.query['continuation-token'])).toEqual([undefined, 'A', 'B'])
  }, 10_000)

  it('stops a listing of never-repeating tokens at the page bound', async () => {
    stack.proxy.addRule({ listPrefix: flatA, action: { type: 'tokens', tokens: 'fresh' } })
    const { objects, errors } = await listing({ maxListPages: 40 })
    expect(objects.map(keyOf)).toEqual(keysA)
    expect(errors.map((e) => e.message)).toEqual([
      `listing s3://trail/${flatA}: more than 40 pages (raise the bound with --s3-max-list-pages)`,
    ])
    expect(stack.proxy.listings().filter((r) => r.query['prefix'] === flatA)).toHaveLength(40)
  }, 10_000)

  it('stops a listing at the key bound, keeping the keys before it', async () => {
    const { objects, errors } = await listing({ bucket: 'many', maxListKeys: 20 })
    expect(objects).toHaveLength(20)
    expect(errors.map((e) => e.message)).toEqual([
      `listing s3://many/${flatA}: more than 20 keys (raise the bound with --s3-max-list-keys)`,
    ])
  })

  it('reports a key that does not come after the one before it, and keeps those that did', async () => {
    stack.proxy.addRule({ listPrefix: flatA, action: { type: 'reverse-keys' } })
    const { objects, errors } = await listing()
    expect(objects.map(keyOf)).toEqual([third])
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toBe(
      `listing s3://trail/${flatA}: key ${JSON.stringify(second)} does not come after ${JSON.stringify(third)} (ListObjectsV2 keys must increase)`,
    )
  })

  it('ends a listing page that drips past the request timeout, naming the prefix; the others go on', async () => {
    stack.proxy.addRule({ listPrefix: flatA, action: { type: 'drip', bytes: 16, everyMs: 30 } })
    const t0 = performance.now()
    const { objects, errors } = await listing({ accounts: [A, B], objectTimeoutMs: 300 })
    expect(performance.now() - t0).toBeLessThan(3_000)
    expect(objects.map(keyOf)).toEqual([keyB])
    expect(errors.map((e) => [e.location?.object, e.message])).toEqual([
      [`s3://trail/${flatA}`, `listing s3://trail/${flatA}: page 0 took longer than the request timeout of 0.3 s`],
    ])
  }, 10_000)

  it('keeps the directories a looping directory listing gave before the fault', async () => {
    stack.proxy.addRule({ listPrefix: 'AWSLogs/', action: { type: 'tokens', tokens: 'cycle' } })
    const { objects, errors } = await listing({ accounts: [] })
    expect(objects.map(keyOf)).toEqual([...keysA, keyB])
    expect(errors.map((e) => e.location?.object)).toEqual(['s3://trail/AWSLogs/'])
    expect(errors[0]!.message).toMatch(/continuation token it had sent before/)
  }, 10_000)

  it('reports common prefixes that do not increase', async () => {
    stack.proxy.addRule({ listPrefix: 'AWSLogs/', action: { type: 'reverse-keys' } })
    const { objects, errors } = await listing({ accounts: [] })
    // B's directory came first and is kept; A's does not come after it.
    expect(objects.map(keyOf)).toEqual([keyB])
    expect(errors.map((e) => e.message)).toEqual([
      `listing s3://trail/AWSLogs/: common prefix "AWSLogs/${A}/" does not come after "AWSLogs/${B}/" (ListObjectsV2 keys must increase)`,
    ])
  })

  it('goes on with the other prefixes after one listing failed, and throws without onError', async () => {
    stack.proxy.addRule({ listPrefix: flatA, action: { type: 'tokens', tokens: 'cycle' } })
    const { objects, errors } = await listing({ accounts: [A, B] })
    expect(objects.map(keyOf)).toEqual([...keysA, keyB])
    expect(errors.map((e) => e.location?.object)).toEqual([`s3://trail/${flatA}`])

    stack.proxy.clear()
    stack.proxy.addRule({ listPrefix: flatA, action: { type: 'tokens', tokens: 'cycle' } })
    const thrown = await collect(listS3Objects({ client: stack.client(), bucket: 'trail', accounts: [A, B] })).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(ListingFault)
  }, 10_000)
})

it('orders keys as S3 does, by UTF-8 bytes, where UTF-16 order differs', () => {
  // U+FFFD is EF BF BD in UTF-8, U+1F600 is F0 9F 98 80; in UTF-16 the surrogate D83D sorts first.
  expect(compareKeys('a\uFFFD', 'a\u{1F600}')).toBeLessThan(0)
  expect(compareKeys('a\u{1F600}', 'a\uFFFD')).toBeGreaterThan(0)
  expect(compareKeys('a/b', 'a/c')).toBeLessThan(0)
  expect(compareKeys('a', 'a/')).toBeLessThan(0)
  expect(compareKeys('\u{1F600}', '\u{1F601}')).toBeLessThan(0)
  expect(compareKeys('k', 'k')).toBe(0)
})

/** One scan of account A's objects, no rules: what was read, and the errors. */
function scanA(opts: Partial<ListS3Options> = {}, maxObjectBytes?: number): ReturnType<typeof scan> {
  const objects = listS3Objects({ client: stack.client(), bucket: 'trail', accounts: [A], resume: { baseDelayMs: 5 }, ...opts })
  return scan({ objects, rules: [], onFinding: () => {}, concurrency: 3, ...(maxObjectBytes === undefined ? {} : { maxObjectBytes }) })
}

describe('bodies that never end', () => {
  it('cuts an endless body at the listed size and reports it there; the other objects are read', async () => {
    stack.proxy.addRule({ key: second, action: { type: 'endless' } })
    const s = await scanA({}, 8 * 1024 * 1024)
    expect(s.errors).toEqual([
      {
        code: 'TRAILSCAN_SOURCE_READ',
        object: `s3://trail/${second}`,
        message: `reading s3://trail/${second}: the body is longer than its listed size of ${smallBody.length} bytes; read up to there`,
      },
    ])
    // The three records of the cut object came before the cut; they still count.
    expect(s.records.read).toBe(bigRecords + 3 + 3)
    expect(s.bytes.stored).toBe(bigBody.length + 2 * smallBody.length)
  }, 10_000)

  it('cuts a body longer than the listed size (and than Content-Length) at the listed size', async () => {
    stack.proxy.addRule({ key: second, action: { type: 'longer', extra: 100_000, counted: true } })
    stack.proxy.addRule({ key: third, action: { type: 'longer', extra: 100_000, counted: false } })
    const s = await scanA()
    expect(s.errors.map((e) => [e.object, e.message])).toEqual([
      [
        `s3://trail/${second}`,
        `reading s3://trail/${second}: the body is longer than its listed size of ${smallBody.length} bytes; read up to there`,
      ],
    ])
    expect(s.records.read).toBe(bigRecords + 3 + 3)
    expect(s.bytes.stored).toBe(bigBody.length + 2 * smallBody.length)
  })

  it('retries a dripping body past the object timeout from where it stopped, then reports it', async () => {
    stack.proxy.addRule({ key: second, action: { type: 'drip', bytes: 4, everyMs: 40 } })
    const t0 = performance.now()
    const s = await scanA({ objectTimeoutMs: 300, resume: { attempts: 2, baseDelayMs: 5 } })
    expect(performance.now() - t0).toBeLessThan(5_000)
    expect(s.errors).toHaveLength(1)
    expect(s.errors[0]!.object).toBe(`s3://trail/${second}`)
    expect(s.errors[0]!.message).toMatch(
      /^reading \(\d+ bytes in\) s3:\/\/trail\/.*: the request took longer than the object timeout of 0\.3 s/,
    )
    const gets = stack.proxy.gets().filter((g) => g.key === second)
    expect(gets).toHaveLength(3)
    // Each retry asks for the rest only: the bytes that did arrive are not asked for again.
    const offsets = gets.map((g) => Number(/^bytes=(\d+)-$/.exec(g.range ?? 'bytes=0-')![1]))
    expect(offsets[0]).toBe(0)
    expect(offsets[1]).toBeGreaterThan(0)
    expect(offsets[2]).toBeGreaterThan(offsets[1]!)
    expect(s.records.read).toBe(bigRecords + 3)
  }, 10_000)

  it('still counts the records that arrived before a resume failed (one-shot path)', async () => {
    stack.proxy.addRule({ key: first, ranged: false, action: { type: 'reset', afterBytes: 60_000 } })
    stack.proxy.addRule({
      key: first,
      ranged: true,
      action: { type: 'error', status: 403, code: 'AccessDenied', message: 'Access Denied' },
    })
    const s = await scanA()
    expect(s.errors.map((e) => e.object)).toEqual([`s3://trail/${first}`])
    expect(s.errors[0]!.message).toMatch(/^resuming at byte 60000 of s3:\/\/trail\/.*access denied/i)
    const kept = s.records.read - 6
    expect(kept).toBeGreaterThan(bigRecords / 4)
    expect(kept).toBeLessThan(bigRecords)
  })
})

describe('the run retry budget', () => {
  it('stops SDK retries once the budget is spent, and says so', async () => {
    const budget = new RetryBudget(1)
    const client = stack.client({ retryBudget: budget })
    const list = await collect(listS3Objects({ client, bucket: 'trail', accounts: [A] }))
    stack.proxy.clear()
    stack.proxy.addRule({ key: second, times: 3, action: { type: 'slowdown' } })
    const err = await list
      .find((o) => o.uri.endsWith(second))!
      .open()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SourceReadError)
    expect((err as Error).message).toMatch(/SlowDown.*; not retried: the run's retry budget of 1 is spent$/)
    expect(stack.proxy.gets()).toHaveLength(2)
    expect(budget.report()).toEqual({ used: 1, budget: 1, exhausted: true })
  })

  it('shares the budget with body resumes across objects', async () => {
    const budget = new RetryBudget(2)
    stack.proxy.addRule({ key: first, action: { type: 'reset', afterBytes: 5_000 } })
    const s = await scanA({ client: stack.client({ retryBudget: budget }), retryBudget: budget })
    expect(s.errors).toHaveLength(1)
    expect(s.errors[0]!.message).toMatch(/not retried: the run's retry budget of 2 is spent$/)
    expect(stack.proxy.gets().filter((g) => g.key === first)).toHaveLength(3)
    expect(budget.report()).toEqual({ used: 2, budget: 2, exhausted: true })
    // Nothing failed twice elsewhere: the other objects needed no retry.
    expect(s.records.read).toBeGreaterThanOrEqual(6)
  })

  it('reports a budget that was enough as not exhausted', async () => {
    const budget = new RetryBudget(5)
    stack.proxy.addRule({ key: second, times: 1, action: { type: 'slowdown' } })
    const s = await scanA({ client: stack.client({ retryBudget: budget }), retryBudget: budget })
    expect(s.errors).toEqual([])
    expect(budget.report()).toEqual({ used: 1, budget: 5, exhausted: false })
  })
})

it('reads a small object through the proxy unchanged when no rule applies', async () => {
  const { objects } = await listing()
  expect((await readAll(await objects[1]!.open())).equals(smallBody)).toBe(true)
})
