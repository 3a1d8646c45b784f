/**
 * `equals-ignore-case` as event-ruler folds: for each UTF-16 unit `c` of the PATTERN, the event must have, at that
 * place, `lower(c)` or `upper(c)` (root-locale mappings of that one unit). This is not Unicode case folding: pattern
 * `straße` matches `STRASSE` because upper(ß) is "SS", while pattern `STRASSE` does not match `straße`.
 * The alternatives become one precompiled regex per pattern value. It stays linear although the event text comes
 * from the record: every group `(?:lower|upper)` is literal, and for every UTF-16 unit lower(c) and upper(c) differ
 * in their first unit (ignore-case.test.ts checks all 65,536), so at most one branch can start at any place and
 * the regex never backtracks into a group: a test costs O(|value| × |pattern|) at worst (the suffix form tries each
 * start), never exponential.
 */

const SPECIAL = /[\\^$.*+?()[\]{}|/-]/g

function escape(s: string): string {
  return s.replace(SPECIAL, '\\$&')
}

function foldedSource(value: string): string {
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? ''
    const lower = c.toLowerCase()
    const upper = c.toUpperCase()
    out += lower === upper ? escape(lower) : `(?:${escape(lower)}|${escape(upper)})`
  }
  return out
}

export type Anchor = 'whole' | 'prefix' | 'suffix'

/** A tester for strings that equal (or start or end with) any of `values` ignoring case as AWS does. */
export function ignoreCaseTester(values: readonly string[], anchor: Anchor): (s: string) => boolean {
  const body = values.map(foldedSource).join('|')
  const source = anchor === 'prefix' ? `^(?:${body})` : anchor === 'suffix' ? `(?:${body})$` : `^(?:${body})$`
  const re = new RegExp(source)
  return (s) => re.test(s)
}
