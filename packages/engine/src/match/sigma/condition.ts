/**
 * A Sigma condition parsed into a tree over search identifiers, with the specification's precedence (least to
 * most binding): `or`, `and`, `not`, `1 of` / `all of`, parentheses. `1 of them` / `all of them` take every
 * identifier not starting with `_`; `1 of sel*` every identifier the `*` pattern matches. Keywords are read in any
 * case. An aggregation (`| count() by … > n`) or `near` belongs to the deprecated correlation syntax and is refused.
 */
import { globMatcher } from '../glob.js'
import { invalid, unsupported } from './error.js'

export type Condition =
  | { readonly kind: 'id'; readonly name: string }
  | { readonly kind: 'and' | 'or'; readonly items: readonly Condition[] }
  | { readonly kind: 'not'; readonly item: Condition }

interface Token {
  readonly text: string
  readonly at: number
}

const TOKEN = /\s*(\(|\)|\||[^\s()|]+)/y
/** Far past any real rule (SigmaHQ's deepest nest a few levels). */
const MAX_DEPTH = 100

/** Parses `text` (the condition, or one entry of a condition list at `index`) over the rule's identifiers. */
export function parseCondition(text: string, identifiers: readonly string[], index?: number): Condition {
  const where = (at: number) => ({ condition: at, ...(index === undefined ? {} : { index }) })
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  let end = 0
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    tokens.push({ text: m[1]!, at: m.index + m[0].length - m[1]!.length })
    end = TOKEN.lastIndex
  }
  if (text.slice(end).trim() !== '') throw invalid(`condition: cannot read ${JSON.stringify(text)}`, where(end))
  let pos = 0
  const peek = (): Token | undefined => tokens[pos]
  const word = (t: Token | undefined): string => t?.text.toLowerCase() ?? ''
  const fail = (reason: string, t: Token | undefined = peek()): never => {
    throw invalid(`condition: ${reason}`, where(t?.at ?? text.length))
  }

  const ofGroup = (quant: Token): Condition => {
    pos++ // `of`
    const target = peek()
    if (!target || /^(and|or|not|of|\(|\)|\|)$/i.test(target.text)) return fail(`'${quant.text} of' needs an identifier pattern or 'them'`)
    pos++
    const them = word(target) === 'them'
    const matches = them ? (n: string) => !n.startsWith('_') : globMatcher(target.text)
    const names = identifiers.filter(matches)
    if (names.length === 0) return fail(`no search identifier matches ${JSON.stringify(target.text)}`, target)
    const items = names.map((name): Condition => ({ kind: 'id', name }))
    return items.length === 1 ? items[0]! : { kind: word(quant) === 'all' ? 'and' : 'or', items }
  }

  // Parsing and matching recurse per level: a bound keeps a hostile condition from overflowing the stack.
  let depth = 0
  const deeper = (t: Token | undefined): void => {
    if (++depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels (parentheses and not)`, t)
  }

  const primary = (): Condition => {
    const t = peek()
    if (!t) return fail('ends where an identifier or ( was expected')
    if (t.text === '(') {
      deeper(t)
      pos++
      const inner = or()
      depth--
      if (peek()?.text !== ')') fail("expected ')'")
      pos++
      return inner
    }
    if (t.text === '|')
      throw unsupported('condition: aggregations (| count() …) are correlation rules, which Trailscan does not run', where(t.at))
    const w = word(t)
    if (word(tokens[pos + 1]) === 'of') {
      if (w === '1' || w === 'all' || w === 'any') {
        pos++
        return ofGroup(t)
      }
      throw unsupported(`condition: '${t.text} of' (only '1 of' and 'all of' are Sigma)`, where(t.at))
    }
    if (/^(and|or|not|of|\))$/.test(w)) return fail(`unexpected '${t.text}'`)
    if (w === 'near') throw unsupported("condition: 'near' is a correlation, which Trailscan does not run", where(t.at))
    if (!identifiers.includes(t.text)) return fail(`'${t.text}' is not a search identifier of this rule`)
    pos++
    return { kind: 'id', name: t.text }
  }

  const not = (): Condition => {
    if (word(peek()) === 'not') {
      deeper(peek())
      pos++
      const item = not()
      depth--
      return { kind: 'not', item }
    }
    return primary()
  }

  const chain = (op: 'and' | 'or', next: () => Condition): Condition => {
    const items = [next()]
    while (word(peek()) === op) {
      pos++
      items.push(next())
    }
    return items.length === 1 ? items[0]! : { kind: op, items }
  }
  const and = (): Condition => chain('and', not)
  const or = (): Condition => chain('or', and)

  const tree = or()
  const rest = peek()
  if (rest) {
    if (rest.text === '|')
      throw unsupported('condition: aggregations (| count() …) are correlation rules, which Trailscan does not run', where(rest.at))
    if (word(rest) === 'near') throw unsupported("condition: 'near' is a correlation, which Trailscan does not run", where(rest.at))
    fail(`unexpected '${rest.text}'`)
  }
  return tree
}
