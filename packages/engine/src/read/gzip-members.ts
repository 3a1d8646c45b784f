import * as zlib from 'node:zlib'

/**
 * Gzip (RFC 1952) framed here rather than by zlib's gunzip, for the objects that are streamed and for those whose
 * one-call inflate failed: Node's gunzip raises a bad CRC, a wrong ISIZE or bytes after the last member from the
 * same call that inflated the member's last stretch, and drops that call's output (up to its chunk size: for a
 * typical CloudTrail object, everything). Here each member's deflate data goes through a raw inflate, which has no
 * trailer to fail on, and the trailer is checked afterwards, so every byte inflated before a fault is delivered
 * and the fault carries its true offsets. Costs the same as gunzip: raw inflate plus crc32 is what gunzip does.
 */

/** A fault in the gzip framing or data, after `decoded` bytes were delivered. */
export class GzipFault extends Error {
  constructor(
    message: string,
    /** Offset in the stored bytes where the fault was found. */
    readonly storedOffset: number,
    /**
     * True when every member before the fault inflated to its end (bad CRC or length, trailing garbage, a cut
     * trailer): what was delivered is all there is, so the reader may finish its last record.
     */
    readonly wholeMembers: boolean,
  ) {
    super(message)
  }
}

const FHCRC = 2
const FEXTRA = 4
const FNAME = 8
const FCOMMENT = 16
const EMPTY: Buffer = Buffer.alloc(0)
/** zlib.crc32 arrived in Node 20.15; the table version serves older 20.x (same result, slower). */
const crc32: (data: Buffer, value: number) => number = (zlib as { crc32?: (d: Buffer, v: number) => number }).crc32 ?? tableCrc32

/** The stored bytes, pulled chunk by chunk, with what a parse step has looked at but not used kept in front. */
class StoredBytes {
  private buf: Buffer = EMPTY
  /** Stored offset of buf[0]. */
  offset = 0
  private done = false

  constructor(
    private readonly it: AsyncIterator<Buffer>,
    private readonly onChunk: (bytes: number) => void,
  ) {}

  get buffered(): Buffer {
    return this.buf
  }

  /** Whether at least `n` bytes are buffered, pulling chunks as needed. */
  async fill(n: number): Promise<boolean> {
    while (this.buf.length < n) {
      const chunk = await this.pull()
      if (!chunk) return false
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    }
    return true
  }

  /** The buffered bytes, else the next chunk; undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    if (this.buf.length > 0) return this.take(this.buf.length)
    const chunk = await this.pull()
    if (chunk) this.offset += chunk.length
    return chunk
  }

  take(n: number): Buffer {
    const out = this.buf.subarray(0, n)
    this.buf = this.buf.subarray(n)
    this.offset += n
    return out
  }

  /** Hands back the unused end of what next() returned. */
  unshift(rest: Buffer): void {
    this.buf = this.buf.length === 0 ? rest : Buffer.concat([rest, this.buf])
    this.offset -= rest.length
  }

  private async pull(): Promise<Buffer | undefined> {
    if (this.done) return undefined
    const r = await this.it.next()
    if (r.done) {
      this.done = true
      return undefined
    }
    this.onChunk(r.value.length)
    return r.value
  }
}

/**
 * Inflates every member of the gzip stream `source`, yielding the decompressed bytes. A zero byte where a member
 * could start ends the data (padding, which gunzip and `gzip -d` accept); anything else there that is not a member
 * is trailing garbage. A fault is
 * thrown as a GzipFault once everything before it has been yielded. `onStored` counts the stored bytes read.
 */
export async function* inflateMembers(
  source: AsyncIterable<Buffer>,
  onStored: (bytes: number) => void,
  chunkSize: number,
): AsyncGenerator<Buffer, void, undefined> {
  const input = new StoredBytes(source[Symbol.asyncIterator](), onStored)
  for (let member = 1; ; member++) {
    const start = input.offset
    if (member > 1) {
      if (!(await input.fill(1))) return
      // Zero padding (tape blocks, preallocated files) ends the data, as in zlib's gunzip, so both paths agree.
      if (input.buffered[0] === 0) return
      if (!(await input.fill(2)) || input.buffered[0] !== 0x1f || input.buffered[1] !== 0x8b)
        throw new GzipFault(`trailing garbage at stored byte ${start}, after the last gzip member (ignored, as gzip -d does)`, start, true)
    }
    await header(input, member)
    let crc = 0
    let size = 0
    for await (const out of inflateBody(input, chunkSize, member)) {
      crc = crc32(out, crc)
      size += out.length
      yield out
    }
    const trailerAt = input.offset
    if (!(await input.fill(8)))
      throw new GzipFault(
        `gzip member ${member} ends without its trailer (unexpected end of file at stored byte ${trailerAt})`,
        trailerAt,
        true,
      )
    const trailer = input.take(8)
    if (trailer.readUInt32LE(0) !== crc >>> 0)
      throw new GzipFault(
        `the CRC-32 of gzip member ${member} does not match its trailer at stored byte ${trailerAt} (incorrect data check)`,
        trailerAt,
        true,
      )
    if (trailer.readUInt32LE(4) !== size % 2 ** 32)
      throw new GzipFault(
        `the length of gzip member ${member} does not match its trailer at stored byte ${trailerAt + 4} (incorrect length check)`,
        trailerAt + 4,
        true,
      )
  }
}

