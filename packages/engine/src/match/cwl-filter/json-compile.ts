/**
 * JSON pattern AST → evaluator. Selectors become step arrays, values become predicates (values.ts), and an `||` of
 * exact equalities on one selector (the shape of every CIS pattern) becomes one Set lookup.
 */
import { assertNever } from '../../errors.js'
import type { JsonExpression, JsonSelector, SelectorStep } from './ast.js'
import { NUMBER_RE } from './lexer.js'
import { RawNumber } from './raw-json.js'
import { comparisonPredicate, extractedText, isFalse, isNull, isTrue, MISSING, type Predicate } from './values.js'
import type { WildcardMode } from './wildcard.js'

const ANY_KEY: unique symbol = Symbol('any-key')
const ANY_INDEX: unique symbol = Symbol('any-index')
type Step = string | number | typeof ANY_KEY | typeof ANY_INDEX

export interface Selector {
  readonly steps: readonly Step[]
  readonly wildcard: boolean
}

export type JsonNode =
  | { readonly kind: 'or'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'and'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'test'; readonly selector: Selector; readonly predicate: Predicate }
  | { readonly kind: 'absent'; readonly selector: Selector }
  | { readonly kind: 'one-of'; readonly selector: Selector; readonly values: ReadonlySet<string> }

function compileSelector(sel: JsonSelector): Selector {
  const steps = sel.steps.map((s: SelectorStep): Step => {
    switch (s.kind) {
      case 'key':
        return s.name
      case 'index':
        return s.index
      case 'any-key':
        return ANY_KEY
      case 'any-index':
        return ANY_INDEX
      default:
        return assertNever(s)
    }
  })
  return { steps, wildcard: steps.some((s) => typeof s === 'symbol') }
}

function isObjectNode(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && !(node instanceof RawNumber)
}

function step(node: unknown, s: string | number): unknown {
  if (typeof s === 'string') return isObjectNode(node) && Object.hasOwn(node, s) ? node[s] : MISSING
  return Array.isArray(node) && s < node.length ? node[s] : MISSING
}

/** The single node a wildcard-free selector reaches, or MISSING. */
export function resolve(root: unknown, steps: readonly Step[]): unknown {
  let node = root
  for (let i = 0; i < steps.length && node !== MISSING; i++) node = step(node, steps[i] as string | number)
  return node
}

/** True when some node reached by `steps` from index `i` satisfies `test`. */
function anyNode(node: unknown, steps: readonly Step[], i: number, test: Predicate): boolean {
  for (; i < steps.length; i++) {
    const s = steps[i] as Step
    if (s === ANY_KEY) {
      if (!isObjectNode(node)) return false
      for (const k in node) {
        if (Object.hasOwn(node, k) && anyNode(node[k], steps, i + 1, test)) return true
      }
      return false
    }
    if (s === ANY_INDEX) {
      if (!Array.isArray(node)) return false
      for (const el of node) if (anyNode(el, steps, i + 1, test)) return true
      return false
    }
    node = step(node, s)
    if (node === MISSING) return false
  }
  return test(node)
}

const present: Predicate = () => true

export function evaluate(n: JsonNode, root: unknown): boolean {
  switch (n.kind) {
    case 'or':
      for (const item of n.items) if (evaluate(item, root)) return true
      return false
    case 'and':
      for (const item of n.items) if (!evaluate(item, root)) return false
      return true
    case 'test':
      return n.selector.wildcard ? anyNode(root, n.selector.steps, 0, n.predicate) : n.predicate(resolve(root, n.selector.steps))
    case 'absent':
      return n.selector.wildcard ? !anyNode(root, n.selector.steps, 0, present) : resolve(root, n.selector.steps) === MISSING
    case 'one-of': {
      const v = resolve(root, n.selector.steps)
      return typeof v === 'string' && n.values.has(v)
    }
    default:
      return assertNever(n)
  }
}

