/**
 * One `field|mod|mod: value(s)` entry of a Sigma selection, compiled to a test on a parsed record, following the
 * Sigma specification's detection section and modifier appendix (v2):
 * - a field is a dotted path into the record (`userIdentity.arn`); an array met on the way, or at the end, is
 *   searched element by element, and the entry holds when some element does;
 * - values are strings compared whole and case-insensitively, with `*` and `?` wildcards and escapes
 *   (pattern.ts); numbers and booleans compare as their text, so `readOnly: false` matches `false` and `"false"`;
 * - a list of values is an OR, or an AND under `all`; `null` holds for a field that is absent or null;
 * - modifiers apply in the order written: `contains`, `startswith`, `endswith`, `all`, `cased`, `exists`,
 *   `re` (`i`, `m`, `s`), `cidr`, `base64`, `base64offset`, `utf16le`/`wide`/`utf16be`/`utf16`, `windash`,
 *   `lt`/`lte`/`gt`/`gte`, `fieldref`. `expand` (placeholders) and any other modifier are refused.
 * An empty field name (`'|all':`) is a keyword search: the values are looked for in every string, number and
 * boolean of the record, as substrings unless a modifier says otherwise.
 */
import { inBlock, parseCidr, parseIp, type CidrBlock } from '../eventbridge/cidr.js'
import { obj } from '../../record.js'
import { invalid, unsupported, type SigmaAnchor } from './error.js'
import { compilePattern, literal, parseSigmaString, plainText, windash, type Pattern } from './pattern.js'
import { RegexTooLargeError } from '../regex/index.js'
import { compileSigmaRegex, SigmaRegexError } from './regex.js'

export interface FieldCondition {
  /** Dotted path as written; '' for a keyword search. */
  readonly field: string
  /** Whether a record without the field can satisfy it (`null`, `exists: false`). */
  readonly allowsAbsent: boolean
  matches(record: Record<string, unknown>): boolean
  /** The same condition on a field whose value is this string (for raw-field tests); absent when it depends on more. */
  readonly onString?: (value: string) => boolean
}

/** A test on one value found at the field's path (a string, number, boolean, null, object or array element). */
type LeafTest = (leaf: unknown) => boolean

const POSITION = new Set(['contains', 'startswith', 'endswith'])
const ENCODING = new Set(['utf16le', 'wide', 'utf16be', 'utf16'])
const NUMERIC = new Set(['lt', 'lte', 'gt', 'gte'])
const KNOWN = new Set([
  ...POSITION,
  ...ENCODING,
  ...NUMERIC,
  'all',
  'cased',
  'exists',
  're',
  'i',
  'm',
  's',
  'cidr',
  'base64',
  'base64offset',
  'windash',
  'fieldref',
])

/** A leaf as Sigma compares it: strings as they are, numbers and booleans as their text; anything else has none. */
function textOf(leaf: unknown): string | undefined {
  if (typeof leaf === 'string') return leaf
  if (typeof leaf === 'number' || typeof leaf === 'boolean') return String(leaf)
  return undefined
}

/** The values at a dotted path; arrays on the way and at the end are searched element by element. */
export function valuesAt(record: unknown, path: readonly string[]): unknown[] {
  let cur: unknown[] = [record]
  for (const key of path) {
    const next: unknown[] = []
    for (const v of cur) {
      for (const o of Array.isArray(v) ? v : [v]) {
        const m = obj(o)
        if (m && Object.hasOwn(m, key)) next.push(m[key])
      }
    }
    if (next.length === 0) return next
    cur = next
  }
  return cur.flatMap((v) => (Array.isArray(v) ? (v as unknown[]) : [v]))
}

/** Every string, number and boolean in the record, at any depth (iterative: records can nest deep). */
function scalarLeaves(record: unknown): unknown[] {
  const out: unknown[] = []
  const stack: unknown[] = [record]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v !== null && typeof v === 'object') for (const c of Object.values(v)) stack.push(c)
    else if (v !== null && v !== undefined) out.push(v)
  }
  return out
}

function base64Of(bytes: Buffer): string {
  return bytes.toString('base64')
}

