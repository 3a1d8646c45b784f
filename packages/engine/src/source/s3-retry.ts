/**
 * The retry budget of a whole run, and the SDK retry strategy that spends it. A store that fails every request
 * (throttles forever, drips bodies past their deadline) would otherwise cost up to 8 SDK attempts per request
 * and 5 resumes per object, each with its backoff, for every object of the bucket. Every retry of the run, the
 * SDK's and the object reader's resumes alike, takes one unit; once none is left, failures are reported at once.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3'

/** Retries a run may spend when nobody says otherwise. */
export const DEFAULT_RETRY_BUDGET = 1_000

/** What a run spent, as the summary reports it. */
export interface RetryReport {
  used: number
  budget: number
  /** True once a failure went unretried because nothing was left. */
  exhausted: boolean
}

/** A budget as it crosses to a worker thread: the counters live in shared memory, so every thread spends one budget. */
export interface SharedRetryBudget {
  limit: number
  /** Int32 [spent, refused]. */
  counters: SharedArrayBuffer
}

export class RetryBudget {
  // Shared memory, so the worker threads of a scan (scan/worker-pool.ts) spend the run's one budget.
  private readonly counters: Int32Array

  constructor(
    readonly limit: number = DEFAULT_RETRY_BUDGET,
    shared?: SharedArrayBuffer,
  ) {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`retry budget must be a whole number ≥ 0, got ${limit}`)
    this.counters = new Int32Array(shared ?? new SharedArrayBuffer(8))
  }

  /** The same budget in another thread. */
  static fromShared(s: SharedRetryBudget): RetryBudget {
    return new RetryBudget(s.limit, s.counters)
  }

  share(): SharedRetryBudget {
    return { limit: this.limit, counters: this.counters.buffer as SharedArrayBuffer }
  }

  /** Takes one retry; false (and the budget counts as exhausted) when none is left. */
  take(): boolean {
    for (;;) {
      const spent = Atomics.load(this.counters, 0)
      if (spent >= this.limit) {
        Atomics.store(this.counters, 1, 1)
        return false
      }
      if (Atomics.compareExchange(this.counters, 0, spent, spent + 1) === spent) return true
    }
  }

  /** Why a failure was not retried, for its error message. */
  refusal(): string {
    return `not retried: the run's retry budget of ${this.limit} is spent`
  }

  report(): RetryReport {
    return { used: Atomics.load(this.counters, 0), budget: this.limit, exhausted: Atomics.load(this.counters, 1) === 1 }
  }
}

/** SDK errors given up on because the budget was spent (so their message can say why there was no retry). */
const refusedByBudget = new WeakMap<object, RetryBudget>()

/** The budget that refused to retry this SDK error, if that is why it surfaced. */
export function budgetRefusal(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? refusedByBudget.get(err)?.refusal() : undefined
}

interface Token {
  getRetryCount(): number
  getRetryDelay(): number
}

interface ErrorInfo {
  error?: unknown
  errorType: 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR'
  retryAfterHint?: Date
}

const BASE_DELAY_MS = 100
const THROTTLING_BASE_DELAY_MS = 500
const MAX_DELAY_MS = 20_000

function token(count: number, delay: number): Token {
  return { getRetryCount: () => count, getRetryDelay: () => delay }
}

/**
 * The SDK's standard retry rules (throttling and transient errors only, as the SDK classifies them; exponential
 * backoff with full jitter, a longer base for throttling, Retry-After honoured within 5 s), with the run's
 * budget in place of the SDK's per-client retry quota.
 */
export function budgetedRetryStrategy(maxAttempts: number, budget: RetryBudget): NonNullable<S3ClientConfig['retryStrategy']> {
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: Token, info: ErrorInfo) => {
      const count = previous.getRetryCount()
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT'
      if (!retryable || count + 1 >= maxAttempts) throw new Error('no retry')
      if (!budget.take()) {
        if (typeof info.error === 'object' && info.error !== null) refusedByBudget.set(info.error, budget)
        throw new Error('retry budget spent')
      }
      const base = info.errorType === 'THROTTLING' ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS
      let delay = Math.random() * Math.min(MAX_DELAY_MS, base * 2 ** count)
      if (info.retryAfterHint instanceof Date) delay = Math.max(delay, Math.min(info.retryAfterHint.getTime() - Date.now(), delay + 5_000))
      return token(count + 1, delay)
    },
    recordSuccess: () => undefined,
  }
}
