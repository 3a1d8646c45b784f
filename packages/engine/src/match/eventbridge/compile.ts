/**
 * Compiles a validated pattern into a matcher. `$or` blocks are expanded into AND-ed sub-rules up front, as
 * event-ruler does (a field named again in a branch or after it replaces the earlier one, as AWS's "last wins"
 * does). match() then tries sub-rules in turn. Each field's path is walked and its leaves tested in place with the
 * precompiled FieldTest; only when a path crosses an array of objects are leaves collected, and a small search picks
 * leaves that lie in the same array elements.
 *
 * NOTE on `exists: false` inside arrays of objects: event-ruler's answer there depends on the order of field names (an
 * accident). Here a field is absent when no leaf at its path lies in the array elements chosen for the other
 * fields; with no other field to pin the elements, any leaf anywhere makes it present.
 */
import type { IndexKeys } from '../matcher.js'
import { patternLiterals } from './literals.js'
import { patternFieldTests } from './field-tests.js'
import type { FieldTest as RawFieldTest } from '../../select/field-test.js'
import type { EventPatternAst, Matcher, PatternObject } from './ast.js'
import { parseIp } from './cidr.js'
import { parseEventPattern } from './parse.js'
import { CROSSES_ARRAY, HIT, SEEN, collectLeaves, compilePath, probe, type CompiledPath, type Leaves, type Membership } from './paths.js'
import { compileField, type FieldTest, type Leaf } from './values.js'

export interface EventPattern {
  /** True when `event` (an EventBridge event, parsed JSON) matches the pattern. */
  match(event: unknown): boolean
  /**
   * For indexing CloudTrail records: exact values detail.eventSource / detail.eventName must take for ANY match to
   * be possible, or null when unconstrained.
   */
  readonly indexKeys: IndexKeys
  /** Alternatives of literal sets a record's raw text must contain for a match (see literals.ts), or null. */
  readonly literals: readonly (readonly string[])[] | null
  /** Necessary conditions on raw fields (see field-tests.ts). */
  readonly fieldTests: readonly RawFieldTest[]
}

type SubRule = Map<string, readonly Matcher[]>

/** Expands `$or` into the list of AND-ed sub-rules, each a map from dotted path to its matchers. */
export function expandSubRules(ast: EventPatternAst): SubRule[] {
  const walk = (body: PatternObject, prefix: string | null, rules: SubRule[]): SubRule[] => {
    for (const e of body.entries) {
      if (e.kind === 'field') {
        if (rules.length === 0) rules.push(new Map())
        const path = prefix === null ? e.key : `${prefix}.${e.key}`
        for (const r of rules) r.set(path, e.matchers)
      } else if (e.kind === 'nested') {
        rules = walk(e.body, prefix === null ? e.key : `${prefix}.${e.key}`, rules)
      } else {
        const before = rules
        rules = []
        for (const branch of e.branches) {
          const copies = before.length === 0 ? [new Map<string, readonly Matcher[]>()] : before.map((r) => new Map(r))
          rules.push(...walk(branch, prefix, copies))
        }
      }
    }
    return rules
  }
  return walk(ast.root, null, [])
}

interface Field {
  readonly path: number
  readonly test: FieldTest
}

/** Compiles `pattern` (JSON text, an object, or an AST from parseEventPattern); throws RuleSyntaxError. */
export function compileEventPattern(pattern: string | Record<string, unknown>): EventPattern {
  return compileAst(parseEventPattern(pattern))
}

function compileAst(ast: EventPatternAst): EventPattern {
  const subRules = expandSubRules(ast)
  const pathIds = new Map<string, number>()
  const paths: CompiledPath[] = []
  const tested = subRules.map((rule) => [...rule].map(([text, matchers]) => ({ path: text, test: compileField(matchers) })))
  const rules: Field[][] = tested.map((rule) => {
    const fields: Field[] = []
    for (const { path: text, test } of rule) {
      let id = pathIds.get(text)
      if (id === undefined) {
        id = paths.length
        pathIds.set(text, id)
        paths.push(compilePath(text))
      }
      fields.push({ path: id, test })
    }
    // Fields that need a leaf fail fastest; pure absence checks go last.
    return fields.sort((a, b) => Number(!a.test.acceptsLeaves) - Number(!b.test.acceptsLeaves))
  })
  const indexKeys: IndexKeys = {
    eventSource: requiredValues(subRules, 'detail.eventSource'),
    eventName: requiredValues(subRules, 'detail.eventName'),
  }

  const match = (event: unknown): boolean => {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return false
    for (const fields of rules) if (probeRule(fields, paths, event as Record<string, unknown>)) return true
    return false
  }
  return { match, indexKeys, literals: patternLiterals(subRules), fieldTests: patternFieldTests(tested) }
}