/** The three ways a text can appear inside a longer base64 string, by its offset modulo 3 (the spec's base64offset). */
function base64Offsets(bytes: Buffer): string[] {
  const out: string[] = []
  for (let shift = 0; shift < 3; shift++) {
    const encoded = base64Of(Buffer.concat([Buffer.alloc(shift, 0x20), bytes]))
    // Leading characters that carry the padding bytes, trailing ones that depend on what follows.
    const start = [0, 2, 3][shift]!
    const tail = (bytes.length + shift) % 3
    const end = encoded.length - (tail === 0 ? 0 : tail === 1 ? 3 : 2)
    out.push(encoded.slice(start, end))
  }
  return out
}

function encode(text: string, encoding: string | undefined): Buffer {
  if (encoding === 'utf16le' || encoding === 'wide') return Buffer.from(text, 'utf16le')
  if (encoding === 'utf16be') return Buffer.from(text, 'utf16le').swap16()
  if (encoding === 'utf16') return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
  return Buffer.from(text, 'utf8')
}

/** `addr/bits`, with a full-length mask (one host) allowed, as Sigma rules use it. */
function sigmaCidr(text: string): CidrBlock | string {
  const slash = text.lastIndexOf('/')
  const ip = slash > 0 ? parseIp(text.slice(0, slash)) : undefined
  if (ip && text.slice(slash + 1) === String(ip.length * 8)) return { low: ip, high: ip }
  return parseCidr(text)
}

/** Compiles `key: value` of a selection map; errors name the key as written, which places them in the rule file. */
export function compileFieldCondition(key: string, value: unknown): FieldCondition {
  const anchor: SigmaAnchor = { key }
  const [field = '', ...mods] = key.split('|')
  for (const m of mods) {
    if (m === 'expand') throw unsupported(`${key}: the expand modifier (placeholders) needs values Trailscan does not have`, anchor)
    if (!KNOWN.has(m)) throw unsupported(`${key}: unknown modifier '${m}'`, anchor)
  }
  const has = (m: string): boolean => mods.includes(m)
  const reAt = mods.indexOf('re')
  for (const f of ['i', 'm', 's'])
    if (has(f) && (reAt < 0 || mods.indexOf(f) < reAt)) throw invalid(`${key}: '${f}' is a sub-modifier of re and must follow it`, anchor)
  const position = mods.filter((m) => POSITION.has(m))
  if (position.length > 1) throw invalid(`${key}: ${position.join(' and ')} cannot be combined`, anchor)
  const values = Array.isArray(value) ? (value as unknown[]) : [value]
  if (values.length === 0) throw invalid(`${key}: an empty list of values`, anchor)
  const keyword = field === ''
  const path = field.split('.')
  const cased = has('cased')

  if (has('exists')) {
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw invalid(`${key}: exists takes true or false`, anchor)
    const want = values[0]
    const present = (r: Record<string, unknown>): boolean => valuesAt(r, path).some((v) => v !== null)
    return { field, allowsAbsent: !want, matches: (r) => present(r) === want, ...(want ? { onString: () => true } : {}) }
  }

  if (has('fieldref')) {
    if (mods.length > 1 || keyword) throw unsupported(`${key}: fieldref is supported alone, as an equality of two fields`, anchor)
    const tests = values.map((v) => {
      if (typeof v !== 'string') throw invalid(`${key}: fieldref takes field names`, anchor)
      const other = v.split('.')
      return (r: Record<string, unknown>): boolean => {
        const mine = valuesAt(r, path)
          .map(textOf)
          .filter((t) => t !== undefined)
        if (mine.length === 0) return false
        const theirs = new Set(valuesAt(r, other).map((t) => textOf(t)?.toLowerCase()))
        return mine.some((t) => theirs.has(t.toLowerCase()))
      }
    })
    return { field, allowsAbsent: false, matches: (r) => tests.some((t) => t(r)) }
  }

  const leafTests: LeafTest[] = []
  let nullAllowed = false
  for (const v of values) {
    if (v === null) {
      if (mods.some((m) => m !== 'all')) throw invalid(`${key}: null takes no modifier`, anchor)
      nullAllowed = true
      leafTests.push((leaf) => leaf === null)
      continue
    }
    if (typeof v === 'object') throw invalid(`${key}: a value must be a string, number, boolean or null`, anchor)
    const ts = valueTests(key, mods, v as string | number | boolean, cased, keyword)
    leafTests.push(ts.length === 1 ? ts[0]! : (leaf) => ts.some((t) => t(leaf)))
  }
  const all = has('all')
  const leavesOf = keyword ? scalarLeaves : (r: unknown): unknown[] => valuesAt(r, path)
  const holds = (leaves: readonly unknown[]): boolean => {
    if (all) return leafTests.every((t, i) => leaves.some(t) || (values[i] === null && leaves.length === 0))
    return leaves.some((l) => leafTests.some((t) => t(l))) || (nullAllowed && leaves.length === 0)
  }
  const cond: FieldCondition = { field, allowsAbsent: nullAllowed, matches: (r) => holds(leavesOf(r)) }
  return nullAllowed || keyword ? cond : { ...cond, onString: (s) => holds([s]) }
}

