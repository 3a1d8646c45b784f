/**
 * The S3 client a scan uses. Credentials come from the SDK's default Node chain (env, shared config and SSO,
 * web identity, container and instance roles); `profile` is handed to that chain and to the region loader, so
 * no extra credential-provider package is needed.
 */
import type { S3Client } from '@aws-sdk/client-s3'
import { s3Sdk } from './s3-sdk.js'
import { budgetedRetryStrategy, RetryBudget } from './s3-retry.js'

export interface S3ClientOptions {
  /** Named profile from ~/.aws/config / credentials (SSO profiles included). */
  profile?: string
  /** Region to use when neither `region` nor the environment or profile names one (default us-east-1). */
  fallbackRegion?: string
  /** Client region; without it the profile / AWS_REGION is used, then us-east-1. Buckets elsewhere still work. */
  region?: string
  /** S3-compatible endpoint (MinIO, localstack, a test server); implies path-style addressing. */
  endpointUrl?: string
  /** Total attempts per request, first try included. */
  maxAttempts?: number
  /** Socket-level timeouts in ms; 0 disables one. `idleMs` is the idle deadline of every request and body. */
  timeouts?: { connectMs?: number; idleMs?: number }
  /** The run's retry budget, shared with the object reader's resumes (default: 1,000 for this client alone). */
  retryBudget?: RetryBudget
}

const DEFAULTS = {
  maxAttempts: 8,
  connectMs: 5_000,
  // A socket that sends nothing for this long is declared dead: the SDK retries the request, and a body being
  // streamed fails with TimeoutError, which the object reader resumes with a Range request.
  idleMs: 30_000,
} as const

const FALLBACK_REGION = 'us-east-1'

/** Region from the profile or environment, else us-east-1 (region redirects then find the bucket's region). */
function regionProvider(profile: string | undefined, fallback: string): () => Promise<string> {
  let pending: Promise<string> | undefined
  return () => {
    pending ??= (async () => {
      // A throwaway client resolves the region the same way the SDK would (env, then the profile's config).
      const probe = new (s3Sdk().S3Client)(profile === undefined ? {} : { profile })
      try {
        const region = await probe.config.region()
        return region === '' ? fallback : region
      } catch {
        return fallback
      } finally {
        probe.destroy()
      }
    })()
    return pending
  }
}

/** The options each client was made from, minus the budget: a worker thread builds its own client from them. */
const made = new WeakMap<S3Client, Omit<S3ClientOptions, 'retryBudget'>>()

/** The options `client` was made with by createS3Client (without its retry budget), or undefined for another client. */
export function clientOptionsOf(client: S3Client): Omit<S3ClientOptions, 'retryBudget'> | undefined {
  return made.get(client)
}

/** An S3Client with retries (throttling, 5xx, resets, timeouts; within the run's budget), region redirects and timeouts. */
export function createS3Client(opts: S3ClientOptions = {}): S3Client {
  const connectMs = opts.timeouts?.connectMs ?? DEFAULTS.connectMs
  const idleMs = opts.timeouts?.idleMs ?? DEFAULTS.idleMs
  const maxAttempts = opts.maxAttempts ?? DEFAULTS.maxAttempts
  const client = new (s3Sdk().S3Client)({
    ...(opts.profile === undefined ? {} : { profile: opts.profile }),
    region: opts.region ?? regionProvider(opts.profile, opts.fallbackRegion ?? FALLBACK_REGION),
    followRegionRedirects: true,
    ...(opts.endpointUrl === undefined ? {} : { endpoint: opts.endpointUrl, forcePathStyle: true }),
    maxAttempts,
    // NOTE: standard rules rather than adaptive: the lister already caps in-flight requests with p-limit, and the
    // adaptive limiter is client-wide, so one hot prefix answering SlowDown would slow every other prefix too.
    retryStrategy: budgetedRetryStrategy(maxAttempts, opts.retryBudget ?? new RetryBudget()),
    requestHandler: { connectionTimeout: connectMs, socketTimeout: idleMs },
  })
  const { retryBudget: _budget, ...plain } = opts
  made.set(client, plain)
  return client
}
