import type { S3Client } from '@aws-sdk/client-s3'
import { localObject } from './local.js'
import type { LogObject } from './log-object.js'
import type { ObjectRef } from './object-ref.js'
import type { S3ClientOptions } from './s3-client.js'

/**
 * A LogObject again, in a worker thread, from its reference (source/object-ref.ts). S3 objects get a client built
 * through createS3Client from the options the main thread's client was made with, one per distinct options in
 * this thread, spending the run's shared retry budget. The S3 modules load only when an S3 object arrives.
 */
const clients = new Map<string, Promise<S3Client>>()

export async function objectFromRef(ref: ObjectRef): Promise<LogObject> {
  const origin = ref.origin
  let o: LogObject
  if (origin.kind === 'local') {
    o = localObject(origin.path, ref.size, ref.mtime)
  } else {
    const [{ s3LogObject }, { RetryBudget }] = await Promise.all([import('./s3-object.js'), import('./s3-retry.js')])
    const budget = origin.budget ? RetryBudget.fromShared(origin.budget) : undefined
    const id = JSON.stringify(origin.client)
    let ready = clients.get(id)
    if (!ready) clients.set(id, (ready = readyClient({ ...origin.client, ...(budget ? { retryBudget: budget } : {}) })))
    const client = await ready
    o = s3LogObject(
      {
        client,
        bucket: origin.bucket,
        ...(origin.requestPayer !== undefined ? { requestPayer: origin.requestPayer } : {}),
        ...(origin.resume ? { resume: origin.resume } : {}),
        ...(origin.objectTimeoutMs !== undefined ? { objectTimeoutMs: origin.objectTimeoutMs } : {}),
        ...(budget ? { retryBudget: budget } : {}),
      },
      {
        key: origin.key,
        info: ref.key,
        ...(origin.listedSize !== undefined ? { size: origin.listedSize } : {}),
        ...(origin.pinned ? { pinned: true } : {}),
        ...(ref.etag !== undefined ? { etag: ref.etag } : {}),
        ...(ref.mtime !== undefined ? { mtime: ref.mtime } : {}),
      },
    )
  }
  // As listed on the main thread: the key as its lister read it, and whether the walk found it by content.
  o.key = ref.key
  if (ref.byContent) o.byContent = true
  return o
}

/**
 * A client whose credentials and region are resolved before any object waits on it. The SDK loads and resolves
 * them on a client's first request, inside that request's deadlines (--s3-object-timeout, --s3-idle-timeout):
 * every object a new worker was sent would otherwise be timed against the worker's cold start.
 */
async function readyClient(opts: S3ClientOptions): Promise<S3Client> {
  const { createS3Client } = await import('./s3-client.js')
  const client = createS3Client(opts)
  await Promise.all([client.config.credentials(), client.config.region()]).catch(() => undefined)
  return client
}
