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
  open(): Promise<Readable>
  /** The whole stored object in one buffer, where the source can do that cheaper than a stream (small files). */
  read?(): Promise<Buffer>
}
