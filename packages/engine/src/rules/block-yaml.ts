/**
 * A fast reader for the plain subset of YAML that rule files written by tools and most rule files written by hand
 * use: block mappings and block sequences by indentation, with JSON-style double-quoted strings, single-quoted
 * strings without escapes, simple plain strings, canonical integers, `null`, `true`, `false`, `{}` and `[]`. A
 * thousand-rule directory is mostly example records in this form, and js-yaml takes ~70 ms on it in a fresh
 * process, about a third of what loading those rules costs; this reader takes a fraction of that.
 *
 * It answers only when it is sure to agree with js-yaml under the core schema (rules/load.ts parseYaml): anything
 * else (flow collections, block scalars, anchors, tags, comments after values, floats, a tab, a duplicate key,
 * an indentless sequence, a document marker …) gives undefined, and the caller parses the text with js-yaml,
 * which also produces the error messages. A test holds the two together on every YAML file in the repository
 * and on generated ones.
 */
export const NOT_PLAIN: unique symbol = Symbol('not plain')

const JSON_STRING = /^"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/
const INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/
/**
 * Starts with a letter, or with a digit and holds a space (no number does); no YAML indicator, no `: `, no
 * ` #`, no trailing `:` (checked apart).
 */
const PLAIN = /^(?:[A-Za-z]|[0-9](?=[^ ]* ))[^#'"{}[\]&*!|>%@`\u007f]*$/
/** Plain words the core schema reads as something other than a string. */
const SPECIAL = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE'])
/** What js-yaml refuses outright (its non-printable check), plus tab, CR and BOM, which this reader leaves to it. */
const REFUSED =
  /[\x00-\x09\x0B-\x1F\x7F-\x84\x86-\x9F\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/

/**
 * Deeper blocks are left to js-yaml, whose maxDepth (100 nodes) then names the line. One block here is at most two
 * of its nodes (a sequence item that opens a mapping), so 48 stays below it; and recursion stays shallow.
 */
const MAX_BLOCK_DEPTH = 48

const SPACE = 0x20
const DASH = 0x2d
const COLON = 0x3a
const QUOTE = 0x22

export function parseBlockYaml(text: string): unknown {
  if (REFUSED.test(text)) return NOT_PLAIN
  const reader = new Reader(text)
  if (!reader.splitLines()) return NOT_PLAIN
  const value = reader.block(0)
  return reader.at === reader.count ? value : NOT_PLAIN
}

/** Lines as offsets into the text (no copies): indentation, and where the content starts and ends. */
class Reader {
  at = 0
  count = 0
  private depth = 0
  private readonly indent: number[] = []
  private readonly start: number[] = []
  private readonly end: number[] = []

  constructor(private readonly text: string) {}

  /** False for what this reader leaves to js-yaml: a document marker or directive, a first line indented. */
  splitLines(): boolean {
    const t = this.text
    for (let from = 0; from <= t.length;) {
      let nl = t.indexOf('\n', from)
      if (nl < 0) nl = t.length
      let s = from
      while (s < nl && t.charCodeAt(s) === SPACE) s++
      // Only spaces: YAML keeps other trailing whitespace (a no-break space) in a plain scalar.
      let e = nl
      while (e > s && t.charCodeAt(e - 1) === SPACE) e--
      if (e > s && t.charCodeAt(s) !== 0x23) {
        if (s === from && (t.startsWith('---', s) || t.startsWith('...', s) || t.charCodeAt(s) === 0x25)) return false
        this.indent.push(s - from)
        this.start.push(s)
        this.end.push(e)
      }
      from = nl + 1
    }
    this.count = this.indent.length
    return this.count > 0 && this.indent[0] === 0
  }

  /** The block (mapping or sequence) whose first line is the current one, at exactly `indent`. */
  block(indent: number): unknown {
    if (this.at >= this.count || this.indent[this.at] !== indent || this.depth >= MAX_BLOCK_DEPTH) return NOT_PLAIN
    this.depth++
    const value = this.isItem(this.start[this.at]!, this.end[this.at]!) ? this.sequence(indent) : this.mapping(indent)
    this.depth--
    return value
  }

  private isItem(s: number, e: number): boolean {
    return this.text.charCodeAt(s) === DASH && (e === s + 1 || this.text.charCodeAt(s + 1) === SPACE)
  }

  private mapping(indent: number): unknown {
    const t = this.text
    const out: Record<string, unknown> = {}
    while (this.at < this.count && this.indent[this.at] === indent) {
      const s = this.start[this.at]!
      const e = this.end[this.at]!
      const k = this.keyEnd(s, e)
      if (k < 0) return NOT_PLAIN
      const key = t.charCodeAt(s) === QUOTE ? t.slice(s + 1, k - 1) : t.slice(s, k)
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) return NOT_PLAIN
      this.at++
      let value: unknown
      if (k + 1 === e) value = this.nested(indent)
      else {
        let v = k + 1
        while (t.charCodeAt(v) === SPACE) v++
        value = v === k + 1 ? NOT_PLAIN : this.scalar(v, e)
      }
      if (value === NOT_PLAIN) return NOT_PLAIN
      out[key] = value
    }
    return this.ended(indent) ? out : NOT_PLAIN
  }

  /** Where the `:` after the key that starts at `s` sits, or -1 when the line is not `key:` or `key: value`. */
  private keyEnd(s: number, e: number): number {
    const t = this.text
    let k = s
    if (t.charCodeAt(s) === QUOTE) {
      // A double-quoted key without escapes.
      k = t.indexOf('"', s + 1)
      if (k < 0 || k >= e || t.lastIndexOf('\\', k) > s) return -1
      k++
    } else {
      for (let c = t.charCodeAt(k); k < e && (isWordChar(c) || (k > s && (c === DASH || c === 0x2e))); c = t.charCodeAt(++k));
      if (k === s || (t.charCodeAt(s) >= 0x30 && t.charCodeAt(s) <= 0x39)) return -1
    }
    return k < e && t.charCodeAt(k) === COLON && (k + 1 === e || t.charCodeAt(k + 1) === SPACE) ? k : -1
  }

  private sequence(indent: number): unknown {
    const out: unknown[] = []
    while (this.at < this.count && this.indent[this.at] === indent) {
      const s = this.start[this.at]!
      const e = this.end[this.at]!
      if (!this.isItem(s, e)) return NOT_PLAIN
      let c = s + 1
      while (c < e && this.text.charCodeAt(c) === SPACE) c++
      let value: unknown
      if (c === e) {
        this.at++
        value = this.nested(indent)
      } else if (this.keyEnd(c, e) >= 0) {
        // `- key: value`: a mapping whose entries sit where `key` does.
        this.indent[this.at] = indent + (c - s)
        this.start[this.at] = c
        value = this.mapping(indent + (c - s))
      } else if (this.isItem(c, e)) return NOT_PLAIN
      else {
        this.at++
        value = this.scalar(c, e)
      }
      if (value === NOT_PLAIN) return NOT_PLAIN
      out.push(value)
    }
    return this.ended(indent) ? out : NOT_PLAIN
  }

  /** The value of `key:` with nothing after it: a block indented deeper, or null. */
  private nested(indent: number): unknown {
    return this.at < this.count && this.indent[this.at]! > indent ? this.block(this.indent[this.at]!) : null
  }

  /** A block ends at a line indented less than it; one indented more is not plain. */
  private ended(indent: number): boolean {
    return this.at >= this.count || this.indent[this.at]! < indent
  }

  private scalar(s: number, e: number): unknown {
    const t = this.text
    const c = t.charCodeAt(s)
    if (c === QUOTE) {
      if (e - s < 2 || t.charCodeAt(e - 1) !== QUOTE) return NOT_PLAIN
      const q = t.indexOf('"', s + 1)
      const b = t.indexOf('\\', s + 1)
      if (q === e - 1 && (b < 0 || b > q)) return t.slice(s + 1, q)
      const text = t.slice(s, e)
      return JSON_STRING.test(text) ? JSON.parse(text) : NOT_PLAIN
    }
    const text = t.slice(s, e)
    if (c === 0x27)
      return text.length >= 2 && text.endsWith("'") && text.indexOf("'", 1) === text.length - 1 ? text.slice(1, -1) : NOT_PLAIN
    if (text === '{}') return {}
    if (text === '[]') return []
    if (text === 'null') return null
    if (text === 'true') return true
    if (text === 'false') return false
    if (INTEGER.test(text)) return Number(text)
    if (PLAIN.test(text) && !SPECIAL.has(text) && !text.includes(': ') && !text.endsWith(':') && !text.includes(' #')) return text
    return NOT_PLAIN
  }
}

/** Letters, digits, `_` and `$`: what a plain key may start with (digits excepted) and hold. */
function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24
}
