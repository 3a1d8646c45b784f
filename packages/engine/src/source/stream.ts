import type { Readable } from 'node:stream'
import { SourceReadError } from '../errors.js'
import { parseCloudTrailKey } from './key-layout.js'
import type { LogObject } from './log-object.js'

/**
 * One object read from a stream that can be read once, such as stdin (`trailscan scan -`), gzipped or not: the
 * reader sniffs gzip from the bytes as for any object. Its size is unknown (Infinity), so the reader streams it
 * and the decompressed-size cap bounds it like any other source.
 */
export function streamObject(uri: string, stream: Readable): LogObject {
  let opened = false
  return {
    uri,
    size: Number.POSITIVE_INFINITY,
    key: parseCloudTrailKey(uri),
    open: () => {
      if (opened) return Promise.reject(new SourceReadError('a stream can be read only once', { location: { object: uri } }))
      opened = true
      return Promise.resolve(stream)
    },
  }
}
