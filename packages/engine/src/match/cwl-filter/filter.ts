/** The compiled-filter contract every pattern family implements. */
import type { WildcardMode } from './wildcard.js'
import type { IndexKeys } from '../matcher.js'
import type { FieldTest } from '../../select/field-test.js'

export interface MessageResult {
  matched: boolean
  extractedValues: Record<string, string>
}

export interface CwlFilter {
  readonly text: string
  readonly kind: 'json' | 'term' | 'space-delimited'
  /**
   * Test one log event message exactly as `aws logs test-metric-filter` does. extractedValues: `$.selector` keys for
   * JSON patterns, `$name` / `$<position>` for space-delimited patterns, empty for term and regex patterns.
   */
  testMessage(message: string): MessageResult
  /** Fast path for an already-parsed CloudTrail record; `text` is its raw JSON. Agrees with testMessage(text). */
  matchRecord(record: unknown, text: string): boolean
  /** Exact values $.eventSource / $.eventName must have for any match, or null when unconstrained. */
  readonly indexKeys: IndexKeys
  /**
   * Alternatives of literal substrings; a record's raw JSON text can match only if it contains every literal of at
   * least one alternative. Null when no literal can be derived safely.
   */
  readonly literals: readonly (readonly string[])[] | null
  /** Necessary conditions on raw fields (select/field-test.ts); absent when the pattern has none. */
  readonly fieldTests?: readonly FieldTest[]
}

export interface CompileOptions {
  /** How `*` in values behaves; see wildcard.ts. Default DEFAULT_WILDCARD. */
  readonly wildcard?: WildcardMode
}

/**
 * `aws-2019`, the only behaviour of `*` inside a value that AWS's own TestMetricFilter answers have shown (see
 * wildcard.ts), for every command alike, so that a pattern tested offline behaves the same in a scan.
 */
export const DEFAULT_WILDCARD: WildcardMode = 'aws-2019'
