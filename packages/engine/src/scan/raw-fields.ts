import { byteLiteral, findLiteral, NextOccurrences, type ByteLiteral } from '../rule/byte-literal.js'
import { ABSENT, RAW_FIELDS, UNKNOWN, type FieldValue, type RawField, type RawFields } from '../rule/field-test.js'

/**
 * Reads the raw fields (rule/field-test.ts) of a record straight from its bytes, so the index can tell which
 * rules a record may fire on without parsing it or searching its text for literals.
 *
 * Which occurrence of `"key":` is the record's own. A record that starts as CloudTrail writes one
 * (`{"eventVersion":`) has userIdentity first, then eventTime, eventSource, eventName, awsRegion,
 * sourceIPAddress, userAgent, errorCode and errorMessage, and only then requestParameters and the other
 * objects that can nest any key (checked on the 2,921 such records of the reference datasets). So:
 * - eventName, eventSource, sourceIPAddress: the first occurrence is the record's own;
 * - errorCode: the first occurrence, if it comes before `"requestParameters":`; after it, it may be nested
 *   (seven records of the datasets have a nested errorCode and none of their own), and the value is UNKNOWN;
 * - userIdentity.type: only as `{"eventVersion":"…","userIdentity":{"type":"…"`, else UNKNOWN (42 records of
 *   the datasets list accountId first).
 * A key that does not occur in such a record is ABSENT. In any other layout a key is trusted only when it
 * occurs exactly once, and its absence proves nothing (the key may be written with escapes).
 *
 * Values are plain JSON strings only: a number, an object, an escape or a value running past the record is
 * UNKNOWN. The same bytes give the same string object (interned, up to a bound), so reading a field
 * allocates only for values not seen before.
 */
const ANCHOR = Buffer.from('{"eventVersion":', 'latin1')
const USER_TYPE_ID = RAW_FIELDS.indexOf('userIdentity.type')
const ERROR_CODE_ID = RAW_FIELDS.indexOf('errorCode')
/** Key of the memo slot for `"requestParameters":`, after the fields'. */
const PARAMS_ID = RAW_FIELDS.length
/** Distinct values kept per field; past it, new values are decoded each time they are read. */
const INTERN_MAX = 4096

interface Interned {
  bytes: Buffer
  value: string
}

/** The keys and the interned values, shared by every object one scanner reads. */
export class RawFieldReader {
  /**
   * `"key":` per field, then `"requestParameters":`. userIdentity.type's is `,"userIdentity":{"type":`, compared
   * in place after eventVersion rather than searched for.
   */
  readonly keys: readonly ByteLiteral[]
  private readonly tables = RAW_FIELDS.map(() => new Map<number, Interned[]>())
  private readonly sizes = RAW_FIELDS.map(() => 0)

  constructor() {
    const key = (f: string): ByteLiteral => byteLiteral(f === 'userIdentity.type' ? ',"userIdentity":{"type":' : `"${f}":`)
    this.keys = [...RAW_FIELDS.map(key), byteLiteral('"requestParameters":')]
  }

  /** Per-object state: records of one object arrive in order, and its buffers are not reused meanwhile. */
  forObject(): RecordFields {
    return new RecordFields(this)
  }

  /** The string of the JSON string body buf[from, to), whose hash is `h`. */
  value(id: number, buf: Buffer, from: number, to: number, h: number): string {
    const table = this.tables[id]!
    const list = table.get(h)
    if (list) for (const k of list) if (sameBytes(k.bytes, buf, from, to)) return k.value
    const value = buf.toString('utf8', from, to)
    if (this.sizes[id]! < INTERN_MAX) {
      this.sizes[id]!++
      const entry = { bytes: Buffer.from(buf.subarray(from, to)), value }
      if (list) list.push(entry)
      else table.set(h, [entry])
    }
    return value
  }
}

/** Values and keys are a few bytes long: a loop beats the native compare's call overhead. */
function sameBytes(a: Buffer, buf: Buffer, from: number, to: number): boolean {
  if (a.length !== to - from) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[from + i]) return false
  return true
}

