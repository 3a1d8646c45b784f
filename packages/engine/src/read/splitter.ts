import { constants } from 'node:buffer'
import { FAULT, MORE } from './json-scan.js'
import { createWalker, type Walker } from './json-scan-wasm.js'

/**
 * Splits decompressed log bytes into records without parsing them, so that only rule candidates pay for
 * JSON.parse. A resumable structural scanner fed chunk by chunk: every record is walked by `ValueScanner` (in WebAssembly, `json-scan-wasm.ts`), so a
 * record ends where a JSON parser ends it (whatever it nests) and a record that is not shaped like JSON is
 * reported even when no rule would have parsed it. It recognises, from the bytes alone:
 *   - CloudTrail's `{"Records":[…]}` body (any whitespace, any key order), also several in a row, as `cat`
 *     of gzip files or export pipelines write them,
 *   - a bare JSON array of records,
 *   - JSON Lines / concatenated objects, one record each,
 *   - digest files (a top-level object with digest fields), reported as `digest` instead of events.
 * A bad record costs that record only: the splitter reports it and picks up at the next record boundary the
 * layout allows (see `corrupt`).
 */
export type SplitEvent =
  /** The record is `bytes[start, end)`. */
  | { kind: 'record'; bytes: Buffer; start: number; end: number; index: number }
  | { kind: 'bad-record'; index: number; offset: number; reason: string }
  | { kind: 'digest' }
  | { kind: 'fatal'; offset: number; reason: string; recordIndex?: number }
  /** A fault in the object that costs no record: reading goes on. */
  | { kind: 'fault'; offset: number; reason: string }

export type SplitSink = (event: SplitEvent) => void

export interface SplitOptions {
  /** A longer record is reported and skipped, not kept: past V8's string limit it could never be parsed. */
  maxRecordBytes?: number
  /** The record walk to use (tests compare the WebAssembly walk with the JS one); by default `createWalker()`. */
  walker?: Walker
}

const enum Mode {
  Start,
  TopKey,
  TopColon,
  TopValue,
  Between,
  Value,
  AfterTop,
  Resync,
  Failed,
}

const EMPTY = Buffer.alloc(0)
const WS = new Uint8Array(256)
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1
/** Bytes that may start or continue a number, true, false or null. */
const PRIMITIVE = new Uint8Array(256)
for (const c of '0123456789-+.eEtruefalsn') PRIMITIVE[c.charCodeAt(0)] = 1
const ANCHOR = Buffer.from('{"eventVersion":', 'latin1')
const COMMA = Buffer.from(',')
const OPEN = Buffer.from('{')
/** Where JSON Lines and concatenated documents resume after a bad one: a line that starts an object. */
const LINE_START = Buffer.from('\n{', 'latin1')
/** Whitespace between a separator and a record longer than this is not a layout to resynchronise on. */
const MAX_GAP = 64
export const EVENT_KEYS: ReadonlySet<string> = new Set(['eventVersion', 'eventTime', 'eventName', 'eventSource', 'eventID'])
export const DIGEST_KEYS: ReadonlySet<string> = new Set(['digestStartTime', 'digestEndTime', 'logFiles', 'digestS3Object'])

