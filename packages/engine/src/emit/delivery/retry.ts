/**
 * The one retry and batching piece every destination shares. A destination says, for each item of one attempt,
 * whether it was accepted, failed for good, or may succeed later (throttled, a 5xx, a reset connection); this
 * loop sends only the items still pending again, with exponential backoff and full jitter, and reports every
 * item that never got through, each with its own reason. Nothing is dropped: every item ends sent or failed.
 *
 * The AWS clients are built with one attempt (aws-clients.ts), so a throttled request is retried here, once,
 * and never multiplied by the SDK's own retries.
 */

export interface RetryPolicy {
  /** Attempts per item, the first included. */
  attempts: number
  /** Base of the exponential backoff (full jitter) for transient failures, in ms. */
  baseDelayMs: number
  /** Base for throttling: a destination that asks to slow down gets longer waits. */
  throttleBaseDelayMs: number
  /** No single wait is longer, Retry-After included. */
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, throttleBaseDelayMs: 1_000, maxDelayMs: 20_000 }

/** Why one item did not get through one attempt. */
export interface ItemFailure {
  /** The destination's error code (ThrottlingException, AccessDenied, HTTP 503, …). */
  code: string
  message: string
  retryable: boolean
  throttled?: boolean
  /** The destination asked to wait this long (Retry-After), in ms. */
  retryAfterMs?: number
}

/** One attempt's answer per item, in the order given; `undefined` means accepted. */
export type AttemptOutcome = (ItemFailure | undefined)[]

export interface FailedItem<T> {
  item: T
  failure: ItemFailure
  attempts: number
}

export interface RetryResult<T> {
  sent: T[]
  failed: FailedItem<T>[]
  /** Items sent again after a retryable failure (one per item per retry). */
  retries: number
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
])
const TRANSIENT_CODES = new Set([
  'InternalFailure',
  'InternalError',
  'InternalErrorException',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

/** Whether a destination's error code (SDK error name, item error code) means "try again later". */
export function codeIsThrottling(code: string): boolean {
  return THROTTLING_CODES.has(code)
}

export function codeIsTransient(code: string): boolean {
  return TRANSIENT_CODES.has(code)
}

/** An HTTP status as an item failure: 429 throttles, 408 and 5xx are transient, the rest final. */
export function httpFailure(status: number, message: string, retryAfter?: string | null): ItemFailure {
  const throttled = status === 429
  const retryable = throttled || status === 408 || status >= 500
  const f: ItemFailure = { code: `HTTP ${status}`, message, retryable, throttled }
  const after = retryAfterMs(retryAfter)
  if (after !== undefined) f.retryAfterMs = after
  return f
}

/** Retry-After as seconds or an HTTP date, in ms from now. */
export function retryAfterMs(v: string | null | undefined): number | undefined {
  if (!v) return undefined
  const s = Number(v)
  if (Number.isFinite(s) && s >= 0) return s * 1000
  const t = Date.parse(v)
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now())
}

/** A thrown error (SDK, fetch, socket) as the failure of every item of the attempt. */
export function thrownFailure(e: unknown): ItemFailure {
  const err = e as {
    name?: string
    code?: string
    message?: string
    cause?: { code?: string; message?: string }
    $metadata?: { httpStatusCode?: number }
    $fault?: string
    $retryable?: { throttling?: boolean }
    $response?: { headers?: Record<string, string> }
  }
  const status = err.$metadata?.httpStatusCode
  const causeCode = err.cause?.code
  const name = err.name && err.name !== 'Error' ? err.name : undefined
  // fetch throws a TypeError whose cause carries the socket's code (ECONNREFUSED, …): that code says more.
  const code = (name === 'TypeError' ? causeCode : undefined) ?? name ?? err.code ?? causeCode ?? (status ? `HTTP ${status}` : 'Error')
  const throttled = err.$retryable?.throttling === true || status === 429 || codeIsThrottling(code)
  const transient =
    codeIsTransient(code) ||
    (err.code !== undefined && codeIsTransient(err.code)) ||
    (causeCode !== undefined && codeIsTransient(causeCode)) ||
    (status !== undefined && status >= 500) ||
    // A reply the SDK could not read (a proxy's HTML error page) is not the service refusing the call.
    (status === undefined && err.$fault === undefined && name === undefined)
  const detail = err.cause?.message && err.cause.message !== err.message ? `: ${err.cause.message}` : ''
  const f: ItemFailure = { code, message: `${err.message ?? String(e)}${detail}`, retryable: throttled || transient, throttled }
  const after = retryAfterMs(err.$response?.headers?.['retry-after'])
  if (after !== undefined) f.retryAfterMs = after
  return f
}

/** Full-jitter exponential backoff: a random wait below base·2^(n-1), at most maxDelayMs, Retry-After honoured. */
export function backoffMs(policy: RetryPolicy, retry: number, throttled: boolean, retryAfter: number | undefined): number {
  const base = throttled ? policy.throttleBaseDelayMs : policy.baseDelayMs
  const jittered = Math.random() * Math.min(policy.maxDelayMs, base * 2 ** (retry - 1))
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfter ?? 0))
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Sends `items` through `attempt` until each is accepted or has failed for good. An attempt that throws fails
 * every item it was given, classified by `thrownFailure`. Once `signal` aborts (the run was stopped), no new
 * attempt starts: items still pending fail as "not sent".
 */
export async function sendWithRetries<T>(
  items: readonly T[],
  attempt: (items: T[]) => Promise<AttemptOutcome>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<RetryResult<T>> {
  const result: RetryResult<T> = { sent: [], failed: [], retries: 0 }
  let pending = [...items]
  for (let n = 1; pending.length > 0; n++) {
    if (signal?.aborted) {
      for (const item of pending)
        result.failed.push({
          item,
          attempts: n - 1,
          failure: { code: 'Interrupted', message: 'not sent: the run was stopped', retryable: false },
        })
      break
    }
    let outcome: AttemptOutcome
    try {
      outcome = await attempt(pending)
    } catch (e) {
      const f = thrownFailure(e)
      outcome = pending.map(() => f)
    }
    const again: T[] = []
    let throttled = false
    let after: number | undefined
    pending.forEach((item, i) => {
      const f = outcome[i]
      if (f === undefined) result.sent.push(item)
      else if (f.retryable && n < policy.attempts) {
        again.push(item)
        throttled ||= f.throttled === true
        if (f.retryAfterMs !== undefined) after = Math.max(after ?? 0, f.retryAfterMs)
      } else
        result.failed.push({
          item,
          attempts: n,
          failure: f.retryable ? { ...f, message: `${f.message} (still failing after ${n} attempts)` } : f,
        })
    })
    pending = again
    if (pending.length > 0) {
      result.retries += pending.length
      await sleep(backoffMs(policy, n, throttled, after), signal)
    }
  }
  return result
}

/**
 * Splits items into batches of at most `maxCount` items and `maxBytes` bytes (by `size`), in order. An item
 * larger than `maxBytes` on its own goes alone: the destination will refuse it, and that refusal is reported
 * against that item only.
 */
export function batches<T>(items: readonly T[], maxCount: number, maxBytes: number, size: (item: T) => number): T[][] {
  const out: T[][] = []
  let cur: T[] = []
  let bytes = 0
  for (const item of items) {
    const s = size(item)
    if (cur.length > 0 && (cur.length >= maxCount || bytes + s > maxBytes)) {
      out.push(cur)
      cur = []
      bytes = 0
    }
    cur.push(item)
    bytes += s
  }
  if (cur.length > 0) out.push(cur)
  return out
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
