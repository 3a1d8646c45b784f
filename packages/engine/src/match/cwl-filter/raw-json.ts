/**
 * A strict JSON parser (RFC 8259, same acceptance as JSON.parse) that keeps each number's source text.
 * AWS compares quoted literals with a number as written in the event (`12.0` is not `"12"`), which JSON.parse
 * forgets and Node 20's reviver cannot recover. Objects have a null prototype so keys like `__proto__` stay data.
 */

export class RawNumber {
  constructor(
    readonly raw: string,
    readonly value: number,
  ) {}
}

/** Returned instead of a value when the text is not JSON. */
export const NOT_JSON: unique symbol = Symbol('not-json')

class Invalid extends Error {}

const NUMBER_AT = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

export function parseJsonPreservingNumbers(text: string): unknown {
  const p = new Parser(text)
  try {
    p.ws()
    const v = p.value(0)
    p.ws()
    if (p.i !== text.length) return NOT_JSON
    return v
  } catch (err) {
    if (err instanceof Invalid || err instanceof RangeError) return NOT_JSON
    throw err
  }
}

const MAX_DEPTH = 4096

class Parser {
  i = 0
  constructor(private readonly s: string) {}

  ws(): void {
    const s = this.s
    let i = this.i
    for (;;) {
      const c = s.charCodeAt(i)
      if (c === 32 || c === 10 || c === 13 || c === 9) i++
      else break
    }
    this.i = i
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new Invalid()
    const c = this.s.charCodeAt(this.i)
    if (c === 123) return this.object(depth)
    if (c === 91) return this.array(depth)
    if (c === 34) return this.string()
    if (c === 116) return this.word('true', true)
    if (c === 102) return this.word('false', false)
    if (c === 110) return this.word('null', null)
    return this.number()
  }

  private word<T>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.i)) throw new Invalid()
    this.i += w.length
    return v
  }

  private number(): RawNumber {
    NUMBER_AT.lastIndex = this.i
    const m = NUMBER_AT.exec(this.s)
    if (!m) throw new Invalid()
    this.i += m[0].length
    return new RawNumber(m[0], Number(m[0]))
  }

  private object(depth: number): Record<string, unknown> {
    const o = Object.create(null) as Record<string, unknown>
    this.i++
    this.ws()
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++
      return o
    }
    for (;;) {
      if (this.s.charCodeAt(this.i) !== 34) throw new Invalid()
      const k = this.string()
      this.ws()
      if (this.s.charCodeAt(this.i) !== 58) throw new Invalid()
      this.i++
      this.ws()
      o[k] = this.value(depth + 1)
      this.ws()
      const c = this.s.charCodeAt(this.i++)
      if (c === 125) return o
      if (c !== 44) throw new Invalid()
      this.ws()
    }
  }

  private array(depth: number): unknown[] {
    const a: unknown[] = []
    this.i++
    this.ws()
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++
      return a
    }
    for (;;) {
      a.push(this.value(depth + 1))
      this.ws()
      const c = this.s.charCodeAt(this.i++)
      if (c === 93) return a
      if (c !== 44) throw new Invalid()
      this.ws()
    }
  }

  private string(): string {
    const s = this.s
    let i = this.i + 1
    let out = ''
    let chunk = i
    for (;;) {
      if (i >= s.length) throw new Invalid()
      const c = s.charCodeAt(i)
      if (c === 34) break
      if (c < 32) throw new Invalid()
      if (c !== 92) {
        i++
        continue
      }
      out += s.slice(chunk, i)
      const e = s[i + 1]
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e
          break
        case 'b':
          out += '\b'
          break
        case 'f':
          out += '\f'
          break
        case 'n':
          out += '\n'
          break
        case 'r':
          out += '\r'
          break
        case 't':
          out += '\t'
          break
        case 'u': {
          const hex = s.slice(i + 2, i + 6)
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new Invalid()
          out += String.fromCharCode(parseInt(hex, 16))
          i += 4
          break
        }
        default:
          throw new Invalid()
      }
      i += 2
      chunk = i
    }
    out += s.slice(chunk, i)
    this.i = i + 1
    return out
  }
}
