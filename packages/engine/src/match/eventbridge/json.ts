/**
 * A strict JSON reader that keeps what JSON.parse throws away and EventBridge needs: the text of every number, the
 * order of keys and every duplicate key (AWS lets the last one win, in text order), and where each value starts (for
 * error locations). Patterns given as objects are turned into the same tree, so validation has one input shape.
 */
import { JsonNumberText, exactFloat64 } from './numbers.js'

export type JsonNode =
  | { kind: 'object'; entries: [string, JsonNode][]; offset: number | undefined }
  | { kind: 'array'; items: JsonNode[]; offset: number | undefined }
  | { kind: 'string'; value: string; offset: number | undefined }
  | { kind: 'number'; text: string; offset: number | undefined }
  | { kind: 'true' | 'false' | 'null'; offset: number | undefined }

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }

/** Parses one JSON value that must fill the whole text (surrounding whitespace aside). */
export function parseJson(text: string): JsonNode {
  let pos = 0
  const fail = (message: string, at = pos): never => {
    throw new JsonSyntaxError(message, at)
  }
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos)
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++
      else return
    }
  }
  const readString = (): string => {
    const start = pos
    pos++ // opening quote
    let out = ''
    let chunk = pos
    for (;;) {
      if (pos >= text.length) fail('Unterminated string', start)
      const c = text.charCodeAt(pos)
      if (c === 34) {
        out += text.slice(chunk, pos)
        pos++
        return out
      }
      if (c < 0x20) fail('Control character in string')
      if (c === 92) {
        out += text.slice(chunk, pos)
        const e = text[pos + 1] ?? ''
        if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\u escape')
          out += String.fromCharCode(parseInt(hex, 16))
          pos += 6
        } else {
          const r = ESCAPES[e]
          if (r === undefined) fail('Invalid escape')
          out += r
          pos += 2
        }
        chunk = pos
        continue
      }
      pos++
    }
  }
  const readValue = (): JsonNode => {
    skipWs()
    const offset = pos
    const c = text[pos]
    if (c === '{') {
      pos++
      const entries: [string, JsonNode][] = []
      skipWs()
      if (text[pos] === '}') {
        pos++
        return { kind: 'object', entries, offset }
      }
      for (;;) {
        skipWs()
        if (text[pos] !== '"') fail('Expected a field name')
        const key = readString()
        skipWs()
        if (text[pos] !== ':') fail("Expected ':'")
        pos++
        entries.push([key, readValue()])
        skipWs()
        if (text[pos] === ',') pos++
        else if (text[pos] === '}') {
          pos++
          return { kind: 'object', entries, offset }
        } else fail("Expected ',' or '}'")
      }
    }
    if (c === '[') {
      pos++
      const items: JsonNode[] = []
      skipWs()
      if (text[pos] === ']') {
        pos++
        return { kind: 'array', items, offset }
      }
      for (;;) {
        items.push(readValue())
        skipWs()
        if (text[pos] === ',') pos++
        else if (text[pos] === ']') {
          pos++
          return { kind: 'array', items, offset }
        } else fail("Expected ',' or ']'")
      }
    }
    if (c === '"') return { kind: 'string', value: readString(), offset }
    for (const word of ['true', 'false', 'null'] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length
        return { kind: word, offset }
      }
    }
    NUMBER.lastIndex = pos
    const m = NUMBER.exec(text)
    if (m !== null) {
      pos += m[0].length
      return { kind: 'number', text: m[0], offset }
    }
    return fail(pos >= text.length ? 'Unexpected end of input' : `Unexpected character '${c ?? ''}'`)
  }
  const root = readValue()
  skipWs()
  if (pos < text.length) fail('Unexpected content after the JSON value')
  return root
}

/** The tree of an already-parsed value. Throws a message (no offset) for anything JSON cannot carry. */
export function nodeFromValue(value: unknown): JsonNode {
  if (value === null) return { kind: 'null', offset: undefined }
  switch (typeof value) {
    case 'string':
      return { kind: 'string', value, offset: undefined }
    case 'boolean':
      return { kind: value ? 'true' : 'false', offset: undefined }
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${value} is not a JSON number`)
      return { kind: 'number', text: String(value), offset: undefined }
    case 'object':
      if (value instanceof JsonNumberText) return { kind: 'number', text: value.text, offset: undefined }
      if (Array.isArray(value)) return { kind: 'array', items: value.map(nodeFromValue), offset: undefined }
      return {
        kind: 'object',
        entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, nodeFromValue(v)]),
        offset: undefined,
      }
    default:
      throw new Error(`a ${typeof value} is not a JSON value`)
  }
}

/**
 * The plain value of a tree, as JSON.parse would build it, except that a number whose text is not exactly a float64
 * stays a JsonNumberText (so `12345678901234567891` does not turn into `12345678901234567000`).
 */
export function valueFromNode(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const [k, v] of node.entries) {
        // defineProperty so that a "__proto__" key is data, as with JSON.parse, not a prototype change
        Object.defineProperty(out, k, { value: valueFromNode(v), enumerable: true, writable: true, configurable: true })
      }
      return out
    }
    case 'array':
      return node.items.map(valueFromNode)
    case 'string':
      return node.value
    case 'number':
      return exactFloat64(node.text) ?? new JsonNumberText(node.text)
    case 'true':
      return true
    case 'false':
      return false
    case 'null':
      return null
  }
}
