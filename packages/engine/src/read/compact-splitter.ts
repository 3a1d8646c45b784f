import { byteLiteral, findLiteral } from '../rule/byte-literal.js'
import { RecordSplitter, type SplitSink } from './splitter.js'

/**
 * CloudTrail's own layout, `{"Records":[{"eventVersion":…},{"eventVersion":…}]}` with no whitespace, split on
 * the bytes themselves: each record ends where `,{"eventVersion":` begins, which Buffer.indexOf finds at memory
 * speed. The inflated bytes are never turned into a string; a record becomes text only if a rule may want it.
 * Anything this layout does not explain (another first line, a record that does not end in `}` before the
 * next anchor, whatever follows the last record) is handed to the general RecordSplitter at a record boundary,
 * so errors, offsets and record indexes are the same as if it had read the object from the start.
 *
 * Assumes, like the string splitter's fast path, that no record holds a nested object starting with
 * `{"eventVersion":` right after a comma; fast-vs-general comparisons over every fixture and dataset check it.
 */
export type BytesSink = (buf: Buffer, start: number, end: number, index: number) => void

const HEAD = Buffer.from('{"Records":[{"eventVersion":', 'latin1')
const ANCHOR_LENGTH = '{"eventVersion":'.length
/**
 * Found through `{"event` (the `{` is rare in CloudTrail text, and Node finds needles under 8 bytes with memchr
 * on their first byte): 15 ms per 100 MB, against 32 ms for the 17-byte anchor as one needle, and fewer false
 * hits than the `Version` the byte-frequency order would pick.
 */
const NEXT_ANCHOR = byteLiteral(',{"eventVersion":', 1)

export class CompactSplitter {
  /** Bytes of the record still open at the end of the last chunk (its start is a record start). */
  private carry: Buffer | undefined
  /** Offset of `carry[0]` (or of the next chunk when there is no carry) in the whole object. */
  private base = 0
  private started = false
  private nextIndex = 0
  private general: RecordSplitter | undefined

  constructor(
    private readonly onRecord: BytesSink,
    private readonly sink: SplitSink,
  ) {}

  get recordCount(): number {
    return this.general ? this.general.recordCount : this.nextIndex
  }

  push(chunk: Buffer): void {
    if (this.general) return this.general.push(chunk.toString('latin1', 0, chunk.length))
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk
    this.carry = undefined
    let p = 0
    if (!this.started) {
      if (data.length < HEAD.length) {
        // Too short to tell yet (a tiny first chunk of a stream); decide when more has come.
        this.carry = data
        return
      }
      this.started = true
      if (data.compare(HEAD, 0, HEAD.length, 0, HEAD.length) !== 0) return this.handOff(data, 0, false)
      p = HEAD.length - ANCHOR_LENGTH
    }
    for (;;) {
      const next = findLiteral(data, NEXT_ANCHOR, p + ANCHOR_LENGTH)
      if (next < 0) break
      if (data[next - 1] !== 0x7d) return this.handOff(data, p, true)
      this.onRecord(data, p, next, this.nextIndex++)
      p = next + 1
    }
    // The open record waits for the next chunk; copied so the chunk it sits in can be released.
    this.carry = p === 0 ? data : Buffer.from(data.subarray(p))
    this.base += p
  }

  end(): void {
    if (!this.general) {
      // The last record and the closing `]}` go through the general splitter, which checks that the object
      // ends where it should and reports it if not.
      const rest = this.carry ?? Buffer.alloc(0)
      this.carry = undefined
      this.handOff(rest, 0, this.started)
    }
    this.general!.end()
  }

  /** From `data[from]` on, the general splitter reads: inside the Records array when `inRecords`, else from scratch. */
  private handOff(data: Buffer, from: number, inRecords: boolean): void {
    const offset = this.base + from
    this.general = inRecords ? RecordSplitter.insideRecords(this.sink, this.nextIndex, offset) : new RecordSplitter(this.sink)
    if (data.length > from) this.general.push(data.toString('latin1', from, data.length))
  }
}