/**
 * The literal of `selector = literal` when that condition is plain string equality: no wildcard, and text that
 * can equal neither a number's JSON text nor `true`/`false`, so only a string node with exactly that value matches.
 */
export function exactStringEquality(e: JsonExpression): { selector: JsonSelector; value: string } | null {
  if (e.kind !== 'compare' || e.operator !== '=' || e.value.kind !== 'string') return null
  const v = e.value.value
  if (v.includes('*') || NUMBER_RE.test(v) || v === 'true' || v === 'false') return null
  if (e.selector.steps.some((s) => s.kind === 'any-key' || s.kind === 'any-index')) return null
  return { selector: e.selector, value: v }
}

export function compileJsonExpression(e: JsonExpression, mode: WildcardMode): JsonNode {
  switch (e.kind) {
    case 'and':
      return { kind: 'and', items: flatten(e.operands, 'and').map((x) => compileJsonExpression(x, mode)) }
    case 'or':
      return compileOr(flatten(e.operands, 'or'), mode)
    case 'compare':
      return { kind: 'test', selector: compileSelector(e.selector), predicate: comparisonPredicate(e.operator, e.value, mode) }
    case 'is':
      return {
        kind: 'test',
        selector: compileSelector(e.selector),
        predicate: e.test === 'null' ? isNull : e.test === 'true' ? isTrue : isFalse,
      }
    case 'not-exists':
      return { kind: 'absent', selector: compileSelector(e.selector) }
    default:
      return assertNever(e)
  }
}

function flatten(operands: readonly JsonExpression[], kind: 'and' | 'or'): JsonExpression[] {
  return operands.flatMap((o) => (o.kind === kind ? flatten(o.operands, kind) : [o]))
}

function compileOr(operands: readonly JsonExpression[], mode: WildcardMode): JsonNode {
  // `||` is commutative for these side-effect-free conditions, so equalities on one selector can be merged into a
  // Set wherever they sit in the chain.
  const bySelector = new Map<string, { selector: JsonSelector; values: Set<string> }>()
  const rest: JsonNode[] = []
  for (const o of operands) {
    const eq = exactStringEquality(o)
    if (eq === null) {
      rest.push(compileJsonExpression(o, mode))
      continue
    }
    const group = bySelector.get(eq.selector.text) ?? { selector: eq.selector, values: new Set<string>() }
    group.values.add(eq.value)
    bySelector.set(eq.selector.text, group)
  }
  const merged: JsonNode[] = [...bySelector.values()].map((g) => ({
    kind: 'one-of',
    selector: compileSelector(g.selector),
    values: g.values,
  }))
  const items = [...merged, ...rest]
  return items.length === 1 ? (items[0] as JsonNode) : { kind: 'or', items }
}

/** Every wildcard-free selector of the pattern, in order of first appearance, compiled for extractedValues. */
export function extractionSelectors(e: JsonExpression, out: Map<string, Selector> = new Map()): Map<string, Selector> {
  if (e.kind === 'and' || e.kind === 'or') {
    for (const o of e.operands) extractionSelectors(o, out)
    return out
  }
  const compiled = compileSelector(e.selector)
  if (!compiled.wildcard && !out.has(e.selector.text)) out.set(e.selector.text, compiled)
  return out
}

/**
 * extractedValues for a matched JSON event: each wildcard-free selector of the pattern that reaches a scalar, keyed
 * by the selector as written (`$.eventName`), the shape metric transformations reference.
 * NOTE: AWS documents no JSON example; wildcard selectors and null values are left out because there is no single
 * value to report.
 */
export function extractJsonValues(selectors: ReadonlyMap<string, Selector>, root: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [text, sel] of selectors) {
    const t = extractedText(resolve(root, sel.steps))
    if (t !== undefined) out[text] = t
  }
  return out
}

export function isJsonObject(node: unknown): boolean {
  return isObjectNode(node)
}
