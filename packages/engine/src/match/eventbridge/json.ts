/**
 * EventBridge's JSON: text is read by the shared reader (match/json-text.ts) into a tree; patterns given as objects
 * are turned into the same tree, so validation has one input shape.
 */
import { JsonSyntaxError, parseJson, type JsonNode } from '../json-text.js'
import { JsonNumberText, exactFloat64 } from './numbers.js'

export { JsonSyntaxError, parseJson, type JsonNode }

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