export class RecordSplitter {
  /** The chunk being read, possibly after a few carried bytes; `base` is the offset of buf[0] in the object. */
  private buf: Buffer = EMPTY
  private pos = 0
  private base = 0
  private mode = Mode.Start
  /** What the value being scanned is: a record element, a skipped top-level value, or a top-level key. */
  private valueRole: 'element' | 'skip' | 'key' = 'element'
  /** Offsets in the whole object (not in buf), -1 when unset. */
  private valueStart = -1
  private topStart = -1
  /** End of the last `[` or `,` before an element: the whitespace after it is the layout's record separator. */
  private sepEnd = -1
  /** The separator's whitespace, copied when the element it precedes outlives the chunk it sits in. */
  private gap: Buffer | undefined
  /** The start of that whitespace when it runs past the end of a chunk. */
  private gapHead: Buffer | undefined
  private primitive = false
  /** The first byte of the value being scanned. */
  private valueFirst = 0
  private key = ''
  /** Inside `"Records":[` (elements are records) or inside a bare top-level array. */
  private container: 'records' | 'array' | null = null
  /** An element was just read: a `,` or the `]` must come next. */
  private expectSep = false
  private topKeys = new Set<string>()
  private sawRecords = false
  private nextIndex = 0
  private topValues = 0
  private readonly scanner: Walker
  private readonly maxRecordBytes: number
  /** Copies of the earlier chunks' bytes from `heldFrom` on, while an unfinished value needs them. */
  private held: Buffer[] = []
  private heldFrom = -1
  private heldBytes = 0
  /** The held bytes passed maxRecordBytes and were let go; the value is reported, not delivered. */
  private dropped = false
  /** While resynchronising: what marks the next record boundary, and the record being skipped. */
  private needle: Buffer = EMPTY
  private lost: { index: number; offset: number; reason: string; toTop: boolean } | undefined
  private carry: Buffer | undefined

  constructor(
    private readonly sink: SplitSink,
    opts: SplitOptions = {},
  ) {
    this.maxRecordBytes = opts.maxRecordBytes ?? constants.MAX_STRING_LENGTH
    this.scanner = opts.walker ?? createWalker()
  }

  /** Number of records (good or bad) seen so far. */
  get recordCount(): number {
    return this.nextIndex
  }

  push(chunk: Buffer): void {
    if (this.mode === Mode.Failed || chunk.length === 0) return
    if (this.carry) {
      this.buf = Buffer.concat([this.carry, chunk])
      this.base -= this.carry.length
      this.carry = undefined
    } else {
      this.buf = chunk
    }
    this.pos = 0
    this.run()
    this.release()
  }

  end(): void {
    if (this.mode === Mode.Failed) return
    // Shorter than the needle, so it cannot hold one.
    this.carry = undefined
    const offset = this.base + this.buf.length
    switch (this.mode) {
      case Mode.Start:
        this.fail(offset, this.topValues === 0 && offset === 0 ? 'empty file (0 bytes)' : 'no JSON value in file')
        return
      case Mode.AfterTop:
        return
      case Mode.Resync:
        this.resynced(offset, 'the end of the data')
        this.mode = Mode.Failed
        return
      default: {
        if (this.rescue()) return
        // A record cut short: an element, or a JSON Lines object, names its index.
        const inRecord = this.container !== null || (this.topStart >= 0 && !this.sawRecords)
        const open = this.container !== null ? this.mode === Mode.Value && this.valueRole === 'element' : inRecord
        this.fail(
          offset,
          open ? `unexpected end of data inside record ${this.nextIndex}` : 'unexpected end of data',
          inRecord ? this.nextIndex : undefined,
        )
      }
    }
  }

  /**
   * The data ended inside a record that never failed: damage (a hole, a tear) left it open, and the records after
   * it were read as nested in it. When its bytes are still held, it is treated as bad from its start and the rest
   * is read again from the next record boundary in it.
   */
  private rescue(): boolean {
    const element = this.mode === Mode.Value && this.valueRole === 'element' && this.container !== null
    const line = this.container === null && this.topStart >= 0 && !this.sawRecords
    if (!element && !line) return false
    const from = element ? this.valueStart : this.topStart
    const span = this.bytesOf(from, this.base + this.buf.length)
    if (!span || span.end - span.start < 2) return false
    const rest = span.bytes.subarray(span.start, span.end)
    // Only when a boundary follows: a record merely cut short (a truncated object) stays the fatal end.
    if (rest.indexOf(element ? this.elementBoundary() : LINE_START, 1) < 0) return false
    this.held = []
    this.heldBytes = 0
    this.dropped = false
    this.carry = undefined
    // Read the held bytes again, from just after the record start, as if they arrived now.
    this.base = from
    this.buf = rest
    this.pos = 0
    this.corrupt('the record never ends', from + 1)
    this.run()
    this.release()
    this.end()
    return true
  }

