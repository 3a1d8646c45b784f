import { describe, expect, it } from 'vitest'
import type { Finding } from '../finding.js'
import { fitJson } from './fit-json.js'
import { backoffMs, batches, DEFAULT_RETRY, httpFailure, sendWithRetries, thrownFailure } from './retry.js'
import { snsSubject } from './sns.js'

describe('the shared retry loop', () => {
  it('sends again only the items that failed retryably, and reports each final failure with its attempts', async () => {
    const seen: string[][] = []
    const r = await sendWithRetries(
      ['a', 'b', 'c'],
      async (items) => {
        seen.push(items)
        return items.map((i) =>
          i === 'b'
            ? { code: 'ThrottlingException', message: 'slow down', retryable: true, throttled: true }
            : i === 'c'
              ? { code: 'Bad', message: 'no', retryable: false }
              : undefined,
        )
      },
      { attempts: 3, baseDelayMs: 1, throttleBaseDelayMs: 1, maxDelayMs: 2 },
    )
    expect(seen).toEqual([['a', 'b', 'c'], ['b'], ['b']])
    expect(r.sent).toEqual(['a'])
    expect(r.retries).toBe(2)
    expect(r.failed).toEqual([
      { item: 'c', attempts: 1, failure: { code: 'Bad', message: 'no', retryable: false } },
      {
        item: 'b',
        attempts: 3,
        failure: { code: 'ThrottlingException', message: 'slow down (still failing after 3 attempts)', retryable: true, throttled: true },
      },
    ])
  })

  it('honours Retry-After up to the longest wait, and backs off longer for throttling', () => {
    expect(backoffMs(DEFAULT_RETRY, 1, false, 3_000)).toBe(3_000)
    expect(backoffMs(DEFAULT_RETRY, 1, false, 3_600_000)).toBe(DEFAULT_RETRY.maxDelayMs)
    for (let i = 0; i < 50; i++) {
      expect(backoffMs(DEFAULT_RETRY, 1, false, undefined)).toBeLessThan(DEFAULT_RETRY.baseDelayMs)
      expect(backoffMs(DEFAULT_RETRY, 3, true, undefined)).toBeLessThan(DEFAULT_RETRY.throttleBaseDelayMs * 4)
    }
  })

  it('classifies thrown errors: SDK throttling and 5xx retry, access denied does not, a refused socket does', () => {
    expect(
      thrownFailure(
        Object.assign(new Error('Rate exceeded'), {
          name: 'TooManyRequestsException',
          $metadata: { httpStatusCode: 429 },
          $fault: 'client',
        }),
      ),
    ).toMatchObject({ retryable: true, throttled: true })
    expect(
      thrownFailure(Object.assign(new Error('boom'), { name: 'InternalException', $metadata: { httpStatusCode: 500 }, $fault: 'server' })),
    ).toMatchObject({ retryable: true })
    expect(
      thrownFailure(
        Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 }, $fault: 'client' }),
      ),
    ).toMatchObject({ code: 'AccessDeniedException', retryable: false })
    expect(
      thrownFailure(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } })),
    ).toMatchObject({ code: 'ECONNREFUSED', retryable: true })
    expect(httpFailure(404, 'gone')).toMatchObject({ retryable: false })
    expect(httpFailure(503, 'later', '2')).toMatchObject({ retryable: true, retryAfterMs: 2000 })
  })

  it('batches by count and by bytes, an oversized item alone', () => {
    expect(batches([1, 2, 3, 4, 5], 2, 100, () => 1)).toEqual([[1, 2], [3, 4], [5]])
    expect(batches([40, 40, 40, 200, 10], 10, 100, (n) => n)).toEqual([[40, 40], [40], [200], [10]])
  })
})

describe('fitting a document under a size limit', () => {
  it('leaves out the largest details first and keeps the rest', () => {
    const doc = { id: 'f', details: { small: 'x', policy: 'p'.repeat(5_000), acl: 'a'.repeat(2_000) } }
    const fitted = fitJson(doc, 3_000, 'the limit')!
    const back = JSON.parse(fitted.json) as typeof doc
    expect(back.details.small).toBe('x')
    expect(back.details.acl).toBe('a'.repeat(2_000))
    expect(back.details.policy).toMatch(/^\[left out: 5002 bytes, over the limit/)
    expect(doc.details.policy.length).toBe(5_000)
    expect(fitJson({ id: 'x'.repeat(100) }, 50, 'the limit')).toBeUndefined()
  })
})

describe('SNS subjects', () => {
  it('are printable ASCII under 100 characters whatever the record holds', () => {
    const f = {
      severity: 'high',
      title: 'Bucket made public\n\u0007 ✓ — for everyone',
      resource: { name: 'b'.repeat(200), arn: null },
      account: '111122223333',
    } as unknown as Finding
    const s = snsSubject(f)
    expect(s).toMatch(/^\[HIGH\] Bucket made public \? \? for everyone: b+\.\.\.$/)
    expect(s.length).toBe(99)
  })
})
