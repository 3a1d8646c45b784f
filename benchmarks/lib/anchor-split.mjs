// Benchmark-only reference, never shipped: CloudTrail's compact layout split the unsafe way the engine split it
// until dcacfa4, each record ending where the next `,{"eventVersion":` begins (Buffer.indexOf), with no walk of
// the bytes in between. A record nesting that anchor is cut in two, a damaged one is not seen (ARCHITECTURE.md,
// "Splitting"): that is the check the engine's RecordSplitter pays for, and what this reference measures it
// against, feeding the same RecordText to the same downstream.
//
// It reads only what the benchmark generator writes (`{"Records":[{"eventVersion":…},…]}`, no whitespace) and
// throws on anything else, so a timing can never come from a layout it does not understand.
import { RecordText } from '../../packages/engine/dist/read/records.js'
import { byteLiteral, findLiteral } from '../../packages/engine/dist/select/byte-literal.js'

const HEAD = Buffer.from('{"Records":[{"eventVersion":', 'latin1')
const TAIL = Buffer.from(']}', 'latin1')
const ANCHOR_LENGTH = '{"eventVersion":'.length
// Looked for through `{"event`, as dcacfa4 did (its probe choice, measured faster than the whole anchor).
const NEXT_ANCHOR = byteLiteral(',{"eventVersion":', 1)

export class AnchorSplitter {
  /** The open record's bytes from the last chunk (a copy), or undefined. */
  carry = undefined
  started = false
  index = 0

  /** @param {(rt: RecordText) => void} onRecord */
  constructor(onRecord, name = 'object') {
    this.onRecord = onRecord
    this.name = name
  }

  push(chunk) {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk
    this.carry = undefined
    let p = 0
    if (!this.started) {
      if (data.length < HEAD.length) {
        this.carry = data
        return
      }
      if (data.compare(HEAD, 0, HEAD.length, 0, HEAD.length) !== 0) throw new Error(`${this.name}: not the compact layout`)
      this.started = true
      p = HEAD.length - ANCHOR_LENGTH
    }
    for (;;) {
      const next = findLiteral(data, NEXT_ANCHOR, p + ANCHOR_LENGTH)
      if (next < 0) break
      if (data[next - 1] !== 0x7d) throw new Error(`${this.name}: no "}" before the anchor at ${next}`)
      this.onRecord(new RecordText(this.index++, data, p, next))
      p = next + 1
    }
    // The open record waits for the next chunk; copied so the chunk it sits in can be released.
    this.carry = p === 0 ? data : Buffer.from(data.subarray(p))
  }

  end() {
    const rest = this.carry ?? Buffer.alloc(0)
    this.carry = undefined
    const end = rest.length - TAIL.length
    if (!this.started || end < 1 || rest[end - 1] !== 0x7d || rest.compare(TAIL, 0, TAIL.length, end) !== 0)
      throw new Error(`${this.name}: the last record does not end the object with "}]}"`)
    this.onRecord(new RecordText(this.index++, rest, 0, end))
  }

  get recordCount() {
    return this.index
  }
}
