/**
 * Compiles one field's matcher list (ORed) into a single leaf test. Everything that can be is decided here, once:
 * exact values go into Sets, regexes and CIDR blocks are built, numeric bounds are fixed. The test then dispatches
 * on the leaf's JSON type, so a string never reaches a numeric matcher and vice versa.
 */
import { assertNever } from '../../errors.js'
import type { AnythingBut, Matcher } from './ast.js'
import { inBlock, parseCidr, parseIp, sameAddress } from './cidr.js'
import { ignoreCaseTester } from './ignore-case.js'
import { JsonNumberText } from './numbers.js'
import { compileWildcard, wildcardSegments } from './wildcard.js'

/** A leaf of an event: what sits at a path once objects and arrays are looked through. */
export type Leaf = string | number | boolean | null | JsonNumberText

export interface FieldTest {
  /** `exists: false` is among the matchers: the field is also satisfied when the path has no leaf. */
  readonly allowsAbsent: boolean
  /** Some matcher can accept a leaf (everything but `exists: false`). */
  readonly acceptsLeaves: boolean
  readonly test: (leaf: Leaf) => boolean
}

type StringTest = (s: string) => boolean
type NumberTest = (n: number) => boolean
type LeafTest = (v: Leaf) => boolean

const never = (): boolean => false

export function compileField(matchers: readonly Matcher[]): FieldTest {
  const strings = new Set<string>()
  const numbers = new Set<number>()
  const numberTexts = new Set<string>()
  const stringTests: StringTest[] = []
  const numberTests: NumberTest[] = []
  const leafTests: LeafTest[] = []
  let matchTrue = false
  let matchFalse = false
  let matchNull = false
  let anyLeaf = false
  let allowsAbsent = false
  let acceptsLeaves = false

  for (const m of matchers) {
    if (!(m.kind === 'exists' && !m.value)) acceptsLeaves = true
    switch (m.kind) {
      case 'string': {
        strings.add(m.value)
        // event-ruler turns a plain string that is an IP literal into a one-address range: "10.0.0.1" also
        // matches "10.00.0.1", and "2001:db8::1" matches "2001:0db8:0:0:0:0:0:1".
        const ip = parseIp(m.value)
        if (ip !== undefined) stringTests.push((s) => sameIp(s, ip))
        break
      }
      case 'exactly':
        strings.add(m.value)
        break
      case 'number':
        if (m.value !== undefined) numbers.add(m.value)
        else numberTexts.add(m.text)
        break
      case 'literal':
        if (m.value === null) matchNull = true
        else if (m.value) matchTrue = true
        else matchFalse = true
        break
      case 'prefix': {
        const v = m.value
        stringTests.push(m.ignoreCase ? ignoreCaseTester([v], 'prefix') : (s) => s.startsWith(v))
        break
      }
      case 'suffix': {
        const v = m.value
        stringTests.push(m.ignoreCase ? ignoreCaseTester([v], 'suffix') : (s) => s.endsWith(v))
        break
      }
      case 'equals-ignore-case':
        stringTests.push(ignoreCaseTester([m.value], 'whole'))
        break
      case 'wildcard':
        stringTests.push(compileWildcard(m.segments))
        break
      case 'numeric':
        numberTests.push(rangeTest(m.lower, m.upper))
        break
      case 'cidr': {
        const block = parseCidr(m.value)
        if (typeof block === 'string') throw new Error(`unvalidated CIDR: ${block}`)
        stringTests.push((s) => {
          const ip = parseIp(s)
          return ip !== undefined && inBlock(block, ip)
        })
        break
      }
      case 'exists':
        if (m.value) anyLeaf = true
        else allowsAbsent = true
        break
      case 'anything-but':
        leafTests.push(anythingButTest(m))
        break
      default:
        assertNever(m)
    }
  }

  if (anyLeaf) return { allowsAbsent, acceptsLeaves, test: () => true }
  if (!acceptsLeaves) return { allowsAbsent, acceptsLeaves, test: never }
  const test = (v: Leaf): boolean => {
    switch (typeof v) {
      case 'string':
        if (strings.has(v)) return true
        for (const t of stringTests) if (t(v)) return true
        break
      case 'number':
        if (numbers.has(v)) return true
        for (const t of numberTests) if (t(v)) return true
        break
      case 'boolean':
        if (v ? matchTrue : matchFalse) return true
        break
      default:
        if (v === null ? matchNull : numberTexts.has(v.text)) return true
    }
    for (const t of leafTests) if (t(v)) return true
    return false
  }
  return { allowsAbsent, acceptsLeaves, test }
}

function sameIp(s: string, ip: Uint8Array): boolean {
  const other = parseIp(s)
  return other !== undefined && sameAddress(other, ip)
}

function rangeTest(lower: { value: number; inclusive: boolean } | null, upper: { value: number; inclusive: boolean } | null): NumberTest {
  const lo = lower?.value ?? -Infinity
  const hi = upper?.value ?? Infinity
  const loIn = lower?.inclusive ?? true
  const hiIn = upper?.inclusive ?? true
  if (loIn && hiIn) return (n) => n >= lo && n <= hi
  if (loIn) return (n) => n >= lo && n < hi
  if (hiIn) return (n) => n > lo && n <= hi
  return (n) => n > lo && n < hi
}

/**
 * anything-but matches any leaf that is not excluded, including leaves of another type: null, booleans and numbers
 * pass a string exclusion, strings pass a numeric one. (A missing field has no leaf, so it never matches.)
 */
function anythingButTest(m: AnythingBut): LeafTest {
  switch (m.form) {
    case 'strings': {
      const excluded = new Set(m.values)
      return (v) => typeof v !== 'string' || !excluded.has(v)
    }
    case 'numbers': {
      const excluded = new Set(m.values)
      return (v) => typeof v !== 'number' || !excluded.has(v)
    }
    default: {
      const hit = excludedStrings(m.form, m.values)
      return (v) => typeof v !== 'string' || !hit(v)
    }
  }
}

function excludedStrings(form: 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard', values: readonly string[]): StringTest {
  // NOTE: an empty list (`{"anything-but": {"prefix": []}}`) passes AWS's validation and excludes nothing.
  if (values.length === 0) return never
  switch (form) {
    case 'prefix':
      return (s) => values.some((p) => s.startsWith(p))
    case 'suffix':
      return (s) => values.some((p) => s.endsWith(p))
    case 'equals-ignore-case':
      return ignoreCaseTester(values, 'whole')
    case 'wildcard': {
      const tests = values.map((v) => {
        const segments = wildcardSegments(v)
        if (typeof segments === 'string') throw new Error(`unvalidated wildcard: ${segments}`)
        return compileWildcard(segments)
      })
      return (s) => tests.some((t) => t(s))
    }
  }
}
