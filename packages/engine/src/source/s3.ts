/**
 * The S3 source: a client factory, the pruning lister and the fatal-error test the CLI needs. Objects come out
 * as LogObjects whose `open()` streams and resumes the body (s3-object.ts).
 */
import { UsageError } from '../errors.js'

export { createS3Client, type S3ClientOptions } from './s3-client.js'
export { listS3Objects, type ListS3Options, type S3ListRequest } from './s3-list.js'
export { openS3Object, type ResumeOptions, type S3ObjectContext } from './s3-object.js'
export { FatalS3Error, isFatalS3Error } from './s3-errors.js'

export interface S3Location {
  bucket: string
  /** Key prefix, '' for the whole bucket. */
  prefix: string
}

// Bucket names: 3–63 characters of lowercase letters, digits, dots and hyphens (older buckets in us-east-1
// may hold capitals and underscores, so those are let through too).
const BUCKET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/

/** `s3://bucket/prefix` → `{ bucket, prefix }`. Throws UsageError for anything else. */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(uri)
  if (m === null) throw new UsageError(`not an S3 URI (expected s3://bucket/prefix): ${uri}`)
  const bucket = m[1] ?? ''
  if (!BUCKET_RE.test(bucket)) throw new UsageError(`not a valid bucket name in ${uri}: ${JSON.stringify(bucket)}`)
  return { bucket, prefix: m[2] ?? '' }
}

/** Whether a CLI argument names S3 rather than a local path. */
export function isS3Uri(arg: string): boolean {
  return /^s3:\/\//i.test(arg)
}