  private fail(offset: number, reason: string, recordIndex?: number): void {
    this.mode = Mode.Failed
    this.sink(recordIndex === undefined ? { kind: 'fatal', offset, reason } : { kind: 'fatal', offset, reason, recordIndex })
  }

  /** Offset from which bytes must be kept past this chunk, or -1. */
  private retainFrom(): number {
    let k = this.mode === Mode.Value ? this.valueStart : -1
    if (this.topStart >= 0 && (k < 0 || this.topStart < k)) k = this.topStart
    return k
  }

  /** At the end of a chunk: keep (a copy of) what an unfinished value still needs, nothing else. */
  private release(): void {
    const from = this.retainFrom()
    const end = this.base + this.buf.length
    if (from < 0) {
      this.held = []
      this.heldBytes = 0
      this.heldFrom = -1
      this.dropped = false
    } else {
      if (from >= this.base) {
        this.held = []
        this.heldBytes = 0
        this.heldFrom = from
        this.dropped = false
      }
      if (!this.dropped) {
        const piece = Buffer.from(this.buf.subarray(Math.max(from - this.base, 0)))
        this.held.push(piece)
        this.heldBytes += piece.length
        if (this.heldBytes > this.maxRecordBytes) {
          this.held = []
          this.heldBytes = 0
          this.dropped = true
        }
      }
    }
    if (this.mode === Mode.Value && this.valueRole === 'element' && this.gap === undefined) this.gap = this.gapAt()
    if (this.mode === Mode.Between && !this.expectSep) {
      const ws = this.buf.subarray(Math.max(this.sepEnd - this.base, 0))
      const head = this.sepEnd >= this.base ? Buffer.from(ws) : Buffer.concat([this.gapHead ?? EMPTY, ws])
      this.gapHead = head.length > MAX_GAP ? head.subarray(0, MAX_GAP + 1) : head
    }
    if (this.mode === Mode.Resync && !this.carry) {
      // The needle may straddle this chunk and the next.
      const keep = Math.min(this.needle.length - 1, this.buf.length)
      if (keep > 0) this.carry = Buffer.from(this.buf.subarray(this.buf.length - keep))
    }
    this.base = end
    this.buf = EMPTY
    this.pos = 0
  }

  /** The bytes [from, to) of the object, or undefined when they were too many to keep. */
  private bytesOf(from: number, to: number): { bytes: Buffer; start: number; end: number } | undefined {
    if (to - from > this.maxRecordBytes) return undefined
    if (from >= this.base) return { bytes: this.buf, start: from - this.base, end: to - this.base }
    if (this.dropped) return undefined
    const joined = Buffer.concat([...this.held, this.buf.subarray(0, to - this.base)])
    const start = from - this.heldFrom
    return { bytes: joined, start, end: start + (to - from) }
  }

