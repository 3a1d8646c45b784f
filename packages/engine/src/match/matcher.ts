import type { CloudTrailRecord } from '../record.js'
import type { FieldTest } from '../select/field-test.js'
import type { RuleSpec, Severity } from '../rules/spec.js'

/**
 * The compiled form of a rule. Compiling pays once, up front, so that the per-record cost does not grow with the
 * number of rules: `indexKeys` lets the scanner consult only the rules that can fire on a record's
 * eventSource/eventName, and `literals` lets it reject most records from their raw text before JSON.parse.
 * `match` is pure and synchronous. The brute-force twin (every record parsed, every rule run) is the test oracle.
 */
export interface IndexKeys {
  /** Values `eventSource` must take for any match, or null when unconstrained. */
  eventSource: readonly string[] | null
  /** Values `eventName` must take for any match, or null when unconstrained. */
  eventName: readonly string[] | null
}

export interface MatchContext {
  record: CloudTrailRecord
  /** The record's raw JSON text as read from the object. */
  text: string
  /** The EventBridge envelope for the record, built on first use. */
  envelope(): Record<string, unknown>
}

/** A bucket or object a matched call made public: emit holds its finding to say whether it was closed again. */
export interface Exposure {
  kind: 'acl' | 'object-acl' | 'policy'
  bucket: string
  key?: string
}

/**
 * What a rule says about a record it matched, as facts: the severity is decided from them in one place
 * (emit/severity.ts). By default, the rule's own severity and no extra detail.
 */
export interface RuleHit {
  /** `write`: the call granted write access (raised to critical); `attempt`: it failed, nothing changed (medium). */
  impact?: 'write' | 'attempt'
  /**
   * The severity the rule's `raise` check asks for: it found the dangerous form of the change (an administrative
   * port open to the internet, an administrator policy). emit/severity.ts applies it when it is higher.
   */
  raise?: Severity
  /** Short words for the finding; a failed call's status is set by emit/severity.ts (`attempt`). */
  status?: string
  details?: Record<string, unknown>
  /** What the call made public; written to the finding as `details.exposure`. */
  exposure?: Exposure
}

export interface CompiledRule {
  id: string
  spec: RuleSpec
  indexKeys: IndexKeys
  /** Alternatives of literal sets; a record can only match if its text contains every literal of one set. */
  literals: readonly (readonly string[])[] | null
  /** Necessary conditions on fields read from the raw record (select/field-test.ts), tested before parsing. */
  fieldTests?: readonly FieldTest[]
  match(ctx: MatchContext): RuleHit | null
}
