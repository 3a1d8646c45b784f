/**
 * JSON text as CWL filter patterns see it: JSON.parse's values, except that each number keeps its source text.
 * AWS compares quoted literals with a number as written in the event (`12.0` is not `"12"`), which JSON.parse
 * forgets and Node 20's reviver cannot recover. Read by the engine's one JSON reader (match/json-text.ts);
 * objects have a null prototype so keys like `__proto__` stay data, and a repeated key wins last, in the place
 * of its first occurrence, as with JSON.parse.
 */
import { JsonSyntaxError, parseJson, type JsonNode } from '../json-text.js'

export class RawNumber {
  constructor(
    readonly raw: string,
    readonly value: number,
  ) {}
}

/** Returned instead of a value when the text is not JSON. */
export const NOT_JSON: unique symbol = Symbol('not-json')

export function parseJsonPreservingNumbers(text: string): unknown {
  let root: JsonNode
  try {
    root = parseJson(text)
  } catch (err) {
    if (err instanceof JsonSyntaxError) return NOT_JSON
    throw err
  }
  return valueOf(root)
}

type Container = Extract<JsonNode, { kind: 'object' | 'array' }>

/** The value of a tree, walked with a stack of its own: every depth the reader accepts converts. */
function valueOf(root: JsonNode): unknown {
  if (root.kind !== 'object' && root.kind !== 'array') return scalarOf(root)
  const top = emptyOf(root)
  const stack: { node: Container; out: Record<string, unknown> | unknown[]; next: number }[] = [{ node: root, out: top, next: 0 }]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const { node } = frame
    const size = node.kind === 'object' ? node.entries.length : node.items.length
    if (frame.next >= size) {
      stack.pop()
      continue
    }
    const i = frame.next++
    const child = node.kind === 'object' ? node.entries[i]![1] : node.items[i]!
    const container = child.kind === 'object' || child.kind === 'array'
    const v = container ? emptyOf(child) : scalarOf(child)
    // A repeated key is assigned again: it keeps its first place and takes the last value, as with JSON.parse.
    if (node.kind === 'object') (frame.out as Record<string, unknown>)[node.entries[i]![0]] = v
    else (frame.out as unknown[])[i] = v
    if (container) stack.push({ node: child, out: v as Record<string, unknown> | unknown[], next: 0 })
  }
  return top
}

function emptyOf(node: Container): Record<string, unknown> | unknown[] {
  return node.kind === 'object' ? (Object.create(null) as Record<string, unknown>) : new Array<unknown>(node.items.length)
}

function scalarOf(node: Exclude<JsonNode, Container>): unknown {
  switch (node.kind) {
    case 'string':
      return node.value
    case 'number':
      return new RawNumber(node.text, Number(node.text))
    case 'true':
      return true
    case 'false':
      return false
    case 'null':
      return null
  }
}
