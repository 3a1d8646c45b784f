import type { KeyInfo } from './key-layout.js'
import type { LogObject } from './log-object.js'
import type { S3ClientOptions } from './s3-client.js'
import type { ResumeOptions } from './s3-object.js'
import type { SharedRetryBudget } from './s3-retry.js'

/**
 * Where an object can be opened again from plain data: a worker thread (scan/worker-pool.ts) gets this, never the
 * LogObject, whose `open()` is a closure over the main thread's file handles or S3 client.
 */
export type ObjectOrigin =
  | { kind: 'local'; path: string }
  | {
      kind: 's3'
      bucket: string
      key: string
      /** The listed size, when the listing gave one (the body is never read past it). */
      listedSize?: number
      /** Read only at the ETag (a plan's object): a changed object is an error, not scanned (source/s3-object.ts). */
      pinned?: boolean
      /** What the worker builds its own client from (source/s3-client.ts), and the run's shared retry budget. */
      client: Omit<S3ClientOptions, 'retryBudget'>
      budget?: SharedRetryBudget
      requestPayer?: boolean
      resume?: ResumeOptions
      objectTimeoutMs?: number
    }

/** A LogObject by reference, structured-clone safe: what crosses to a worker thread. */
export interface ObjectRef {
  uri: string
  size: number
  key: KeyInfo
  byContent?: boolean
  etag?: string
  mtime?: Date
  origin: ObjectOrigin
}

const origins = new WeakMap<LogObject, { origin: ObjectOrigin; open: LogObject['open']; read: LogObject['read'] }>()

/** Called by the sources that build LogObjects (local files, S3 objects made with createS3Client). */
export function rememberOrigin(o: LogObject, origin: ObjectOrigin): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be compared with, never called
  origins.set(o, { origin, open: o.open, read: o.read })
}

/**
 * The object as a reference, or undefined when its source cannot be opened elsewhere: stdin, a caller's own
 * object, or one whose `open`/`read` were replaced after it was made (a plan's local file checked against its
 * recorded size and time first, source/planned-objects.ts), since a worker would open it the plain way.
 */
export function refOf(o: LogObject): ObjectRef | undefined {
  const made = origins.get(o)
  if (!made || made.open !== o.open || made.read !== o.read) return undefined
  const origin = made.origin
  const ref: ObjectRef = { uri: o.uri, size: o.size, key: o.key, origin }
  if (o.byContent) ref.byContent = true
  if (o.etag !== undefined) ref.etag = o.etag
  if (o.mtime !== undefined) ref.mtime = o.mtime
  return ref
}
