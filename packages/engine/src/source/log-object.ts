import type { Readable } from 'node:stream'
import type { KeyInfo } from './key-layout.js'

/**
 * One file or S3 object. `open()` yields the bytes as stored (compressed or not); the reader sniffs gzip from
 * the bytes. A source whose transport can fail mid-body (S3) must resume transparently, so that the reader never
 * sees a byte twice and never counts a record twice.
 */
export interface LogObject {
  /** `s3://bucket/key` or a local path. */
  uri: string
  size: number
  etag?: string
  mtime?: Date
  key: KeyInfo
  /**
   * Found by a directory walk outside CloudTrail's key layout: the reader judges it by its first bytes, and one
   * that is not CloudTrail (not gzip or JSON of records, a digest) is skipped and reported, not an error.
   */
  byContent?: boolean
  open(): Promise<Readable>
  /**
   * The whole stored object in one buffer, where the source can do that cheaper than a stream (small files).
   * Never more than `limit + 1` bytes: a longer answer means the object holds more than its listed size (a
   * device or a growing file), and the reader streams it instead, under the decompressed-size cap.
   */
  read?(limit: number): Promise<Buffer>
}

/**
 * What says an object changed: the ETag where the source has one (S3); for a local file, its size and
 * modification time. Scheduled scans (state/) and shard plans (source/shard-plan.ts) both compare it.
 */
export function changeToken(o: Pick<LogObject, 'etag' | 'size' | 'mtime'>): string {
  if (o.etag !== undefined) return o.etag
  return o.mtime !== undefined ? `${o.size}:${o.mtime.getTime()}` : String(o.size)
}
