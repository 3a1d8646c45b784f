import { byteLiteral, NextOccurrences, type ByteLiteral } from './byte-literal.js'
import { ABSENT, RAW_FIELDS, UNKNOWN, type FieldValue, type RawField, type RawFields } from './field-test.js'
import { RAW_SAFE_BYTE } from './raw-safe.js'

/**
 * Reads the raw fields (select/field-test.ts) of a record straight from its bytes, so the index can tell which
 * rules a record may fire on without parsing it or searching its text for literals. It answers as JSON.parse
 * would for every spelling JSON allows, since forged and re-serialised logs use them:
 * - A record holding a `\u` escape of a character that keys and literals are made of (letters, digits,
 *   ` ._:@-`: select/raw-safe.ts) is not vouched for (`trusted()` is false): every field is UNKNOWN, and the
 *   scanner parses the record and runs every rule its parsed fields allow, with no literal prefilter.
 *   CloudTrail escapes none of these (the reference datasets hold five `\u` escapes, all of `<`, `>`, `&`),
 *   so this costs one memchr pass for `\u` per buffer. In any other record, keys and literals appear exactly
 *   as the rules spell them.
 * - A key is `"name"` followed by optional whitespace and `:` (`"eventName" :` too), not preceded by a
 *   backslash (then it may be the end of another string: UNKNOWN).
 * - A key met once is read; twice or more is UNKNOWN (JSON.parse keeps the last one, and one may be nested).
 *   Met once but nested, with no key of the record's own, it gives a value where JSON has none: that only adds
 *   candidates, since every field test fails on a missing field (select/field-test.ts). Never met: ABSENT.
 * - userIdentity.type: the single `"userIdentity"` key's object is walked to its end; a `type` key at its top
 *   level met once is read, twice is UNKNOWN, never is ABSENT.
 * Values are plain JSON strings only: a number, an object, an escape or a value running past the record is
 * UNKNOWN. The same bytes give the same string object (interned, up to a bound), so reading a field allocates
 * only for values not seen before.
 */
const USER_TYPE_ID = RAW_FIELDS.indexOf('userIdentity.type')
/** Key of the memo slot for `\u`, after the fields'. */
const ESCAPE_ID = RAW_FIELDS.length
/** Distinct values kept per field; past it, new values are decoded each time they are read. */
const INTERN_MAX = 4096
/** keyAt: the key follows a backslash, so it may be the end of another string. */
const AMBIGUOUS = -2
const WS = new Uint8Array(256)
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1
const TYPE = Buffer.from('"type"', 'latin1')

interface Interned {
  bytes: Buffer
  value: string
}

/** The keys and the interned values, shared by every object one scanner reads. */
export class RawFieldReader {
  /** `"key"` per field (`"userIdentity"` for userIdentity.type), then `\u`. */
  readonly keys: readonly ByteLiteral[]
  private readonly tables = RAW_FIELDS.map(() => new Map<number, Interned[]>())
  private readonly sizes = RAW_FIELDS.map(() => 0)

