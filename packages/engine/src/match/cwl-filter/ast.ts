/**
 * AST of a CloudWatch Logs filter pattern (metric filters, subscription filters, FilterLogEvents).
 * Semantics follow reference/cwl-filter-patterns.md; the decisions AWS leaves open are taken here, once:
 *
 * - `*` in a value is a wildcard, quoted or not, at any position; the default algorithm is a textbook glob.
 *   AWS's 2019 observed behaviour (first occurrence, no backtracking) is available as `wildcard: 'aws-2019'`.
 * - A comparison (`=`, `!=`, `<` …) is false unless the selector reaches a scalar: missing keys, objects, arrays and
 *   `null` make every comparison false, `!=` included. `= *` is therefore "present and scalar, not null".
 * - Booleans compare as the text `true` / `false` for `=`/`!=`; `IS TRUE`/`IS FALSE` are the documented forms.
 * - `=`/`!=` against a string node compare text, also for unquoted numbers (`$.code = 400` matches `"400"`);
 *   relational operators on a string node are false (no numeric coercion). Against a number node, a quoted or
 *   non-numeric literal compares with the number's JSON text as written (`12.0` ≠ `"12"`), an unquoted number
 *   compares numerically.
 * - `NOT EXISTS` is true only when the selector reaches nothing; a key holding `null` exists.
 * - With a wildcard selector (`$.a[*]`, `$.*`) a condition holds when any selected node satisfies it, `!=` too.
 * - Keywords (`IS`, `NULL`, `TRUE`, `FALSE`, `NOT`, `EXISTS`) are upper case only, as documented.
 * - Only a message that is a whole JSON object can match a JSON pattern.
 * Term, regex and space-delimited decisions sit beside their code (term.ts, space-delimited*.ts).
 */

/** Half-open range of a construct in the pattern text (0-based offsets). */
export interface Span {
  readonly start: number
  readonly end: number
}

export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>='

/** A value on the right of an operator. */
export type ValueLiteral =
  /** Quoted string or bare word; `*` inside is a wildcard. */
  | { readonly kind: 'string'; readonly value: string; readonly quoted: boolean; readonly span: Span }
  /** Bare number as written (`400`, `+1000`, `1e-3`, `55.5`). */
  | { readonly kind: 'number'; readonly value: number; readonly raw: string; readonly span: Span }
  /** `%…%`; `source` is the AWS text between the percent signs. */
  | { readonly kind: 'regex'; readonly source: string; readonly span: Span }

export type SelectorStep =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  /** `.*`: every field of an object. */
  | { readonly kind: 'any-key' }
  /** `[*]`: every element of an array. */
  | { readonly kind: 'any-index' }

export interface JsonSelector {
  /** As written, e.g. `$.userIdentity.type`; also the key of extracted values. */
  readonly text: string
  readonly steps: readonly SelectorStep[]
  readonly span: Span
}

export type JsonExpression =
  | { readonly kind: 'or'; readonly operands: readonly JsonExpression[] }
  | { readonly kind: 'and'; readonly operands: readonly JsonExpression[] }
  | {
      readonly kind: 'compare'
      readonly selector: JsonSelector
      readonly operator: ComparisonOperator
      readonly value: ValueLiteral
      readonly span: Span
    }
  | { readonly kind: 'is'; readonly selector: JsonSelector; readonly test: 'null' | 'true' | 'false'; readonly span: Span }
  | { readonly kind: 'not-exists'; readonly selector: JsonSelector; readonly span: Span }

export interface Term {
  /** `include`: plain term; `optional`: `?term`; `exclude`: `-term`. */
  readonly mode: 'include' | 'optional' | 'exclude'
  readonly value: string
  readonly quoted: boolean
  readonly span: Span
}

/** Conditions inside one space-delimited slot; all name the slot's own field. */
export type FieldCondition =
  | { readonly kind: 'or'; readonly operands: readonly FieldCondition[] }
  | { readonly kind: 'and'; readonly operands: readonly FieldCondition[] }
  | { readonly kind: 'compare'; readonly operator: ComparisonOperator; readonly value: ValueLiteral; readonly span: Span }

export type FieldSlot =
  | { readonly kind: 'ellipsis'; readonly span: Span }
  /** `name` is null for an empty slot (`[a,,b]`, trailing comma); such fields extract as `$<position>`. */
  | { readonly kind: 'field'; readonly name: string | null; readonly condition: FieldCondition | null; readonly span: Span }

export type CwlAst =
  | { readonly kind: 'json'; readonly text: string; readonly expression: JsonExpression }
  | { readonly kind: 'terms'; readonly text: string; readonly terms: readonly Term[] }
  | { readonly kind: 'regex'; readonly text: string; readonly regex: Extract<ValueLiteral, { kind: 'regex' }> }
  | { readonly kind: 'space-delimited'; readonly text: string; readonly slots: readonly FieldSlot[] }
