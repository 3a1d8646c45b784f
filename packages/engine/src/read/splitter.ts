/**
 * Splits decompressed log text into record texts without parsing them, so that only rule candidates pay for
 * JSON.parse. It is a resumable structural scanner (depth + string state), fed chunk by chunk, so a 1 GB object
 * never has to sit in memory as one string. It recognises, from the bytes alone:
 *   - CloudTrail's `{"Records":[…]}` body (any whitespace, any key order),
 *   - a bare JSON array of records,
 *   - JSON Lines / concatenated objects, one record each,
 *   - digest files (a top-level object with digest fields), reported as `digest` instead of events.
 * It does not validate JSON inside a record; the rule path parses candidates and reports what fails there.
 */
export type SplitEvent =
  /** `text` is `chunk.slice(start, start + text.length)`: the chunk lets a caller search many records at once. */
  | { kind: 'record'; text: string; index: number; chunk: string; start: number }
  | { kind: 'bad-record'; index: number; offset: number; reason: string }
  | { kind: 'digest' }
  | { kind: 'fatal'; offset: number; reason: string; recordIndex?: number }

export type SplitSink = (event: SplitEvent) => void

const enum Mode {
  Start,
  TopKey,
  TopColon,
  TopValue,
  Between,
  Value,
  AfterTop,
  Failed,
}

const WS = new Uint8Array(128)
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1
const ANCHOR = '{"eventVersion":'
const NEXT_ANCHOR = ',{"eventVersion":'
const EVENT_KEYS = new Set(['eventVersion', 'eventTime', 'eventName', 'eventSource', 'eventID'])
const DIGEST_KEYS = new Set(['digestStartTime', 'digestEndTime', 'logFiles', 'digestS3Object'])

export class RecordSplitter {
  private buf = ''
  private pos = 0
  /** Offset of buf[0] in the whole decompressed text (UTF-16 units), for error positions. */
  private base = 0
  private mode = Mode.Start
  /** What the value being scanned is: a record element, a skipped top-level value, or a whole top-level object. */
  private valueRole: 'element' | 'skip' | 'top' = 'element'
  private valueStart = -1
  private depth = 0
  private inString = false
  private primitive = false
  private topStart = -1
  private keyStart = -1
  private key = ''
  /** Inside `"Records":[` (elements are records) or inside a bare top-level array. */
  private container: 'records' | 'array' | null = null
  private topKeys = new Set<string>()
  private sawRecords = false
  private nextIndex = 0
  private topValues = 0

  constructor(private readonly sink: SplitSink) {}

  /**
   * A splitter that starts inside a `{"Records":[` body, between records, `offset` bytes into the object, with
   * `recordIndex` records already read: lets the byte splitter hand over at a record boundary.
   */
  static insideRecords(sink: SplitSink, recordIndex: number, offset: number): RecordSplitter {
    const s = new RecordSplitter(sink)
    s.mode = Mode.Between
    s.container = 'records'
    s.sawRecords = true
    s.topValues = 1
    s.topKeys.add('Records')
    s.nextIndex = recordIndex
    s.base = offset
    return s
  }

  /** Number of records (good or bad) seen so far. */
  get recordCount(): number {
    return this.nextIndex
  }

  push(chunk: string): void {
    if (this.mode === Mode.Failed) return
    // trim() after every chunk leaves only the unfinished value in buf, so this concatenation stays small.
    this.buf += chunk
    this.run()
    this.trim()
  }

  end(): void {
    if (this.mode === Mode.Failed) return
    this.run()
    const offset = this.base + this.buf.length
    switch (this.mode) {
      case Mode.Start:
        this.fail(offset, this.topValues === 0 && this.base + this.buf.length === 0 ? 'empty file (0 bytes)' : 'no JSON value in file')
        return
      case Mode.AfterTop:
        return
      case Mode.Value:
        this.fail(offset, this.container ? `unexpected end of data inside record ${this.nextIndex}` : 'unexpected end of data', this.container ? this.nextIndex : undefined)
        return
      default:
        this.fail(offset, 'unexpected end of data')
    }
  }

  private keep(): number {
    let k = this.pos
    if (this.mode === Mode.Value && this.valueStart >= 0) k = Math.min(k, this.valueStart)
    if (this.topStart >= 0) k = Math.min(k, this.topStart)
    if (this.keyStart >= 0) k = Math.min(k, this.keyStart)
    return k
  }

