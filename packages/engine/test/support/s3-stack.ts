/**
 * s3rver behind the fault proxy, plus clients of the code under test pointed at the proxy. Credentials reach
 * those clients through the SDK's default chain (environment variables), as they would in production.
 */
import { vi } from 'vitest'
import type { S3Client } from '@aws-sdk/client-s3'
import { createS3Client, type S3ClientOptions } from '../../src/source/s3.js'
import type { LogObject } from '../../src/source/log-object.js'
import { startFaultProxy, type FaultProxy } from './fault-proxy.js'
import { S3RVER_CREDENTIALS, startS3rver, type RunningS3rver } from './s3rver.js'

export interface S3Stack {
  s3: RunningS3rver
  proxy: FaultProxy
  /** A client of the code under test, through the proxy. */
  client(opts?: S3ClientOptions): S3Client
  stop(): Promise<void>
}

/** Environment for the default credential chain: s3rver's keys, no profile, no instance metadata lookups. */
export function stubS3rverCredentials(): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId)
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey)
  vi.stubEnv('AWS_SESSION_TOKEN', undefined)
  vi.stubEnv('AWS_PROFILE', undefined)
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true')
}

export async function startS3Stack(buckets: string[]): Promise<S3Stack> {
  const s3 = await startS3rver(buckets)
  const proxy = await startFaultProxy(s3.port)
  const clients: S3Client[] = []
  return {
    s3,
    proxy,
    client(opts = {}) {
      const c = createS3Client({ endpointUrl: proxy.endpoint, region: 'us-east-1', maxAttempts: 4, ...opts })
      clients.push(c)
      return c
    },
    async stop() {
      for (const c of clients) c.destroy()
      await proxy.stop()
      await s3.stop()
    },
  }
}

export async function collect(objects: AsyncIterable<LogObject>): Promise<LogObject[]> {
  const out: LogObject[] = []
  for await (const o of objects) out.push(o)
  return out
}

/** Listing requests the proxy saw, as `prefix` (flat) or `prefix|/` (delimiter), without continuation pages. */
export function listed(proxy: FaultProxy): string[] {
  return proxy
    .listings()
    .filter((r) => r.query['continuation-token'] === undefined)
    .map((r) => (r.query['delimiter'] === undefined ? (r.query['prefix'] ?? '') : `${r.query['prefix'] ?? ''}|${r.query['delimiter']}`))
}