/** The exact strings a path must equal in every sub-rule, or null when some sub-rule leaves it open. */
function requiredValues(subRules: readonly SubRule[], path: string): readonly string[] | null {
  const out = new Set<string>()
  for (const rule of subRules) {
    const matchers = rule.get(path)
    if (matchers === undefined) return null
    for (const m of matchers) {
      // A plain string that reads as an IP also matches other spellings of the address, so it is not a key.
      if (m.kind === 'exactly' || (m.kind === 'string' && parseIp(m.value) === undefined)) out.add(m.value)
      else return null
    }
  }
  return [...out]
}

function matchRule(fields: readonly Field[], leavesOf: (id: number) => Leaves): boolean {
  // Fast pass: without leaves inside arrays of objects, each field stands on its own.
  for (const f of fields) {
    const leaves = leavesOf(f.path)
    if (leaves.members !== null) return matchInArrays(fields, leavesOf)
    if (!fieldHolds(f.test, leaves)) return false
  }
  return true
}

/** The same as matchRule for a single sub-rule, testing leaves where they are found instead of collecting them. */
function probeRule(fields: readonly Field[], paths: readonly CompiledPath[], event: Record<string, unknown>): boolean {
  for (const f of fields) {
    const r = probe(event, paths[f.path] as CompiledPath, f.test.test)
    if (r & CROSSES_ARRAY) {
      // matchRule may hand over to matchInArrays, which asks again for the fields it already walked.
      const collected: Leaves[] = []
      return matchRule(fields, (id) => (collected[id] ??= collectLeaves(event, paths[id] as CompiledPath)))
    }
    if (!(r & HIT) && !(f.test.allowsAbsent && !(r & SEEN))) return false
  }
  return true
}

function fieldHolds(test: FieldTest, leaves: Leaves): boolean {
  const values = leaves.values
  if (test.acceptsLeaves) for (let i = 0; i < values.length; i++) if (test.test(values[i] as Leaf)) return true
  return test.allowsAbsent && values.length === 0
}

function matchInArrays(fields: readonly Field[], leavesOf: (id: number) => Leaves): boolean {
  const all: Leaves[] = []
  const hits: number[][] = []
  for (const f of fields) {
    const leaves = leavesOf(f.path)
    const matched: number[] = []
    if (f.test.acceptsLeaves) {
      for (let i = 0; i < leaves.values.length; i++) if (f.test.test(leaves.values[i] as Leaf)) matched.push(i)
    }
    // Absence can still hold in the chosen elements when the leaves sit in arrays of objects.
    const mayBeAbsent = f.test.allowsAbsent && (leaves.values.length === 0 || leaves.members !== null)
    if (matched.length === 0 && !mayBeAbsent) return false
    all.push(leaves)
    hits.push(matched)
  }
  return consistentChoice(fields, all, hits)
}

/**
 * Picks, for each field, a matching leaf (or absence, where allowed) so that no two picked leaves lie in different
 * elements of the same array; absences are then checked against the elements picked.
 */
function consistentChoice(fields: readonly Field[], all: readonly Leaves[], hits: readonly number[][]): boolean {
  const boundArrays: (readonly unknown[])[] = []
  const boundIndexes: number[] = []
  const absent: number[] = []
  const fits = (mem: Membership | null): boolean => {
    for (let m = mem; m !== null; m = m.next) {
      for (let b = 0; b < boundArrays.length; b++) {
        if (boundArrays[b] === m.array && boundIndexes[b] !== m.index) return false
      }
    }
    return true
  }
  const bind = (mem: Membership | null): void => {
    for (let m = mem; m !== null; m = m.next) {
      if (!boundArrays.includes(m.array)) {
        boundArrays.push(m.array)
        boundIndexes.push(m.index)
      }
    }
  }
  const solve = (i: number): boolean => {
    if (i === fields.length) {
      return absent.every((f) => {
        const leaves = all[f] as Leaves
        for (let k = 0; k < leaves.values.length; k++) if (fits(leaves.memberOf(k))) return false
        return true
      })
    }
    const leaves = all[i] as Leaves
    const tried = new Set<Membership | null>()
    for (const idx of hits[i] as number[]) {
      const mem = leaves.memberOf(idx)
      // Leaves in the same element bind the same arrays; trying one of them is enough.
      if (tried.has(mem) || !fits(mem)) continue
      tried.add(mem)
      const mark = boundArrays.length
      bind(mem)
      if (solve(i + 1)) return true
      boundArrays.length = mark
      boundIndexes.length = mark
    }
    if ((fields[i] as Field).test.allowsAbsent) {
      absent.push(i)
      if (solve(i + 1)) return true
      absent.pop()
    }
    return false
  }
  return solve(0)
}
