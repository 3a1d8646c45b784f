/**
 * A validated EventBridge event pattern. It keeps the pattern's shape (objects, fields, `$or` blocks) so that it can be
 * printed or inspected; compile.ts flattens it into AND-ed sub-rules, as event-ruler does.
 *
 * Semantics decided here (see reference/eventbridge-patterns.md for the sources):
 * - a field matches when SOME leaf value at its dotted path satisfies SOME of its matchers; objects and arrays are
 *   never leaves, arrays contribute each element;
 * - a string that is an IP literal also matches other spellings of the same address (event-ruler compiles it to a
 *   one-address range);
 * - numbers compare by value when their decimal is exactly a float64, otherwise only by identical text.
 */

export interface EventPatternAst {
  readonly root: PatternObject
  /** How many AND-ed sub-rules the `$or` blocks expand into (AWS allows at most 1000). */
  readonly combinations: number
}

export interface PatternObject {
  readonly entries: readonly PatternEntry[]
}

export type PatternEntry =
  /** `"key": [ ...matchers ]` */
  | { readonly kind: 'field'; readonly key: string; readonly matchers: readonly Matcher[]; readonly offset?: number }
  /** `"key": { ... }` descends one level. */
  | { readonly kind: 'nested'; readonly key: string; readonly body: PatternObject }
  /** `"$or": [ {...}, {...} ]` at this level. */
  | { readonly kind: 'or'; readonly branches: readonly PatternObject[] }

export interface NumericBound {
  readonly value: number
  readonly inclusive: boolean
}

export type AnythingBut =
  | { readonly kind: 'anything-but'; readonly form: 'strings'; readonly values: readonly string[] }
  | { readonly kind: 'anything-but'; readonly form: 'numbers'; readonly values: readonly number[] }
  | {
      readonly kind: 'anything-but'
      readonly form: 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard'
      readonly values: readonly string[]
    }

export type Matcher =
  | { readonly kind: 'string'; readonly value: string }
  /** `value` is undefined when `text` is not exactly a float64; then only identical text matches. */
  | { readonly kind: 'number'; readonly text: string; readonly value: number | undefined }
  | { readonly kind: 'literal'; readonly value: boolean | null }
  /** event-ruler's `exactly`: plain text equality, without the IP-address reading of plain strings. */
  | { readonly kind: 'exactly'; readonly value: string }
  | { readonly kind: 'prefix' | 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly value: string; readonly segments: readonly string[] }
  | { readonly kind: 'numeric'; readonly lower: NumericBound | null; readonly upper: NumericBound | null }
  | { readonly kind: 'cidr'; readonly value: string }
  | { readonly kind: 'exists'; readonly value: boolean }
  | AnythingBut
