/**
 * Finds where a JSON object, array or string ends in bytes, and whether it is shaped like JSON on the way: strings
 * closed and free of raw line breaks (and, in their first 24 bytes, of any raw control character), every `}` and `]` closing the bracket it pairs with, only JSON
 * token bytes outside strings, a key (or `}`) after every `{` and object comma, a `:` after every key, and a `,`
 * or a closing bracket after every string and container value. That is the JSON grammar less the spelling of
 * numbers, literals and escapes (and of what follows them); whatever it passes, a JSON parser splits at the same
 * place. It is resumable, so a value arriving over many chunks is read
 * once, in time linear in its bytes, without being kept: the caller keeps the bytes it needs.
 *
 * Every byte of every record goes through `scan`, so the loop is written for V8: typed-array class tables, state
 * in locals, the string body (most of a CloudTrail record) in its own inner loop.
 */
export const MORE = -1
export const FAULT = -2

const enum Out {
  Space,
  Token,
  Colon,
  Quote,
  OpenObject,
  OpenArray,
  CloseObject,
  CloseArray,
  Comma,
  Bad,
}
/** Class of a byte outside strings. */
export const OUT = new Uint8Array(256).fill(Out.Bad)
for (const c of ' \t\r\n') OUT[c.charCodeAt(0)] = Out.Space
// Numbers and the letters of true, false and null.
for (const c of '0123456789-+.eEtruefalsn') OUT[c.charCodeAt(0)] = Out.Token
OUT[0x3a] = Out.Colon
OUT[0x22] = Out.Quote
OUT[0x7b] = Out.OpenObject
OUT[0x5b] = Out.OpenArray
OUT[0x7d] = Out.CloseObject
OUT[0x5d] = Out.CloseArray
OUT[0x2c] = Out.Comma

/** Class of a byte inside a string: 0 plain, 1 closing quote, 2 backslash, 3 raw control character. */
const STR = new Uint8Array(256)
for (let c = 0; c < 0x20; c++) STR[c] = 3
STR[0x22] = 1
STR[0x5c] = 2

const OBJECT = 1
const ARRAY = 2
/** What must come next outside a string. */
const enum Want {
  Any,
  /** After `{` or an object's comma: a key or `}`. */
  Key,
  /** After a key. */
  Colon,
  /** After a string or container value: `,` or a closing bracket. */
  Separator,
}

/** ALLOWED[want << 4 | class]: whether a byte of that class may come when `want` is expected (Space is skipped before). */
export const ALLOWED = new Uint8Array(4 << 4)
for (let k = 0; k <= Out.Bad; k++) ALLOWED[(Want.Any << 4) | k] = 1
ALLOWED[(Want.Key << 4) | Out.Quote] = ALLOWED[(Want.Key << 4) | Out.CloseObject] = 1
ALLOWED[(Want.Colon << 4) | Out.Colon] = 1
for (const k of [Out.Comma, Out.CloseObject, Out.CloseArray]) ALLOWED[(Want.Separator << 4) | k] = 1

/** What is wrong where a walk stops (the WebAssembly walk reports these codes too). */
export const enum Fault {
  ControlInString = 1,
  ExpectedKey,
  ExpectedColon,
  ExpectedSeparator,
  MisplacedColon,
  Unbalanced,
  NotJson,
}

/** The reason given for a fault at a byte. */
export function faultReason(fault: Fault, byte: number): string {
  switch (fault) {
    case Fault.ControlInString:
      return 'a raw control character (a line break?) inside a string'
    case Fault.ExpectedKey:
      return 'expected a key'
    case Fault.ExpectedColon:
      return 'expected ":" after a key'
    case Fault.ExpectedSeparator:
      return 'expected "," or a closing bracket'
    case Fault.MisplacedColon:
      return 'a ":" out of place'
    case Fault.Unbalanced:
      return `unbalanced brackets: "${String.fromCharCode(byte)}" closes nothing it opened`
    case Fault.NotJson:
      return `byte 0x${byte.toString(16).padStart(2, '0')} outside a string`
  }
}

/** Where a walk stands between two calls, to hand a value over from one walker to another. */
export interface WalkState {
  /** OBJECT (1) or ARRAY (2) per open bracket, `depth` of them. */
  stack: Uint8Array
  depth: number
  inString: boolean
  escaped: boolean
  want: number
  isKey: boolean
}

/**
 * After this many plain bytes, the rest of a string is found with Buffer.indexOf (memchr): one native call costs
 * about what the loop spends on two dozen bytes, and the long strings (user agents, ARNs, policies) are most of
 * the bytes.
 */
const LONG = 24

function nextAt(b: Buffer, byte: number, from: number): number {
  const at = b.indexOf(byte, from)
  return at < 0 ? b.length : at
}

export class ValueScanner {
  /** OBJECT or ARRAY per open bracket; grows for deep values (nesting depth is not limited here). */
  private stack = new Uint8Array(32)
  private depth = 0
  private inString = false
  /** The last byte scanned was a backslash inside a string. */
  private escaped = false
  private want = Want.Any
  /** The string being read is a key. */
  private isKey = false
  /** The next quote, backslash and line break at or after the last string skipped natively in `memo`, or its length. */
  private memo: Buffer | undefined
  private nextQuote = -1
  private nextBackslash = -1
  private nextLineBreak = -1
  /** Index, in the buffer of the last `scan`, of the byte that is not JSON, and what is wrong with it. */
  faultAt = -1
  reason = ''