  private trim(): void {
    const k = this.keep()
    if (k === 0) return
    this.buf = this.buf.slice(k)
    this.base += k
    this.pos -= k
    if (this.valueStart >= 0) this.valueStart -= k
    if (this.topStart >= 0) this.topStart -= k
    if (this.keyStart >= 0) this.keyStart -= k
  }

  private fail(offset: number, reason: string, recordIndex?: number): void {
    this.mode = Mode.Failed
    this.sink(recordIndex === undefined ? { kind: 'fatal', offset, reason } : { kind: 'fatal', offset, reason, recordIndex })
  }

  private skipWs(): boolean {
    const b = this.buf
    let p = this.pos
    while (p < b.length) {
      const c = b.charCodeAt(p)
      // A byte order mark: U+FEFF in decoded text, or its UTF-8 bytes read as latin1 at the very start.
      if (c < 128 ? WS[c] !== 1 : c !== 0xfeff && !(this.base + p < 3 && (c === 0xef || c === 0xbb || c === 0xbf))) break
      p++
    }
    this.pos = p
    return p < b.length
  }

  private run(): void {
    for (;;) {
      switch (this.mode) {
        case Mode.Start:
        case Mode.AfterTop:
          if (!this.skipWs()) return
          this.startTopValue()
          break
        case Mode.TopKey:
          if (!this.readKey()) return
          break
        case Mode.TopColon:
          if (!this.skipWs()) return
          if (this.buf.charCodeAt(this.pos) !== 0x3a) return this.unexpected('":" after a key')
          this.pos++
          this.mode = Mode.TopValue
          break
        case Mode.TopValue:
          if (!this.skipWs()) return
          if (this.key === 'Records' && this.buf.charCodeAt(this.pos) === 0x5b) {
            this.pos++
            this.sawRecords = true
            this.topStart = -1 // elements are emitted one by one; the wrapper need not be kept
            this.container = 'records'
            this.mode = Mode.Between
          } else {
            if (this.key === 'Records') return this.fail(this.base + this.pos, '"Records" is not an array')
            this.beginValue('skip')
          }
          break
        case Mode.Between:
          if (!this.betweenElements()) return
          break
        case Mode.Value:
          if (!this.scanValue()) return
          this.finishValue()
          break
        case Mode.Failed:
          return
      }
    }
  }

  private startTopValue(): void {
    const c = this.buf.charCodeAt(this.pos)
    if (this.mode === Mode.AfterTop && this.container === null && this.sawRecords) {
      return this.unexpected('end of data after the Records object')
    }
    this.topValues++
    if (c === 0x5b && this.topValues === 1) {
      this.pos++
      this.container = 'array'
      this.mode = Mode.Between
    } else if (c === 0x7b) {
      this.topStart = this.pos
      this.topKeys.clear()
      this.sawRecords = false
      this.pos++
      this.mode = Mode.TopKey
    } else {
      this.unexpected(this.topValues === 1 ? '"{" or "[" (this is not JSON)' : 'a JSON object on the next line')
    }
  }

  private readKey(): boolean {
    if (this.keyStart < 0) {
      if (!this.skipWs()) return false
      const c = this.buf.charCodeAt(this.pos)
      if (c === 0x2c) {
        this.pos++
        return true
      }
      if (c === 0x7d) {
        this.pos++
        this.endTopObject()
        return true
      }
      if (c !== 0x22) {
        this.unexpected('a key')
        return true
      }
      this.keyStart = this.pos
      this.pos++
    }
    const end = this.stringEnd(this.pos)
    if (end < 0) return false
    this.key = JSON.parse(this.buf.slice(this.keyStart, end + 1)) as string
    this.topKeys.add(this.key)
    this.keyStart = -1
    this.pos = end + 1
    this.mode = Mode.TopColon
    return true
  }

  private endTopObject(): void {
    const start = this.topStart
    this.topStart = -1
    this.mode = Mode.AfterTop
    if (this.sawRecords) return
    if ([...this.topKeys].some((k) => DIGEST_KEYS.has(k))) {
      this.sink({ kind: 'digest' })
      return
    }
    if ([...this.topKeys].some((k) => EVENT_KEYS.has(k))) {
      // JSON Lines: each top-level object is one record.
      this.sink({ kind: 'record', text: this.buf.slice(start, this.pos), index: this.nextIndex++, chunk: this.buf, start })
      return
    }
    this.sink({
      kind: 'bad-record',
      index: this.nextIndex++,
      offset: this.base + start,
      reason: 'a JSON object with no "Records" array and no CloudTrail event fields',
    })
  }

