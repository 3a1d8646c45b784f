/** The CwlFilter for JSON patterns: evaluation on parsed records with a number-preserving fallback. */
import type { JsonExpression } from './ast.js'
import { requiredFieldTests, requiredLiterals, requiredValues } from './analysis.js'
import type { CwlFilter, MessageResult } from './filter.js'
import {
  compileJsonExpression,
  evaluate,
  extractionSelectors,
  extractJsonValues,
  isJsonObject,
  type JsonNode,
  type Selector,
} from './json-compile.js'
import { NOT_JSON, parseJsonPreservingNumbers } from './raw-json.js'
import { rawTextNeeded } from './values.js'
import type { WildcardMode } from './wildcard.js'
import type { IndexKeys } from '../matcher.js'
import type { FieldTest } from '../../select/field-test.js'

export class JsonFilter implements CwlFilter {
  readonly kind = 'json' as const
  readonly indexKeys: IndexKeys
  readonly literals: readonly (readonly string[])[] | null
  readonly fieldTests: readonly FieldTest[]
  private readonly root: JsonNode
  private readonly selectors: ReadonlyMap<string, Selector>

  constructor(
    readonly text: string,
    expression: JsonExpression,
    mode: WildcardMode,
  ) {
    this.root = compileJsonExpression(expression, mode)
    this.selectors = extractionSelectors(expression)
    this.indexKeys = { eventSource: requiredValues(expression, 'eventSource'), eventName: requiredValues(expression, 'eventName') }
    this.literals = requiredLiterals(expression)
    this.fieldTests = requiredFieldTests(expression, mode)
  }

  /**
   * NOTE: only a message that is a whole JSON object is a JSON log event. Text before the JSON (Lambda's
   * `timestamp id INFO {…}`) is undocumented and irrelevant to CloudTrail, which sends one record per event.
   */
  testMessage(message: string): MessageResult {
    const root = parseJsonPreservingNumbers(message)
    if (root === NOT_JSON || !isJsonObject(root) || !evaluate(this.root, root)) return { matched: false, extractedValues: {} }
    return { matched: true, extractedValues: extractJsonValues(this.selectors, root) }
  }

  matchRecord(record: unknown, text: string): boolean {
    if (!isJsonObject(record)) return false
    rawTextNeeded.value = false
    if (evaluate(this.root, record)) return true
    // A `false` may come from a number compared as text, whose JSON spelling JSON.parse dropped. Such a predicate
    // answers false and nothing in the language inverts a predicate's answer, so a `true` is always right and only
    // a `false` with the flag set needs the number-preserving parse.
    if (!rawTextNeeded.value) return false
    rawTextNeeded.value = false
    return this.testMessage(text).matched
  }
}
