import type { Finding } from '../emit/finding.js'
import type { ExpectedFinding } from './expectations.js'

/** Per rule: what fired as expected, what fired unexpectedly, what should have fired and did not. */
export interface RuleScore {
  ruleId: string
  truePositives: number
  falsePositives: string[]
  falseNegatives: string[]
  /** Fired on the right event but with another severity: `eventId: expected → actual`. */
  wrongSeverity: string[]
}

export interface Comparison {
  rules: RuleScore[]
  clean: boolean
}

/** Compares findings with expectations as sets of (ruleId, eventId) pairs, plus severity where one is expected. */
export function compareFindings(
  expected: readonly ExpectedFinding[],
  actual: readonly Pick<Finding, 'ruleId' | 'eventId' | 'severity'>[],
): Comparison {
  const byRule = new Map<string, RuleScore>()
  const score = (ruleId: string): RuleScore => {
    let s = byRule.get(ruleId)
    if (!s) byRule.set(ruleId, (s = { ruleId, truePositives: 0, falsePositives: [], falseNegatives: [], wrongSeverity: [] }))
    return s
  }
  const want = new Map(expected.map((e) => [`${e.ruleId}\u0000${e.eventId}`, e]))
  const got = new Set<string>()
  for (const f of actual) {
    const eventId = f.eventId ?? '(no eventID)'
    const key = `${f.ruleId}\u0000${eventId}`
    got.add(key)
    const e = want.get(key)
    const s = score(f.ruleId)
    if (!e) s.falsePositives.push(eventId)
    else if (e.severity !== undefined && e.severity !== f.severity) s.wrongSeverity.push(`${eventId}: ${e.severity} → ${f.severity}`)
    else s.truePositives++
  }
  for (const [key, e] of want) if (!got.has(key)) score(e.ruleId).falseNegatives.push(e.eventId)
  const rules = [...byRule.values()].sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1))
  for (const r of rules) for (const l of [r.falsePositives, r.falseNegatives, r.wrongSeverity]) l.sort()
  return { rules, clean: rules.every((r) => !r.falsePositives.length && !r.falseNegatives.length && !r.wrongSeverity.length) }
}
