import type { Readable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import { SourceReadError } from '../errors.js'
import type { LogObject } from '../source/log-object.js'
import { GzipFault, inflateMembers } from './gzip-members.js'

/**
 * Bytes of one object → its decompressed bytes, in chunks. The record splitter works on the bytes (or on them
 * read as latin1, one character per byte: several times faster than UTF-8 decoding, offsets stay byte offsets,
 * and lossless, since the splitter only looks at ASCII structure and UTF-8 continuation bytes are never `"`,
 * `\\`, `{` …); the few records a rule may match are decoded as UTF-8 on their own.
 * Gzip is recognised from the magic bytes, never the name.
 * Small objects are buffered and inflated in one call (3–4× faster than a stream per object, see
 * ARCHITECTURE.md); large ones are streamed so memory stays bounded. Either way the decompressed size is capped.
 * On a truncated or corrupt body, everything inflated before the fault is still yielded, then the error thrown;
 * a bad CRC or length in a gzip trailer, or trailing garbage, costs no data (read/gzip-members.ts).
 */
export interface DecodeOptions {
  /** Cap on decompressed bytes per object (gzip bombs). */
  maxBytes: number
  /** Objects at or below this stored size are read whole and inflated in one call. */
  oneShotBelow: number
}

export const DECODE_DEFAULTS: DecodeOptions = {
  maxBytes: 2 * 1024 ** 3,
  oneShotBelow: 8 * 1024 ** 2,
}

export interface DecodeStats {
  storedBytes: number
  decodedBytes: number
  gzip: boolean
}

const CHUNK = 1024 * 1024

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b
}

function capError(obj: LogObject, max: number): SourceReadError {
  return new SourceReadError(`decompressed size exceeds the cap of ${max} bytes (possible gzip bomb; raise it with --max-object-bytes)`, {
    location: { object: obj.uri, offset: max },
  })
}

/**
 * A gzip fault after `offset` decompressed bytes. `wholeMembers`: every member before it inflated to its end (a
 * trailer or trailing-garbage fault), so the bytes delivered are complete and their last record can be finished.
 */
export class GzipError extends SourceReadError {
  constructor(
    message: string,
    opts: { location: { object: string; offset: number }; cause: unknown },
    readonly wholeMembers: boolean,
  ) {
    super(message, opts)
  }
}

function gzipError(obj: LogObject, decoded: number, cause: unknown): SourceReadError {
  const why = cause instanceof Error ? cause.message : String(cause)
  const message =
    cause instanceof GzipFault && cause.wholeMembers
      ? `gzip fault after ${decoded} decompressed bytes: ${why}`
      : `gzip data is truncated or corrupt after ${decoded} decompressed bytes (${why})`
  return new GzipError(message, { location: { object: obj.uri, offset: decoded }, cause }, cause instanceof GzipFault && cause.wholeMembers)
}

/**
 * The whole stream in one buffer. A source fault mid-way (an S3 body cut and not resumed, cut at its listed size)
 * does not lose what arrived before it: those bytes come back with the fault, to be read before it is reported.
 */
async function readAll(stream: Readable, max: number, obj: LogObject): Promise<{ bytes: Buffer; fault?: unknown }> {
  const parts: Buffer[] = []
  let n = 0
  let fault: unknown
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      n += chunk.length
      if (n > max) {
        stream.destroy()
        throw capError(obj, max)
      }
      parts.push(chunk)
    }
  } catch (err) {
    if (n > max || parts.length === 0) throw err
    fault = err
  }
  const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, n)
  return fault === undefined ? { bytes } : { bytes, fault }
}