/** One record's raw fields (RawFields), each read the first time a rule asks for it. */
export class RecordFields implements RawFields {
  private buf: Buffer = ANCHOR
  private start = 0
  private end = 0
  /** 1: starts as CloudTrail writes a record; 0: does not; -1: not checked yet. */
  private anchored = -1
  private readonly values: FieldValue[] = RAW_FIELDS.map(() => UNKNOWN)
  /** values[i] belongs to the current record when readAt[i] === record: nothing to clear between records. */
  private readonly readAt = new Int32Array(RAW_FIELDS.length)
  private record = 0
  /** Where each key next occurs in `buf`, kept while records pass. */
  private readonly next: NextOccurrences

  constructor(private readonly reader: RawFieldReader) {
    this.next = new NextOccurrences(reader.keys)
  }

  /**
   * The record at buf[start, end). `cloudTrail`: the caller knows it starts with `{"eventVersion":` (the byte
   * splitter delivers only such records), so that is not checked again.
   */
  setBytes(buf: Buffer, start: number, end: number, cloudTrail = false): this {
    this.buf = buf
    this.start = start
    this.end = end
    this.anchored = cloudTrail ? 1 : -1
    this.record++
    return this
  }

  /** A record delivered as latin1 text (any other layout, and the last record of a compact object). */
  setText(raw: string): this {
    return this.setBytes(Buffer.from(raw, 'latin1'), 0, raw.length)
  }

  get(field: RawField): FieldValue {
    const id = RAW_FIELDS.indexOf(field)
    if (this.readAt[id] === this.record) return this.values[id]!
    this.readAt[id] = this.record
    return (this.values[id] = this.read(id))
  }

  private read(id: number): FieldValue {
    const { buf, start, end } = this
    if (this.anchored === -1) this.anchored = end - start >= ANCHOR.length && buf.compare(ANCHOR, 0, ANCHOR.length, start, start + ANCHOR.length) === 0 ? 1 : 0
    if (id === USER_TYPE_ID) return this.anchored === 1 ? this.userType() : UNKNOWN
    const key = this.reader.keys[id]!
    let at: number
    if (this.anchored === 1) {
      at = this.occurrence(id)
      if (at < 0 || at >= end) return ABSENT
      if (id === ERROR_CODE_ID) {
        const params = this.occurrence(PARAMS_ID)
        if (params >= 0 && params < at) return UNKNOWN
      }
    } else {
      at = findLiteral(buf, key, start)
      if (at < 0 || at >= end) return UNKNOWN
      const again = findLiteral(buf, key, at + 1)
      if (again >= 0 && again < end) return UNKNOWN
    }
    return this.stringAt(id, at + key.bytes.length)
  }

  /** The first occurrence of key `k` at or after this record's start. */
  private occurrence(k: number): number {
    return this.next.at(k, this.buf, this.start)
  }

  private userType(): FieldValue {
    const { buf, start, end } = this
    let q = start + ANCHOR.length
    if (buf[q] !== 0x22) return UNKNOWN
    // The eventVersion value ("1.08") is short; a long one means an unexpected layout.
    const limit = Math.min(end, q + 16)
    for (q++; q < limit && buf[q] !== 0x22; q++) if (buf[q] === 0x5c) return UNKNOWN
    if (q >= limit) return UNKNOWN
    const from = q + 1
    const key = this.reader.keys[USER_TYPE_ID]!.bytes
    if (from + key.length > end || !sameBytes(key, buf, from, from + key.length)) return UNKNOWN
    return this.stringAt(USER_TYPE_ID, from + key.length)
  }

  /** The plain JSON string starting at `at` (its opening quote), or UNKNOWN. */
  private stringAt(id: number, at: number): FieldValue {
    const { buf, end } = this
    if (buf[at] !== 0x22) return UNKNOWN
    let h = 0
    let i = at + 1
    for (; i < end; i++) {
      const c = buf[i]!
      if (c === 0x22) break
      if (c === 0x5c) return UNKNOWN
      h = (Math.imul(h, 31) + c) | 0
    }
    return i >= end ? UNKNOWN : this.reader.value(id, buf, at + 1, i, h)
  }
}
