import type { CloudTrailRecord } from '../record.js'
import { toEventBridgeEnvelope } from '../match/eventbridge/index.js'
import type { CompiledRule, MatchContext } from '../match/matcher.js'

/** A context for one standalone record, as the scanner would build it. */
export function recordContext(record: CloudTrailRecord, text: string = JSON.stringify(record)): MatchContext {
  let envelope: Record<string, unknown> | undefined
  return { record, text, envelope: () => (envelope ??= toEventBridgeEnvelope(record)) }
}

export interface ExampleResult {
  /** Indexes of examples.match the rule did not fire on. */
  missed: number[]
  /** Indexes of examples.noMatch the rule fired on. */
  falseHits: number[]
  total: number
}

/** Runs a rule's own examples: every match example must fire, no noMatch example may. */
export function runExamples(rule: CompiledRule): ExampleResult {
  const { match, noMatch } = rule.spec.examples
  const missed = match.flatMap((r, i) => (rule.match(recordContext(r)) ? [] : [i]))
  const falseHits = noMatch.flatMap((r, i) => (rule.match(recordContext(r)) ? [i] : []))
  return { missed, falseHits, total: match.length + noMatch.length }
}
