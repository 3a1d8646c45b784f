import type { Matcher } from './ast.js'

/**
 * Text a CloudTrail record must contain for a pattern to be able to match it, for the scanner's raw-text
 * prefilter. Only `detail.*` fields count (the envelope's own fields are not in the record's text), and only
 * plain strings, `exactly` and case-sensitive prefixes made of characters no JSON writer escapes: `"value"` (or
 * `"prefix`) then appears verbatim in the record. Strings that could be IP addresses are left out, because a
 * pattern's IP also matches other spellings of the same address. Per sub-rule (one `$or` combination) the most
 * selective usable field is taken; the alternatives of all sub-rules together are the result, or null when
 * some sub-rule has no usable field.
 */
const SAFE = /^[A-Za-z0-9 ._:@-]{3,}$/
const IP_LIKE = /^[0-9A-Fa-f:.]+$/

function fieldLiterals(matchers: readonly Matcher[]): string[] | undefined {
  const out: string[] = []
  for (const m of matchers) {
    if ((m.kind === 'string' || m.kind === 'exactly') && SAFE.test(m.value) && !(m.kind === 'string' && IP_LIKE.test(m.value)))
      out.push(`"${m.value}"`)
    else if (m.kind === 'prefix' && !m.ignoreCase && SAFE.test(m.value)) out.push(`"${m.value}`)
    else return undefined
  }
  return out.length > 0 ? out : undefined
}

export function patternLiterals(subRules: readonly ReadonlyMap<string, readonly Matcher[]>[]): string[][] | null {
  const all: string[][] = []
  for (const rule of subRules) {
    let best: string[] | undefined
    for (const [path, matchers] of rule) {
      if (!path.startsWith('detail.')) continue
      const lits = fieldLiterals(matchers)
      // Fewer alternatives filter more; among equals, longer literals are rarer.
      if (lits && (!best || lits.length < best.length || (lits.length === best.length && Math.min(...lits.map((l) => l.length)) > Math.min(...best.map((l) => l.length)))))
        best = lits
    }
    if (!best) return null
    for (const l of best) all.push([l])
  }
  return all
}
