import { LiteralCursor } from './literal-cursor.js'

/**
 * Literals looked for in a record's bytes, for the rules without an eventName (RuleIndex.unindexedInBytes).
 * Node's Buffer.indexOf finds a needle under 8 bytes with memchr on its first byte, several times faster than
 * the Boyer-Moore-Horspool it uses for longer needles, when that byte is rare; in JSON text `"` is every few
 * bytes and lowercase letters are everywhere. So each literal is looked for through a probe: a window of 4 to 7
 * of its bytes that starts with its rarest byte, and the rest of the literal is then compared by hand. Measured
 * on 100 MB of CloudTrail text: `"AccessDenied` 37 ms whole, 10 ms through `Denied`; `"Root"` 60 ms, 6 ms through
 * `Root"`; `UnauthorizedOperation"` 23 ms, 6 ms through `Operati`.
 */

/** Past this many distinct literals, searching the bytes once per literal costs more than one decode + regex. */
export const BYTE_LITERALS_MAX = 8

/**
 * Printable ASCII from rarest to most common in CloudTrail records (minified JSON of the 3,369 records in the
 * reference datasets). Bytes not listed (control, non-ASCII) count as rarest.
 */
const RARITY = '^`|~<>?&$@!#\'*=%\\[]Y;WX+_J()LBOGjKxkUqZzFQVMPHRN{}hEDTCy g65bS/fw94v8IplA7.03mud1,c2io-n:srtae"'
const PROBE_MAX = 7
const PROBE_MIN = 4

export interface ByteLiteral {
  text: string
  bytes: Buffer
  /** The window Buffer.indexOf looks for, and where it starts in the literal. */
  probe: Buffer
  offset: number
}

/** `probeAt`: where the probe starts, when measurement knows better than the frequency order. */
export function byteLiteral(text: string, probeAt?: number): ByteLiteral {
  const bytes = Buffer.from(text, 'latin1')
  if (probeAt !== undefined && !(probeAt >= 0 && probeAt < bytes.length))
    throw new RangeError(`probe offset ${probeAt} outside ${JSON.stringify(text)}`)
  // Windows near the end may be shorter, down to 4 bytes, so a rare byte there can still lead one.
  const last = bytes.length - Math.min(PROBE_MIN, bytes.length)
  let offset = probeAt ?? 0
  if (probeAt === undefined) for (let k = 1; k <= last; k++) if (rank(bytes[k]!) < rank(bytes[offset]!)) offset = k
  return { text, bytes, probe: bytes.subarray(offset, offset + Math.min(PROBE_MAX, bytes.length - offset)), offset }
}

function rank(byte: number): number {
  return RARITY.indexOf(String.fromCharCode(byte))
}

/** Where `lit` next starts in `buf` at or after `from`, or -1. */
export function findLiteral(buf: Buffer, lit: ByteLiteral, from: number): number {
  const { bytes, offset } = lit
  for (let at = buf.indexOf(lit.probe, from + offset); at >= 0; at = buf.indexOf(lit.probe, at + 1)) {
    const start = at - offset
    if (start + bytes.length > buf.length) return -1
    let i = 0
    if (offset > 0 || bytes.length > PROBE_MAX) while (i < bytes.length && buf[start + i] === bytes[i]) i++
    else i = bytes.length
    if (i === bytes.length) return start
  }
  return -1
}

/**
 * Each literal's next occurrence in one buffer, kept while the records (which arrive in order) have not passed
 * it, so a literal costs at most one pass over a buffer however many records ask: a rare one is looked for
 * once and found nowhere. A new buffer starts afresh.
 */
export class NextOccurrences {
  private buf: Buffer | undefined
  /** Per literal: where it starts (-1: nowhere after the last search; -2: not searched in this buffer). */
  private readonly next: number[]

  constructor(private readonly lits: readonly ByteLiteral[]) {
    this.next = lits.map(() => -2)
  }

  /** Where literal `i` next starts in `buf` at or after `start`, or -1. */
  at(i: number, buf: Buffer, start: number): number {
    if (buf !== this.buf) {
      this.buf = buf
      this.next.fill(-2)
    }
    const at = this.next[i]!
    if (at === -1 || at >= start) return at
    return (this.next[i] = findLiteral(buf, this.lits[i]!, start))
  }
}

/**
 * Per-object state for RuleIndex.unindexedInBytes: each literal's next occurrence (NextOccurrences), or the
 * buffer read as latin1 when the regex is used.
 */
export class ByteLiteralCursor {
  private occurrences: NextOccurrences | undefined
  private textBuf: Buffer | undefined
  private textValue = ''
  readonly text = new LiteralCursor()

  /** `lits` is the same list on every call (the index's). */
  collect(lits: readonly ByteLiteral[], buf: Buffer, start: number, end: number, found: Set<string>): void {
    const occurrences = (this.occurrences ??= new NextOccurrences(lits))
    for (let i = 0; i < lits.length; i++) {
      const at = occurrences.at(i, buf, start)
      if (at >= 0 && at + lits[i]!.bytes.length <= end) found.add(lits[i]!.text)
    }
  }

  textOf(buf: Buffer): string {
    if (buf !== this.textBuf) {
      this.textBuf = buf
      this.textValue = buf.toString('latin1', 0, buf.length)
    }
    return this.textValue
  }
}
