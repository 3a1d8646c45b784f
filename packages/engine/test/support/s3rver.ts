/**
 * A real S3 API (s3rver) on 127.0.0.1, random port, temp directory; `stop()` closes it and deletes the directory.
 * s3rver checks the access key id (S3RVER) but not SigV4 signatures, so bad keys give a real InvalidAccessKeyId.
 *
 * s3rver 3.7.1's file store lists delimiter listings wrongly: it reports a common prefix only when objects sit
 * directly in that directory (`AWSLogs/` never shows under the bucket root). `fixListing` wraps the store's
 * listing: it takes the flat listing, sorts by key and groups common prefixes as S3 does (delimiter listings come
 * back in one page: s3rver derives the continuation token from the last object, which cannot express a page
 * ending in a common prefix). Flat listings keep s3rver's own paging.
 * It also seals continuation tokens with DES, which OpenSSL 3 no longer offers: `allowDesTokens` lets those
 * tokens through unsealed (the token's content is s3rver's business; only its round trip matters).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface StoredObject {
  key: string
}
interface ListResult {
  objects: StoredObject[]
  commonPrefixes: string[]
  isTruncated: boolean
}
interface ListOptions {
  delimiter?: string
  startAfter?: string
  prefix?: string
  maxKeys?: number
}
interface Store {
  listObjects(bucket: string, options: ListOptions): Promise<ListResult>
}
interface S3rverInstance {
  store: Store
  run(): Promise<AddressInfo>
  close(): Promise<void>
}

let desPatched = false

function allowDesTokens(): void {
  if (desPatched) return
  desPatched = true
  // The same object s3rver gets from require('crypto').
  const crypto = createRequire(import.meta.url)('node:crypto') as Record<string, unknown>
  const passThrough = { update: (data: string | Buffer) => Buffer.from(data), final: () => Buffer.alloc(0) }
  for (const name of ['createCipheriv', 'createDecipheriv']) {
    const original = crypto[name] as (...args: unknown[]) => unknown
    crypto[name] = (algorithm: string, ...rest: unknown[]) => (algorithm === 'des' ? passThrough : original(algorithm, ...rest))
  }
}

function fixListing(store: Store): void {
  const original = store.listObjects.bind(store)
  store.listObjects = async (bucket, options) => {
    const { delimiter = '', startAfter = '', prefix = '' } = options
    if (delimiter === '') return original(bucket, options)
    const all = await original(bucket, { prefix, maxKeys: Infinity })
    const objects = all.objects.filter((o) => o.key > startAfter).sort((a, b) => (a.key < b.key ? -1 : 1))
    const own: StoredObject[] = []
    const common = new Set<string>()
    for (const o of objects) {
      const at = o.key.indexOf(delimiter, prefix.length)
      if (at === -1) own.push(o)
      else common.add(o.key.slice(0, at + delimiter.length))
    }
    return { objects: own, commonPrefixes: [...common].sort(), isTruncated: false }
  }
}

type S3rverCtor = new (opts: Record<string, unknown>) => S3rverInstance

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const

/** The environment a CLI child process needs to reach s3rver through the SDK's default chain, and nothing else. */
export const S3RVER_ENV = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
} as const

export interface RunningS3rver {
  endpoint: string
  port: number
  stop(): Promise<void>
}

export async function startS3rver(buckets: string[]): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'trailscan-s3rver-'))
  // s3rver is CommonJS without type declarations; the little of it used here is typed above.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor
  const server = new S3rver({
    silent: process.env.S3RVER_LOG === undefined,
    address: '127.0.0.1',
    port: 0,
    directory,
    allowMismatchedSignatures: true,
    configureBuckets: buckets.map((name) => ({ name })),
  })
  allowDesTokens()
  fixListing(server.store)
  const { port } = await server.run()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