  private betweenElements(): boolean {
    if (!this.skipWs()) return false
    const b = this.buf
    const c = b.charCodeAt(this.pos)
    if (c === 0x2c) {
      this.pos++
      return true
    }
    if (c === 0x5d) {
      this.pos++
      if (this.container === 'records') {
        this.container = null
        this.mode = Mode.TopKey
      } else {
        this.container = null
        this.mode = Mode.AfterTop
      }
      return true
    }
    if (this.container === 'records' && b.startsWith(ANCHOR, this.pos)) {
      // CloudTrail's own compact layout: each record starts with {"eventVersion": and the next one follows a
      // comma, so the record ends where the next anchor begins. indexOf finds that several times faster than
      // walking the structure; the last record of a chunk, or any other layout, takes the general path below.
      const next = b.indexOf(NEXT_ANCHOR, this.pos + ANCHOR.length)
      if (next > 0 && b.charCodeAt(next - 1) === 0x7d) {
        this.sink({ kind: 'record', text: b.slice(this.pos, next), index: this.nextIndex++, chunk: b, start: this.pos })
        this.pos = next + 1
        return true
      }
    }
    // A stray `}` would be an empty element, read again and again; corrupt data (a gzip member failing its CRC) has them.
    if (c === 0x7d) {
      this.unexpected('"," or "]" between records')
      return true
    }
    this.beginValue('element')
    return true
  }

  private beginValue(role: 'element' | 'skip'): void {
    this.valueRole = role
    this.valueStart = this.pos
    const c = this.buf.charCodeAt(this.pos)
    this.depth = 0
    this.inString = false
    this.primitive = c !== 0x7b && c !== 0x5b && c !== 0x22
    this.mode = Mode.Value
  }

  /** Advances to the end of the current value; false when more data is needed. */
  private scanValue(): boolean {
    const b = this.buf
    let p = this.pos
    if (this.primitive) {
      while (p < b.length) {
        const c = b.charCodeAt(p)
        if (c === 0x2c || c === 0x5d || c === 0x7d || (c < 128 && WS[c] === 1)) break
        p++
      }
      this.pos = p
      return p < b.length
    }
    for (;;) {
      if (this.inString) {
        const end = this.stringEnd(p)
        if (end < 0) {
          this.pos = b.length
          return false
        }
        p = end + 1
        this.inString = false
        if (this.depth === 0) {
          this.pos = p
          return true
        }
      }
      if (p >= b.length) {
        this.pos = p
        return false
      }
      const c = b.charCodeAt(p)
      p++
      if (c === 0x22) {
        this.inString = true
        // stringEnd looks back from the closing quote for escapes, so the opening quote must stay in view.
        this.pos = p
      } else if (c === 0x7b || c === 0x5b) {
        this.depth++
      } else if (c === 0x7d || c === 0x5d) {
        this.depth--
        if (this.depth === 0) {
          this.pos = p
          return true
        }
      }
    }
  }

  /** Index of the closing quote of a string whose body starts at or before `from`, or -1. */
  private stringEnd(from: number): number {
    const b = this.buf
    let q = b.indexOf('"', from)
    while (q >= 0) {
      let bs = 0
      for (let i = q - 1; b.charCodeAt(i) === 0x5c; i--) bs++
      if ((bs & 1) === 0) return q
      q = b.indexOf('"', q + 1)
    }
    return -1
  }

  private finishValue(): void {
    const start = this.valueStart
    this.valueStart = -1
    if (this.valueRole === 'skip') {
      this.mode = Mode.TopKey
      return
    }
    const index = this.nextIndex++
    this.mode = Mode.Between
    if (this.buf.charCodeAt(start) === 0x7b) {
      this.sink({ kind: 'record', text: this.buf.slice(start, this.pos), index, chunk: this.buf, start })
    } else {
      const shown = this.buf.slice(start, Math.min(this.pos, start + 40))
      this.sink({ kind: 'bad-record', index, offset: this.base + start, reason: `record is not a JSON object (found ${shown})` })
    }
  }

  private unexpected(expected: string): void {
    const shown = JSON.stringify(this.buf.slice(this.pos, this.pos + 20))
    this.fail(this.base + this.pos, `expected ${expected} at offset ${this.base + this.pos}, found ${shown}`, this.container ? this.nextIndex : undefined)
  }
}