  constructor() {
    const key = (f: string): ByteLiteral => byteLiteral(f === 'userIdentity.type' ? '"userIdentity"' : `"${f}"`)
    this.keys = [...RAW_FIELDS.map(key), byteLiteral('\\u')]
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
  private buf: Buffer = TYPE
  private start = 0
  private end = 0
  private readonly values: FieldValue[] = RAW_FIELDS.map(() => UNKNOWN)
  /** values[i] belongs to the current record when readAt[i] === record: nothing to clear between records. */
  private readonly readAt = new Int32Array(RAW_FIELDS.length)
  private record = 0
  /** trusted() of the record numbered trustedAt. */
  private trustedAt = 0
  private trustedValue = true
  /** Where each key (and `\u`) next occurs in `buf`, kept while records pass. */
  private readonly next: NextOccurrences

  constructor(private readonly reader: RawFieldReader) {
    this.next = new NextOccurrences(reader.keys)
  }

  /** The record at buf[start, end); the records of one buffer come in order. */
  setBytes(buf: Buffer, start: number, end: number): this {
    this.buf = buf
    this.start = start
    this.end = end
    this.record++
    return this
  }

  /**
   * False when the record escapes (`\u00XX`) a character that keys and literals are made of: then neither its
   * raw fields nor a literal search can be trusted, and it must be parsed and offered every rule.
   */
  trusted(): boolean {
    if (this.trustedAt === this.record) return this.trustedValue
    this.trustedAt = this.record
    const { buf, start, end } = this
    let ok = true
    for (let at = this.next.at(ESCAPE_ID, buf, start); ok && at >= 0 && at < end; at = this.next.at(ESCAPE_ID, buf, at + 1))
      ok = !escapesRawSafe(buf, at, end)
    return (this.trustedValue = ok)
  }

  get(field: RawField): FieldValue {
    const id = RAW_FIELDS.indexOf(field)
    if (this.readAt[id] === this.record) return this.values[id]!
    this.readAt[id] = this.record
    return (this.values[id] = this.read(id))
  }

  private read(id: number): FieldValue {
    if (!this.trusted()) return UNKNOWN
    const at = this.keyAt(id, this.start)
    if (at === -1) return ABSENT
    if (at === AMBIGUOUS || this.keyAt(id, at) !== -1) return UNKNOWN
    return id === USER_TYPE_ID ? this.userType(at) : this.stringAt(id, at)
  }

  /**
   * Where the value of the first occurrence of key `k` at or after `from` in this record starts; -1 when there
   * is none, AMBIGUOUS when it follows a backslash. An occurrence not followed by a colon is a string value.
   */
  private keyAt(k: number, from: number): number {
    const { buf, end } = this
    const len = this.reader.keys[k]!.bytes.length
    for (let at = this.next.at(k, buf, from); at >= 0 && at + len <= end; at = this.next.at(k, buf, at + 1)) {
      if (at > 0 && buf[at - 1] === 0x5c) return AMBIGUOUS
      const j = skipWs(buf, at + len, end)
      if (j < end && buf[j] === 0x3a) return skipWs(buf, j + 1, end)
    }
    return -1
  }

  /** The `type` key at the top level of the userIdentity object whose value starts at `at`. */
  private userType(at: number): FieldValue {
    const { buf, end } = this
    if (buf[at] !== 0x7b) return UNKNOWN
    // Walking the object costs ~0.1 s per 100 MB when every record is asked (a rule keyed by this field), as
    // much as searching the record for another "type" first would; with the shipped packs only records
    // holding "Root" are asked.
    let depth = 0
    let value = -1
    for (let i = at + 1; i < end; i++) {
      const c = buf[i]!
      if (c === 0x22) {
        const s = i
        for (i++; i < end; i++) {
          const d = buf[i]!
          if (d === 0x5c) i++
          else if (d === 0x22) break
        }
        if (depth === 0 && i - s === 5 && sameBytes(TYPE, buf, s, i + 1)) {
          const j = skipWs(buf, i + 1, end)
          if (j < end && buf[j] === 0x3a) {
            if (value >= 0) return UNKNOWN
            value = skipWs(buf, j + 1, end)
          }
        }
      } else if (c === 0x7b || c === 0x5b) depth++
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) return value < 0 ? ABSENT : this.stringAt(USER_TYPE_ID, value)
        depth--
      }
    }
    return UNKNOWN
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

function skipWs(buf: Buffer, from: number, end: number): number {
  let j = from
  while (j < end && WS[buf[j]!] === 1) j++
  return j
}

/** Whether the `\u` at `at` escapes a RAW_SAFE character, or is cut short by the record's end. */
function escapesRawSafe(buf: Buffer, at: number, end: number): boolean {
  if (at + 6 > end) return true
  let code = 0
  for (let i = at + 2; i < at + 6; i++) {
    const c = buf[i]!
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1
    // Not four hex digits: an escaped backslash followed by text (`\\u…`), or JSON.parse rejects the record.
    if (d < 0) return false
    code = code * 16 + d
  }
  return code < 0x80 && RAW_SAFE_BYTE[code] === 1
}
