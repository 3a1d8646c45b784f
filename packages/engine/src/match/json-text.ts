/**
 * The one strict JSON reader (RFC 8259, JSON.parse's acceptance) that keeps what JSON.parse throws away: the text
 * of every number, the order of keys and every duplicate key, and where each value starts (for error locations).
 * Both rule languages read JSON text with it: EventBridge works on the tree (AWS lets the last duplicate win, in
 * text order, and compares numbers exactly), CWL turns it into values whose numbers keep their spelling
 * (match/cwl-filter/raw-json.ts), since AWS compares a quoted literal with a number as written.
 */

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

/**
 * More levels of containers than this are refused as a syntax error: the reader recurses, and text handed to
 * testEventPattern or read from a record is not ours to trust. Real events nest under 20 levels.
 */
export const MAX_JSON_DEPTH = 4096
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
  const readValue = (depth = 0): JsonNode => {
    if (depth >= MAX_JSON_DEPTH) fail(`Nested deeper than ${MAX_JSON_DEPTH} levels`)
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
        entries.push([key, readValue(depth + 1)])
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
        items.push(readValue(depth + 1))
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
  let root: JsonNode
  try {
    root = readValue()
  } catch (err) {
    // A stack smaller than the bound needs (a deep caller, a small thread stack) ends the read the same way.
    if (err instanceof RangeError) fail(`Nested too deeply to read`)
    throw err
  }
  skipWs()
  if (pos < text.length) fail('Unexpected content after the JSON value')
  return root
}