  private skipWs(): boolean {
    const b = this.buf
    let p = this.pos
    while (p < b.length) {
      const c = b[p]!
      // A UTF-8 byte order mark at the very start.
      if (WS[c] !== 1 && !(this.base + p < 3 && (c === 0xef || c === 0xbb || c === 0xbf))) break
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
          if (!this.skipWs()) return
          this.readKey()
          break
        case Mode.TopColon:
          if (!this.skipWs()) return
          if (this.buf[this.pos] !== 0x3a) {
            this.corrupt('expected ":" after a key', this.base + this.pos)
            break
          }
          this.pos++
          this.mode = Mode.TopValue
          break
        case Mode.TopValue:
          if (!this.skipWs()) return
          if (this.key === 'Records' && this.buf[this.pos] === 0x5b) {
            // JSON.parse keeps only the last of two "Records" keys; both arrays are read (nothing is hidden), and
            // the object is reported, since a parser would have seen fewer records.
            if (this.sawRecords)
              this.sink({
                kind: 'fault',
                offset: this.base + this.pos,
                reason: 'a second "Records" array in the same document (a JSON parser keeps only the last; both were read)',
              })
            this.pos++
            this.sawRecords = true
            this.topStart = -1 // elements are emitted one by one; the wrapper need not be kept
            this.container = 'records'
            this.sepEnd = this.base + this.pos
            this.expectSep = false
            this.mode = Mode.Between
          } else {
            if (this.key === 'Records') return this.fail(this.base + this.pos, '"Records" is not an array')
            this.beginValue('skip')
          }
          break
        case Mode.Between:
          if (!this.skipWs()) return
          this.betweenElements()
          break
        case Mode.Value:
          if (!this.scanValue()) return
          break
        case Mode.Resync:
          if (!this.resync()) return
          break
        case Mode.Failed:
          return
      }
    }
  }

  private startTopValue(): void {
    const c = this.buf[this.pos]
    if (c === 0x7b) {
      this.topValues++
      this.topStart = this.base + this.pos
      this.topKeys.clear()
      this.sawRecords = false
      this.pos++
      this.mode = Mode.TopKey
    } else if (c === 0x5b) {
      this.topValues++
      this.pos++
      this.container = 'array'
      this.sepEnd = this.base + this.pos
      this.expectSep = false
      this.mode = Mode.Between
    } else if (c === 0 && this.topValues > 0) {
      // Zero padding after a document (preallocated or block-padded files) is accepted, as after a gzip member;
      // whatever follows it is still read.
      this.pos++
    } else if (this.topValues > 0 && !this.sawRecords && this.container === null && this.nextIndex > 0) {
      // JSON Lines with a line that is not an object: that line is a bad record, the next line may be good.
      this.lost = { index: this.nextIndex++, offset: this.base + this.pos, reason: 'a line that is not a JSON object', toTop: true }
      this.needle = LINE_START
      this.mode = Mode.Resync
    } else if (this.topValues === 0) {
      this.unexpected('"{" or "[" (this is not JSON)')
    } else {
      this.unexpected(
        this.sawRecords ? 'end of data or another {"Records":[…]} document after the Records object' : 'a JSON object on the next line',
      )
    }
  }

  private readKey(): void {
    const c = this.buf[this.pos]
    if (c === 0x2c) {
      this.pos++
    } else if (c === 0x7d) {
      this.pos++
      this.endTopObject()
    } else if (c === 0x22) {
      this.beginValue('key')
    } else {
      this.corrupt('expected a key', this.base + this.pos)
    }
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
    const index = this.nextIndex++
    if ([...this.topKeys].some((k) => EVENT_KEYS.has(k))) {
      // JSON Lines: each top-level object is one record.
      this.deliver(index, start, this.base + this.pos)
      return
    }
    this.sink({ kind: 'bad-record', index, offset: start, reason: 'a JSON object with no "Records" array and no CloudTrail event fields' })
  }

  private betweenElements(): void {
    const c = this.buf[this.pos]
    if (c === 0x5d) {
      this.pos++
      this.expectSep = false
      if (this.container === 'records') {
        this.container = null
        this.mode = Mode.TopKey
      } else {
        this.container = null
        this.mode = Mode.AfterTop
      }
    } else if (this.expectSep) {
      if (c === 0x2c) {
        this.pos++
        this.expectSep = false
        this.sepEnd = this.base + this.pos
      } else {
        this.corrupt(`expected "," or "]" after record ${this.nextIndex - 1}`, this.base + this.pos)
      }
    } else {
      this.gap = undefined
      this.beginValue('element')
    }
  }

  private beginValue(role: 'element' | 'skip' | 'key'): void {
    this.valueRole = role
    this.valueStart = this.base + this.pos
    const c = this.buf[this.pos]!
    this.valueFirst = c
    this.primitive = c !== 0x7b && c !== 0x5b && c !== 0x22
    if (this.primitive && PRIMITIVE[c] !== 1) {
      this.corrupt(`expected a JSON value, found ${JSON.stringify(String.fromCharCode(c))}`, this.valueStart)
      return
    }
    if (!this.primitive) this.scanner.begin()
    this.mode = Mode.Value
  }

  /** Advances to the end of the current value and finishes it; false when more data is needed. */
  private scanValue(): boolean {
    const b = this.buf
    if (this.primitive) {
      let p = this.pos
      while (p < b.length && PRIMITIVE[b[p]!] === 1) p++
      this.pos = p
      if (p === b.length) return false
      this.finishValue()
      return true
    }
    for (;;) {
      const r = this.scanner.scan(b, this.pos, b.length)
      if (r === MORE) {
        this.pos = b.length
        return false
      }
      if (r === FAULT) {
        this.pos = this.scanner.faultAt
        this.corrupt(this.scanner.reason, this.base + this.scanner.faultAt)
        return true
      }
      this.pos = r
      this.finishValue()
      // The next record right after a comma (CloudTrail's compact layout) starts here, as the two steps of
      // betweenElements would start it: profiled on streamed 5 MB objects, the state machine's steps per record
      // cost about three quarters of the CPU of the walk itself.
      if (this.mode !== Mode.Between || b[r] !== 0x2c || b[r + 1] !== 0x7b) return true
      this.pos = r + 1
      this.expectSep = false
      this.sepEnd = this.base + this.pos
      this.gap = undefined
      this.beginValue('element')
    }
  }

  private finishValue(): void {
    const start = this.valueStart
    const end = this.base + this.pos
    this.valueStart = -1
    if (this.valueRole === 'skip') {
      this.mode = Mode.TopKey
      return
    }
    if (this.valueRole === 'key') {
      const key = this.bytesOf(start, end)
      this.key = ''
      try {
        // Only the names the layout looks for matter; one too long to keep is none of them.
        if (key) this.key = JSON.parse(key.bytes.toString('utf8', key.start, key.end)) as string
      } catch {
        this.corrupt('a key that is not a JSON string', start)
        return
      }
      this.topKeys.add(this.key)
      this.mode = Mode.TopColon
      return
    }
    const index = this.nextIndex++
    this.mode = Mode.Between
    this.expectSep = true
    if (this.valueFirst !== 0x7b) {
      const span = this.bytesOf(start, Math.min(end, start + 40))
      const shown = span ? span.bytes.toString('latin1', span.start, span.end) : '…'
      this.sink({ kind: 'bad-record', index, offset: start, reason: `record is not a JSON object (found ${shown})` })
      return
    }
    this.deliver(index, start, end)
  }

  private deliver(index: number, start: number, end: number): void {
    if (start >= this.base && end - start <= this.maxRecordBytes) {
      // In this chunk (most records): no span to build.
      this.sink({ kind: 'record', bytes: this.buf, start: start - this.base, end: end - this.base, index })
      return
    }
    const span = this.bytesOf(start, end)
    if (!span) {
      this.sink({
        kind: 'bad-record',
        index,
        offset: start,
        reason: `${end - start} bytes long, more than the ${this.maxRecordBytes} bytes a record may have (the longest string V8 can make); skipped`,
      })
      return
    }
    this.sink({ kind: 'record', bytes: span.bytes, start: span.start, end: span.end, index })
  }

  /**
   * The bytes at `at` are not JSON. Inside a records array, the record being read is lost up to the next
   * separator written as the one before it (`,` + the same whitespace + `{`, or `,{"eventVersion":` in
   * CloudTrail's compact layout, which a nested array of objects cannot fake without breaking the JSON before
   * it); in JSON Lines or concatenated objects, up to the next line that starts with `{`. The search starts at
   * the fault, since up to there the record was well formed and any separator in it was nested. Anywhere else
   * (the wrapper object itself) the object ends here.
   */
  private corrupt(reason: string, at: number): void {
    const inElement = this.container !== null && (this.mode === Mode.Between || (this.mode === Mode.Value && this.valueRole === 'element'))
    if (inElement) {
      const start = this.mode === Mode.Value ? this.valueStart : at
      this.needle = this.elementBoundary()
      this.lost = { index: this.nextIndex++, offset: start, reason: `${reason} at offset ${at}`, toTop: false }
    } else if (this.container === null && this.topStart >= 0 && !this.sawRecords) {
      this.needle = LINE_START
      this.lost = { index: this.nextIndex++, offset: this.topStart, reason: `${reason} at offset ${at}`, toTop: true }
    } else {
      this.fail(at, `${reason} at offset ${at}`, this.container ? this.nextIndex : undefined)
      return
    }
    this.valueStart = -1
    this.topStart = -1
    this.expectSep = false
    // The boundary may begin just before the byte that broke the record (a line torn between two keys).
    this.pos = Math.max(this.lost.offset + 1, at - this.needle.length + 1) - this.base
    if (this.pos < 0) this.pos = 0
    this.mode = Mode.Resync
  }

  /** What the next element's start looks like, judged from the one being read. */
  private elementBoundary(): Buffer {
    if (this.mode !== Mode.Value) return Buffer.concat([COMMA, OPEN])
    return Buffer.concat([COMMA, this.gap ?? this.gapAt(), this.startsWithAnchor() ? ANCHOR : OPEN])
  }

  /** The whitespace between the last separator and the element at valueStart (EMPTY when unknown or long). */
  private gapAt(): Buffer {
    const to = this.valueStart - this.base
    if (to < 0) return EMPTY
    const from = this.sepEnd - this.base
    if (from >= 0) return to - from <= MAX_GAP ? Buffer.from(this.buf.subarray(from, to)) : EMPTY
    const head = this.gapHead ?? EMPTY
    return head.length + to <= MAX_GAP ? Buffer.concat([head, this.buf.subarray(0, to)]) : EMPTY
  }

  /** Whether the element at valueStart begins `{"eventVersion":`. */
  private startsWithAnchor(): boolean {
    const start = this.valueStart
    const [b, at] = start >= this.base ? [this.buf, start - this.base] : [this.held[0] ?? EMPTY, start - this.heldFrom]
    return at >= 0 && at + ANCHOR.length <= b.length && b.compare(ANCHOR, 0, ANCHOR.length, at, at + ANCHOR.length) === 0
  }

  private resync(): boolean {
    const q = this.buf.indexOf(this.needle, this.pos)
    if (q < 0) {
      this.pos = this.buf.length
      return false
    }
    this.resynced(this.base + q, `offset ${this.base + q}`)
    // Past the comma (records: the next element follows) or the line break (JSON Lines: the next object).
    this.pos = q + 1
    if (this.lost!.toTop) {
      this.mode = Mode.AfterTop
    } else {
      this.sepEnd = this.base + this.pos
      this.mode = Mode.Between
    }
    this.lost = undefined
    return true
  }

  private resynced(end: number, where: string): void {
    const l = this.lost!
    this.sink({
      kind: 'bad-record',
      index: l.index,
      offset: l.offset,
      reason: `${l.reason}; bytes ${l.offset}–${end} skipped, reading on from ${where}`,
    })
  }

  private unexpected(expected: string): void {
    const shown = JSON.stringify(this.buf.toString('latin1', this.pos, this.pos + 20))
    this.fail(
      this.base + this.pos,
      `expected ${expected} at offset ${this.base + this.pos}, found ${shown}`,
      this.container ? this.nextIndex : undefined,
    )
  }
}