  /** Starts a new value; its first byte (`{`, `[` or `"`) is the first one `scan` reads. */
  begin(): void {
    this.depth = 0
    this.inString = false
    this.escaped = false
    this.want = Want.Any
    this.isKey = false
    this.faultAt = -1
    this.reason = ''
  }

  /** Reads b[from, to) on from the state left by the last call; the index after the value, MORE, or FAULT. */
  scan(b: Buffer, from: number, to: number): number {
    let p = from
    let depth = this.depth
    let want = this.want
    let inString = this.inString
    if (this.escaped && p < to) {
      this.escaped = false
      p++
    }
    for (;;) {
      if (inString) {
        for (;;) {
          // A tight loop over the first plain bytes; past them, a native search (plainStringEnd).
          const lim = p + LONG < to ? p + LONG : to
          let s = 0
          while (p < lim && (s = STR[b[p]!]!) === 0) p++
          if (p === lim) {
            if (p >= to) {
              this.depth = depth
              this.inString = true
              return MORE
            }
            const end = this.plainStringEnd(b, p, to)
            if (end < 0) continue
            p = end + 1
            break
          }
          p++
          if (s === 1) break
          if (s === 2) {
            if (p >= to) {
              this.escaped = true
              this.depth = depth
              this.inString = true
              return MORE
            }
            p++
            continue
          }
          return this.fail(b, p - 1, Fault.ControlInString)
        }
        inString = false
        if (depth === 0) return p
        want = this.isKey ? Want.Colon : Want.Separator
      }
      if (p >= to) {
        this.depth = depth
        this.want = want
        this.inString = false
        return MORE
      }
      const c = b[p]!
      const k = OUT[c]!
      if (k === Out.Space) {
        p++
        continue
      }
      if (ALLOWED[(want << 4) | k] === 0) {
        return this.fail(b, p, want === Want.Key ? Fault.ExpectedKey : want === Want.Colon ? Fault.ExpectedColon : Fault.ExpectedSeparator)
      }
      p++
      switch (k) {
        case Out.Token:
          want = Want.Any
          break
        case Out.Colon:
          // A colon where none was wanted: in an array, or after a value.
          if (want !== Want.Colon) return this.fail(b, p - 1, Fault.MisplacedColon)
          want = Want.Any
          break
        case Out.Quote:
          inString = true
          this.isKey = want === Want.Key
          want = Want.Any
          break
        case Out.OpenObject:
        case Out.OpenArray:
          if (depth === this.stack.length) {
            const grown = new Uint8Array(depth * 2)
            grown.set(this.stack)
            this.stack = grown
          }
          this.stack[depth++] = k === Out.OpenObject ? OBJECT : ARRAY
          want = k === Out.OpenObject ? Want.Key : Want.Any
          break
        case Out.CloseObject:
        case Out.CloseArray:
          if (depth === 0 || this.stack[--depth] !== (k === Out.CloseObject ? OBJECT : ARRAY)) {
            return this.fail(b, p - 1, Fault.Unbalanced)
          }
          if (depth === 0) return p
          want = Want.Separator
          break
        case Out.Comma:
          want = this.stack[depth - 1] === OBJECT ? Want.Key : Want.Any
          break
        default:
          return this.fail(b, p - 1, Fault.NotJson)
      }
    }
  }

  /**
   * The closing quote of the string whose plain bytes run on from `p`, when it is in b[p, to) with no backslash
   * and no line break before it; else -1, and the byte loop goes on. The backslash and line-break positions are
   * remembered per buffer, so finding them costs one native search per occurrence, not one per string. Other
   * control characters in such a string are left to JSON.parse: they do not move a record's end.
   */
  private plainStringEnd(b: Buffer, p: number, to: number): number {
    if (this.memo !== b) {
      this.memo = b
      this.nextQuote = -1
      this.nextBackslash = -1
      this.nextLineBreak = -1
    }
    // Each position is searched for once per buffer, so a string with no end in sight costs one search, not one
    // per 24 bytes.
    if (this.nextQuote < p) this.nextQuote = nextAt(b, 0x22, p)
    const q = this.nextQuote
    if (q >= to) return -1
    if (this.nextBackslash < p) this.nextBackslash = nextAt(b, 0x5c, p)
    if (this.nextBackslash < q) return -1
    if (this.nextLineBreak < p) this.nextLineBreak = nextAt(b, 0x0a, p)
    return this.nextLineBreak < q ? -1 : q
  }

  private fail(b: Buffer, at: number, fault: Fault): number {
    this.faultAt = at
    this.reason = faultReason(fault, b[at]!)
    return FAULT
  }

  /** The state between two calls (after MORE). */
  saveState(): WalkState {
    return {
      stack: this.stack.slice(0, this.depth),
      depth: this.depth,
      inString: this.inString,
      escaped: this.escaped,
      want: this.want,
      isKey: this.isKey,
    }
  }

  /** Goes on from a state another walker saved, as if it had read the bytes itself. */
  restoreState(s: WalkState): void {
    if (this.stack.length < s.depth) this.stack = new Uint8Array(s.depth * 2)
    this.stack.set(s.stack.subarray(0, s.depth))
    this.depth = s.depth
    this.inString = s.inString
    this.escaped = s.escaped
    this.want = s.want
    this.isKey = s.isKey
    this.faultAt = -1
    this.reason = ''
  }
}
