/**
 * Telling an s3:// argument from a local path, apart from the rest of the S3 source so that a local scan can
 * ask without loading the lister, the object reader and their dependencies.
 */
import { UsageError } from '../errors.js'

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
