import { byteLiteral, findLiteral, type ByteLiteral } from '../rule/byte-literal.js'

/**
 * Reads one top-level string field (eventName, eventSource) of a compact-layout record straight from the
 * inflated bytes, and answers with the value as one of the strings the rule index knows, without allocating:
 * a record whose eventName no rule is indexed under costs one indexOf and a short byte loop.
 *
 * In a record that starts with `{"eventVersion":` (every record the byte splitter delivers), CloudTrail writes
 * these fields before requestParameters and anything else that could nest the same key, so the first
 * occurrence is the record's own.
 */
export const OTHER = '\u0000'

interface Known {
  bytes: Buffer
  value: string
}

export class FieldReader {
  /** `"key":`, found through a short window led by its rarest byte (`Name":`): twice as fast as the whole key. */
  private readonly key: ByteLiteral
  private readonly known = new Map<number, Known[]>()

  /** `values`: the ones worth telling apart; any other value reads as OTHER. */
  constructor(key: string, values: Iterable<string>) {
    this.key = byteLiteral(`"${key}":`)
    for (const value of values) {
      const bytes = Buffer.from(value, 'utf8')
      if (bytes.includes(0x5c) || bytes.includes(0x22)) continue // escaped in JSON: never read raw, the record is parsed
      const h = hash(bytes, 0, bytes.length)
      const list = this.known.get(h)
      if (list) list.push({ bytes, value })
      else this.known.set(h, [{ bytes, value }])
    }
  }

  /**
   * The field's value in `buf[start, end)`: a known value, OTHER for any other plain value, or undefined when
   * it cannot be read from the bytes (absent, escaped) and the record must be parsed to know.
   */
  read(buf: Buffer, start: number, end: number): string | undefined {
    const at = findLiteral(buf, this.key, start)
    if (at < 0 || at >= end) return undefined
    // Not a plain string (an array, an object): the record is parsed.
    if (buf[at + this.key.bytes.length] !== 0x22) return undefined
    const from = at + this.key.bytes.length + 1
    let h = 0
    let i = from
    for (; i < end; i++) {
      const c = buf[i]!
      if (c === 0x22) break
      if (c === 0x5c) return undefined
      h = (Math.imul(h, 31) + c) | 0
    }
    if (i >= end) return undefined
    const list = this.known.get(h)
    if (list)
      for (const k of list)
        if (k.bytes.length === i - from && buf.compare(k.bytes, 0, k.bytes.length, from, i) === 0) return k.value
    return OTHER
  }
}

function hash(b: Buffer, from: number, to: number): number {
  let h = 0
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + b[i]!) | 0
  return h
}
