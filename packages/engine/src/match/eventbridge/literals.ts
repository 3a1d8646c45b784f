import { RAW_SAFE } from '../../select/raw-safe.js'
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
/** Literals shorter than 3 characters would filter almost nothing. */
const safe = (v: string): boolean => v.length >= 3 && RAW_SAFE.test(v)
const IP_LIKE = /^[0-9A-Fa-f:.]+$/
const SERVICE = /^aws\.[A-Za-z0-9-]{2,}$/

function fieldLiterals(matchers: readonly Matcher[]): string[] | undefined {
  const out: string[] = []
  for (const m of matchers) {
    if ((m.kind === 'string' || m.kind === 'exactly') && safe(m.value) && !(m.kind === 'string' && IP_LIKE.test(m.value)))
      out.push(`"${m.value}"`)
    else if (m.kind === 'prefix' && !m.ignoreCase && safe(m.value)) out.push(`"${m.value}`)
    else return undefined
  }
  return out.length > 0 ? out : undefined
}

/**
 * The envelope's `source` is "aws." + the first label of the record's eventSource (envelope.ts, sourceOf), so
 * `source: aws.kms` means the record's text holds `"kms.` (as in `"eventSource":"kms.amazonaws.com"`). This
 * relies on envelope.ts having no source overrides; a test holds the two together.
 */
function sourceLiterals(matchers: readonly Matcher[]): string[] | undefined {
  const out: string[] = []
  for (const m of matchers) {
    if (m.kind !== 'string' || !SERVICE.test(m.value)) return undefined
    out.push(`"${m.value.slice(4)}.`)
  }
  return out.length > 0 ? out : undefined
}

export function patternLiterals(subRules: readonly ReadonlyMap<string, readonly Matcher[]>[]): string[][] | null {
  const all: string[][] = []
  for (const rule of subRules) {
    let best: string[] | undefined
    for (const [path, matchers] of rule) {
      const lits = path === 'source' ? sourceLiterals(matchers) : path.startsWith('detail.') ? fieldLiterals(matchers) : undefined
      // Fewer alternatives filter more; among equals, longer literals are rarer.
      if (
        lits &&
        (!best ||
          lits.length < best.length ||
          (lits.length === best.length && Math.min(...lits.map((l) => l.length)) > Math.min(...best.map((l) => l.length))))
      )
        best = lits
    }
    if (!best) return null
    for (const l of best) all.push([l])
  }
  return all
}