/** The tests one value stands for (base64offset makes three, ORed even under `all`, as the spec's expansion does). */
function valueTests(key: string, mods: readonly string[], v: string | number | boolean, cased: boolean, keyword: boolean): LeafTest[] {
  const anchor: SigmaAnchor = { key }
  if (mods.includes('re')) {
    if (typeof v !== 'string') throw invalid(`${key}: a regular expression must be a string`, anchor)
    let re
    try {
      re = compileSigmaRegex(v, { ignoreCase: mods.includes('i'), multiline: mods.includes('m'), dotAll: mods.includes('s') })
    } catch (e) {
      if (!(e instanceof SigmaRegexError)) throw e
      const msg = `${key}: regular expression ${JSON.stringify(v)}: ${e.message} (at character ${e.offset + 1})`
      throw e.unsupported ? unsupported(msg, anchor) : invalid(msg, anchor)
    }
    return [(leaf) => textOf(leaf) !== undefined && re.test(textOf(leaf)!)]
  }
  if (mods.includes('cidr')) {
    const block = typeof v === 'string' ? sigmaCidr(v) : 'not a string'
    if (typeof block === 'string') throw invalid(`${key}: ${JSON.stringify(v)} is not a CIDR block (${block})`, anchor)
    return [
      (leaf) => {
        const ip = typeof leaf === 'string' ? parseIp(leaf) : undefined
        return ip !== undefined && inBlock(block, ip)
      },
    ]
  }
  const numeric = mods.find((m) => NUMERIC.has(m))
  if (numeric) {
    if (typeof v !== 'number') throw invalid(`${key}: ${numeric} takes a number`, anchor)
    const cmp =
      numeric === 'lt'
        ? (n: number) => n < v
        : numeric === 'lte'
          ? (n: number) => n <= v
          : numeric === 'gt'
            ? (n: number) => n > v
            : (n: number) => n >= v
    return [
      (leaf) => {
        const n = typeof leaf === 'number' ? leaf : typeof leaf === 'string' && leaf.trim() !== '' ? Number(leaf) : NaN
        return !Number.isNaN(n) && cmp(n)
      },
    ]
  }
  let patterns: Pattern[] = [typeof v === 'string' ? parseSigmaString(v) : literal(String(v))]
  const encoding = mods.find((m) => ENCODING.has(m))
  let positioned = false
  for (const m of mods) {
    if (m === 'base64' || m === 'base64offset') {
      patterns = patterns.flatMap((p) => {
        const text = plainText(p)
        if (text === undefined) throw invalid(`${key}: ${m} of a value with wildcards`, anchor)
        const bytes = encode(text, encoding)
        return (m === 'base64' ? [base64Of(bytes)] : base64Offsets(bytes)).map(literal)
      })
    } else if (m === 'windash') patterns = patterns.map(windash)
    else if (POSITION.has(m)) {
      positioned = true
      const any = { kind: 'any' } as const
      patterns = patterns.map((p) => (m === 'contains' ? [any, ...p, any] : m === 'startswith' ? [...p, any] : [any, ...p]))
    }
  }
  if (encoding && !mods.some((m) => m.startsWith('base64')))
    throw invalid(`${key}: ${encoding} is used with base64 or base64offset`, anchor)
  // A keyword is looked for anywhere in a value unless a position modifier says where.
  if (keyword && !positioned) patterns = patterns.map((p) => [{ kind: 'any' }, ...p, { kind: 'any' }])
  return patterns.map((p) => {
    let test: (value: string) => boolean
    try {
      test = compilePattern(p, cased)
    } catch (e) {
      // A windash value runs on the regex engine, whose program is bounded.
      if (e instanceof RegexTooLargeError) throw unsupported(`${key}: the value is too long for windash (${e.message})`, anchor)
      throw e
    }
    return (leaf: unknown) => {
      const t = textOf(leaf)
      return t !== undefined && test(t)
    }
  })
}
