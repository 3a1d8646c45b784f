/**
 * What a JSON pattern needs from a record before it can match, for the engine's index (exact eventSource /
 * eventName values), field tests (select/field-test.ts) and raw-text prefilter (literal substrings). All must over-approximate: dropping a
 * constraint is always safe, inventing one never is.
 */
import { assertNever } from '../../errors.js'
import { RAW_SAFE } from '../../select/raw-safe.js'
import { anyOfAlternatives, rawFieldOf, type FieldTest } from '../../select/field-test.js'
import type { JsonExpression } from './ast.js'
import { exactStringEquality } from './json-compile.js'
import { comparisonPredicate, isFalse, isNull, isTrue } from './values.js'
import type { WildcardMode } from './wildcard.js'

/** Cap on prefilter alternatives; past it constraints are dropped, which only weakens the prefilter. */
const MAX_ALTERNATIVES = 64

/** Exact values the top-level `key` must have for `e` to match, or null when unconstrained. */
export function requiredValues(e: JsonExpression, key: 'eventSource' | 'eventName'): string[] | null {
  switch (e.kind) {
    case 'compare': {
      const eq = exactStringEquality(e)
      const step = eq?.selector.steps[0]
      return eq && eq.selector.steps.length === 1 && step?.kind === 'key' && step.name === key ? [eq.value] : null
    }
    case 'and': {
      let result: Set<string> | null = null
      for (const o of e.operands) {
        const values = requiredValues(o, key)
        if (values === null) continue
        result = result === null ? new Set(values) : new Set(values.filter((v) => (result as Set<string>).has(v)))
      }
      return result === null ? null : [...result].sort()
    }
    case 'or': {
      const union = new Set<string>()
      for (const o of e.operands) {
        const values = requiredValues(o, key)
        if (values === null) return null
        for (const v of values) union.add(v)
      }
      return [...union].sort()
    }
    case 'is':
    case 'not-exists':
      return null
    default:
      return assertNever(e)
  }
}

type Alternatives = string[][]
const UNCONSTRAINED: Alternatives = [[]]

function alternatives(e: JsonExpression): Alternatives {
  switch (e.kind) {
    case 'compare': {
      // Only `=` with a text literal says what the text must contain: the literal's pieces between wildcards appear
      // in the string's JSON form or verbatim as a number's / boolean's text. Numbers compare numerically
      // (1e3 = 1000), regexes and negations require nothing.
      if (e.operator !== '=' || e.value.kind !== 'string') return UNCONSTRAINED
      return [quotedPieces(e.value.value)]
    }
    case 'is':
      // JSON literals are never escaped.
      return [[e.test]]
    case 'not-exists':
      return UNCONSTRAINED
    case 'and': {
      let acc: Alternatives = [[]]
      for (const o of e.operands) {
        const alts = alternatives(o)
        if (alts.every((a) => a.length === 0)) continue
        if (acc.length * alts.length > MAX_ALTERNATIVES) continue
        acc = acc.flatMap((a) => alts.map((b) => [...a, ...b]))
      }
      return acc
    }
    case 'or': {
      const acc: Alternatives = []
      for (const o of e.operands) {
        const alts = alternatives(o)
        if (alts.some((a) => a.length === 0)) return UNCONSTRAINED
        acc.push(...alts)
      }
      return acc.length > MAX_ALTERNATIVES ? UNCONSTRAINED : acc
    }
    default:
      return assertNever(e)
  }
}

/**
 * The pieces of a `=` value between its wildcards that the raw text must hold. When no number, boolean or null
 * could match (some piece has a character none of their texts has), the value is a JSON string, so the first
 * and last pieces also carry the quote they sit against: `"Root"` rather than `Root`, `"AccessDenied` for
 * `AccessDenied*`. Longer, rarer literals reject more records and are found faster.
 */
function quotedPieces(value: string): string[] {
  const pieces = value.split('*')
  const stringOnly = pieces.some((p) => /[^-+.0-9eE]/.test(p) && !['true', 'false', 'null'].some((t) => t.includes(p)))
  const out: string[] = []
  pieces.forEach((p, i) => {
    if (!RAW_SAFE.test(p)) return
    const open = stringOnly && i === 0 ? '"' : ''
    const close = stringOnly && i === pieces.length - 1 ? '"' : ''
    out.push(open + p + close)
  })
  return out
}

/** Prefilter literals for a JSON pattern, or null when some way of matching needs no literal at all. */
export function requiredLiterals(e: JsonExpression): string[][] | null {
  const alts = alternatives(e).map((a) => [...new Set(a)].sort())
  if (alts.length === 0 || alts.some((a) => a.length === 0)) return null
  const seen = new Set<string>()
  return alts.filter((a) => {
    const key = JSON.stringify(a)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Field tests for a JSON pattern: each comparison on a raw field (`$.errorCode`, `$.userIdentity.type` …) is the
 * comparison's own predicate applied to the field's string value. Every comparison, `!=` included, is false on
 * a missing field (ast.ts), as field tests require; `NOT EXISTS` yields none.
 */
export function requiredFieldTests(e: JsonExpression, mode: WildcardMode): FieldTest[] {
  switch (e.kind) {
    case 'compare':
    case 'is': {
      const steps = e.selector.steps
      const field = steps.every((s) => s.kind === 'key') ? rawFieldOf(steps.map((s) => (s as { name: string }).name).join('.')) : undefined
      if (field === undefined) return []
      // An exact string (no wildcard, not number-like) equals a string node's text or nothing: no predicate to build.
      const exact = exactStringEquality(e)?.value
      if (exact !== undefined) return [{ field, test: (v) => v === exact }]
      const predicate =
        e.kind === 'compare'
          ? comparisonPredicate(e.operator, e.value, mode)
          : e.test === 'null'
            ? isNull
            : e.test === 'true'
              ? isTrue
              : isFalse
      return [{ field, test: (v) => predicate(v) }]
    }
    case 'not-exists':
      return []
    case 'and':
      return e.operands.flatMap((o) => requiredFieldTests(o, mode))
    case 'or':
      return anyOfAlternatives(e.operands.map((o) => requiredFieldTests(o, mode)))
    default:
      return assertNever(e)
  }
}