export async function* decodeObject(obj: LogObject, opts: DecodeOptions, stats: DecodeStats): AsyncGenerator<Buffer, void, undefined> {
  // A source that reads whole is asked for no more than the one-shot size: an object longer than listed (a
  // device or a growing file behind a size of 0) then goes the streamed way, where the cap bounds memory too.
  const whole = obj.size <= opts.oneShotBelow && obj.read ? await obj.read(opts.oneShotBelow) : undefined
  if (obj.size <= opts.oneShotBelow && (whole === undefined || whole.length <= opts.oneShotBelow)) {
    const { bytes: stored, fault } = whole !== undefined ? { bytes: whole } : await readAll(await obj.open(), opts.maxBytes, obj)
    if (fault !== undefined) {
      // What arrived is read as a stream would have read it; the source fault, not the truncated gzip it leaves
      // behind, is what gets reported.
      try {
        yield* sniffAndStream(toReadable(stored), obj, opts, stats)
      } catch (err) {
        if (stats.decodedBytes > opts.maxBytes) throw err
      }
      throw fault
    }
    stats.storedBytes = stored.length
    if (!isGzip(stored)) {
      if (stored.length > opts.maxBytes) throw capError(obj, opts.maxBytes)
      stats.decodedBytes = stored.length
      yield stored
      return
    }
    stats.gzip = true
    let text: Buffer
    try {
      // One output chunk of the size the gzip trailer announces saves zlib from concatenating many small ones.
      text = gunzipSync(stored, { maxOutputLength: opts.maxBytes, chunkSize: outputChunkSize(stored, opts.maxBytes) })
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw capError(obj, opts.maxBytes)
      // Inflate again as a stream to recover every byte before the fault, so records before it still count.
      stats.storedBytes = 0 // inflateStream counts the stored bytes again as it feeds them
      yield* inflateStream(toReadable(stored), obj, opts, stats)
      return
    }
    stats.decodedBytes = text.length
    yield text
    return
  }
  const stream = await obj.open()
  try {
    yield* sniffAndStream(stream, obj, opts, stats)
  } finally {
    // Release the file handle or the S3 socket when reading stopped early (cap, fault, consumer gave up).
    stream.destroy()
  }
}

/** UTF-8 text of a record the reader delivered as latin1 (one character per byte). */
export function decodeRecord(raw: string): string {
  // Pure ASCII, by far the common case, is the same in both encodings.
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) > 0x7f) return Buffer.from(raw, 'latin1').toString('utf8')
  return raw
}

/** ISIZE (uncompressed size mod 2^32, last member only) + 1, kept within zlib's and the cap's bounds. */
function outputChunkSize(gz: Buffer, max: number): number {
  const isize = gz.length >= 18 ? gz.readUInt32LE(gz.length - 4) : 0
  return Math.max(64 * 1024, Math.min(isize + 1, max, 512 * 1024 * 1024))
}

function toReadable(buf: Buffer): AsyncIterable<Buffer> {
  return (async function* () {
    for (let i = 0; i < buf.length; i += 16 * 1024) yield buf.subarray(i, i + 16 * 1024)
  })()
}

async function* sniffAndStream(
  stream: AsyncIterable<Buffer> & { destroy?: () => void },
  obj: LogObject,
  opts: DecodeOptions,
  stats: DecodeStats,
): AsyncGenerator<Buffer, void, undefined> {
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  const first = await it.next()
  if (first.done) return
  let head = first.value
  // A pipe may deliver a single byte first: gzip's two magic bytes must both be in before judging.
  while (head.length < 2) {
    const more = await it.next()
    if (more.done) break
    head = Buffer.concat([head, more.value])
  }
  const rest = (async function* () {
    yield head
    for (;;) {
      const r = await it.next()
      if (r.done) return
      yield r.value
    }
  })()
  if (isGzip(head)) {
    yield* inflateStream(rest, obj, opts, stats)
    return
  }
  for await (const chunk of rest) {
    stats.storedBytes += chunk.length
    stats.decodedBytes += chunk.length
    if (stats.decodedBytes > opts.maxBytes) {
      stream.destroy?.()
      throw capError(obj, opts.maxBytes)
    }
    yield chunk
  }
}

async function* inflateStream(
  source: AsyncIterable<Buffer>,
  obj: LogObject,
  opts: DecodeOptions,
  stats: DecodeStats,
): AsyncGenerator<Buffer, void, undefined> {
  stats.gzip = true
  const members = inflateMembers(source, (n) => (stats.storedBytes += n), CHUNK)
  try {
    for await (const chunk of members) {
      stats.decodedBytes += chunk.length
      // Returning from the loop ends `members`, which releases its inflate.
      if (stats.decodedBytes > opts.maxBytes) throw capError(obj, opts.maxBytes)
      yield chunk
    }
  } catch (err) {
    if (err instanceof SourceReadError) throw err
    throw gzipError(obj, stats.decodedBytes, err)
  }
}
