/**
 * A Sigma rule's `detection` compiled to a test on a parsed CloudTrail record, with what the rule index needs:
 * field tests on the raw fields (eventName, eventSource, errorCode, sourceIPAddress, userIdentity.type) that
 * every match requires. Sigma compares strings case-insensitively, so an `eventName: CreateUser` rule is keyed
 * by a field test (which folds case, as the rule does) rather than by the index's exact eventName keys, and it
 * gives no raw-text literals (a literal is searched for exactly as written).
 *
 * A search identifier is a map (its entries ANDed), a list of maps (ORed), or a list of values (a keyword
 * search, ORed); the condition combines identifiers (condition.ts). A condition given as a list is an OR.
 */
import { anyOfAlternatives, rawFieldOf, type FieldTest } from '../../select/field-test.js'
import { obj } from '../../record.js'
import { parseCondition, type Condition } from './condition.js'
import { invalid, unsupported } from './error.js'
import { compileFieldCondition, type FieldCondition } from './values.js'

export interface SigmaDetection {
  match(record: Record<string, unknown>): boolean
  readonly fieldTests: readonly FieldTest[]
}

/** One identifier: alternatives (OR), each a selection of field conditions (AND). */
type Identifier = readonly (readonly FieldCondition[])[]

function compileIdentifier(name: string, value: unknown): Identifier {
  const map = obj(value)
  if (map) return [compileMap(map)]
  if (Array.isArray(value)) {
    if (value.length === 0) throw invalid(`${name}: an empty list`, { key: name })
    const words = value.filter((v) => obj(v) === undefined)
    const maps = value.flatMap((v) => {
      const m = obj(v)
      return m ? [compileMap(m)] : []
    })
    if (words.some((w) => Array.isArray(w))) throw invalid(`${name}: a list inside a list`, { key: name })
    return words.length > 0 ? [[compileFieldCondition('', words)], ...maps] : maps
  }
  if (typeof value === 'string' || typeof value === 'number') return [[compileFieldCondition('', value)]]
  throw invalid(`${name}: a search identifier is a map, a list of maps or a list of keywords`, { key: name })
}

function compileMap(map: Record<string, unknown>): FieldCondition[] {
  return Object.entries(map).map(([k, v]) => compileFieldCondition(k, v))
}

/** Compiles `detection` (its search identifiers and condition). Throws SigmaError. */
export function compileDetection(detection: Record<string, unknown>): SigmaDetection {
  const ids = new Map<string, Identifier>()
  for (const [name, value] of Object.entries(detection)) {
    if (name === 'condition') continue
    if (name === 'timeframe')
      throw unsupported('timeframe belongs to aggregations and correlations, which Trailscan does not run', { key: name })
    ids.set(name, compileIdentifier(name, value))
  }
  const cond = detection.condition
  const names = [...ids.keys()]
  let tree: Condition
  if (typeof cond === 'string') tree = parseCondition(cond, names)
  else if (Array.isArray(cond) && cond.length > 0 && cond.every((c) => typeof c === 'string'))
    tree = { kind: 'or', items: cond.map((c, i) => parseCondition(c, names, i)) }
  else if (cond === undefined) throw invalid('detection has no condition', { top: 'detection' })
  else throw invalid('condition must be a string or a list of strings', { key: 'condition' })

  const evaluate = (c: Condition, r: Record<string, unknown>): boolean => {
    switch (c.kind) {
      case 'id':
        return ids.get(c.name)!.some((sel) => sel.every((f) => f.matches(r)))
      case 'and':
        return c.items.every((i) => evaluate(i, r))
      case 'or':
        return c.items.some((i) => evaluate(i, r))
      case 'not':
        return !evaluate(c.item, r)
    }
  }

  /** Tests on raw fields that every record the condition matches passes. */
  const required = (c: Condition): FieldTest[] => {
    switch (c.kind) {
      case 'id':
        return anyOfAlternatives(
          ids.get(c.name)!.map((sel) =>
            sel.flatMap((f) => {
              const field = rawFieldOf(f.field)
              return field !== undefined && f.onString && !f.allowsAbsent ? [{ field, test: f.onString }] : []
            }),
          ),
        )
      case 'and':
        return c.items.flatMap(required)
      case 'or':
        return anyOfAlternatives(c.items.map(required))
      case 'not':
        return []
    }
  }
  return { match: (r) => evaluate(tree, r), fieldTests: required(tree) }
}
