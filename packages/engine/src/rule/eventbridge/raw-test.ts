import type { Matcher } from './ast.js'
import { topLevelString } from '../../read/top-level-string.js'
import { inBlock, parseCidr, parseIp, type CidrBlock } from './cidr.js'

/**
 * A necessary condition a pattern puts on a record's raw text beyond its literals, for conditions no literal
 * can stand for. Today: `cidr` on sourceIPAddress. An address has other spellings (leading zeros, IPv4-mapped
 * IPv6), so no substring is required; but the value itself can be read from the raw text and tested, which
 * spares the JSON.parse of every record of a service for a rule like `source: aws.iam` + an IP block.
 *
 * The value is read as the index reads eventName (read/top-level-string.ts); when it cannot be read plainly
 * (an array, an escape, an ambiguous layout) the test passes and the record is parsed as usual.
 */
export type RawTest = (raw: string) => boolean

/** Top-level fields CloudTrail writes before any object that could hold the same key. */
const EARLY_FIELDS = new Set(['sourceIPAddress'])

interface FieldCheck {
  key: string
  blocks: readonly CidrBlock[]
}

export function patternRawTest(subRules: readonly ReadonlyMap<string, readonly Matcher[]>[]): RawTest | undefined {
  const perSubRule = subRules.map((rule) => {
    const checks: FieldCheck[] = []
    for (const [path, matchers] of rule) {
      const key = path.startsWith('detail.') ? path.slice('detail.'.length) : undefined
      if (key === undefined || !EARLY_FIELDS.has(key) || !matchers.every((m) => m.kind === 'cidr')) continue
      const blocks = matchers.map((m) => parseCidr(m.value))
      if (blocks.every((b): b is CidrBlock => typeof b !== 'string')) checks.push({ key, blocks })
    }
    return checks
  })
  // A sub-rule without a check can match any record, and so can the pattern.
  if (perSubRule.some((checks) => checks.length === 0)) return undefined
  return (raw) => perSubRule.some((checks) => checks.every((c) => holds(c, raw)))
}

function holds(check: FieldCheck, raw: string): boolean {
  const value = topLevelString(raw, check.key)
  if (value === null) return true
  if (value === undefined) return false
  const ip = parseIp(value)
  return ip !== undefined && check.blocks.some((b) => inBlock(b, ip))
}
