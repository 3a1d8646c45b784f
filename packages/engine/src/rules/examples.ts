import { recordContext } from '../match/context.js'
import type { CompiledRule } from '../match/matcher.js'

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
