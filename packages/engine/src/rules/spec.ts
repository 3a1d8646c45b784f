/**
 * The data shape of a rule file. Rules are data (YAML in packages/rules); nothing here runs code from a rule.
 */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

export const LANGUAGES = ['cwl-filter', 'eventbridge', 'typed', 'sigma'] as const
export type RuleLanguage = (typeof LANGUAGES)[number]

export interface RuleReferences {
  /** CIS control id per benchmark version, e.g. { "v1.2.0": "3.8", "v3.0.0": "4.8" }. */
  cis?: Record<string, string>
  nist80053?: string[]
  mitreAttack?: string[]
  urls?: string[]
}

/** A CloudWatch alarm on the metric the filter feeds: fires when Sum over one period reaches the threshold. */
export interface AlarmSpec {
  statistic: 'Sum'
  threshold: number
  periodSeconds: number
  evaluationPeriods: number
}

export interface RaiseSpec {
  check: string
  severity: Severity
}

export interface RuleSpec {
  id: string
  title: string
  description?: string
  severity: Severity
  language: RuleLanguage
  /** The pattern exactly as AWS or the benchmark prints it: CWL text, or an EventBridge pattern (JSON text or object). */
  pattern: string | Record<string, unknown>
  references?: RuleReferences
  alarm?: AlarmSpec
  /**
   * Extra finding fields: name → dotted path into the record (`requestParameters.bucketPolicy`). Each value the
   * record has lands in the finding's `details` under that name.
   */
  output?: Record<string, string>
  /**
   * A typed check run on each record the pattern matched: when it finds the dangerous form of the change, the
   * finding takes `severity` (if higher) and the check's details. The pattern stays as AWS or CIS prints it.
   */
  raise?: RaiseSpec
  /** Response steps that travel with the rule. */
  guidance?: string
  examples: { match: Record<string, unknown>[]; noMatch: Record<string, unknown>[] }
  /** Pack the rule was loaded from; set by the loader, not by the rule file. */
  pack?: string
  /** File the rule was loaded from; set by the loader. */
  file?: string
}