/** Reads a member header (RFC 1952 §2.3), leaving the input at its deflate data. */
async function header(input: StoredBytes, member: number): Promise<void> {
  const at = input.offset
  const fail = (why: string): GzipFault => new GzipFault(`gzip member ${member} at stored byte ${at}: ${why}`, at, member > 1)
  if (!(await input.fill(10))) throw fail('header cut short (unexpected end of file)')
  const h = input.buffered
  if (h[2] !== 8) throw fail('unknown compression method')
  const flags = h[3]!
  if (flags & 0xe0) throw fail('reserved header flags set')
  let n = 10
  if (flags & FEXTRA) {
    if (!(await input.fill(n + 2))) throw fail('header cut short (unexpected end of file)')
    n += 2 + input.buffered.readUInt16LE(n)
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue
    // A zero-terminated string: look for the zero, pulling more bytes until it comes.
    for (;;) {
      if (!(await input.fill(n + 1))) throw fail('header cut short (unexpected end of file)')
      const z = input.buffered.indexOf(0, n)
      if (z >= 0) {
        n = z + 1
        break
      }
      n = input.buffered.length
    }
  }
  if (flags & FHCRC) n += 2
  if (!(await input.fill(n))) throw fail('header cut short (unexpected end of file)')
  input.take(n)
}

/**
 * One member's deflate data through a raw inflate. Chunks are written one at a time: the inflate consumes a chunk
 * whole unless its deflate stream ends inside it, and then `bytesWritten` says where, so the rest (the trailer
 * and whatever follows) goes back to the input. Writing past the end would make Node's stream fail.
 */
async function* inflateBody(input: StoredBytes, chunkSize: number, member: number): AsyncGenerator<Buffer, void, undefined> {
  const inflate = zlib.createInflateRaw({ chunkSize })
  const bodyAt = input.offset
  let written = 0
  const feed = (async () => {
    try {
      for (;;) {
        const chunk = await input.next()
        if (chunk === undefined) {
          if (!inflate.destroyed) inflate.end()
          return
        }
        if (inflate.destroyed) {
          input.unshift(chunk)
          return
        }
        const from = written
        written += chunk.length
        await writeChunk(inflate, chunk)
        if (inflate.bytesWritten < written) {
          // The deflate stream ended inside this chunk (or before it, when it ended on the previous chunk's last byte).
          input.unshift(chunk.subarray(inflate.bytesWritten - from))
          if (!inflate.destroyed) inflate.end()
          return
        }
      }
    } catch (err) {
      inflate.destroy(err as Error)
    }
  })()
  try {
    for await (const out of inflate as AsyncIterable<Buffer>) yield out
    // The feeder hands back the bytes after the deflate data before the trailer is read.
    await feed
  } catch (err) {
    // A source fault (socket reset, failed resume) passes through as it came; only zlib's own errors are framed.
    if (!String((err as { code?: unknown }).code).startsWith('Z_')) throw err
    const at = bodyAt + inflate.bytesWritten
    throw new GzipFault(`${(err as Error).message} in gzip member ${member} at stored byte ${at}`, at, false)
  } finally {
    // Also when the consumer stops early (size cap). The feeder is not awaited then: it may be waiting for a
    // chunk from a stalled source, which the caller destroys next; it sees the inflate destroyed and stops.
    if (!inflate.destroyed) inflate.destroy()
  }
}

function writeChunk(inflate: zlib.InflateRaw, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      inflate.off('close', done)
      resolve()
    }
    inflate.once('close', done)
    inflate.write(chunk, done)
  })
}

let table: Int32Array | undefined
function tableCrc32(data: Buffer, value: number): number {
  if (!table) {
    table = new Int32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c
    }
  }
  let c = ~value
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}
