import { describe, expect, it } from 'vitest'
import type { Finding } from './finding.js'
import { emptySummary } from './summary.js'
import { FindingSink } from './finding-sink.js'

const finding = (account: string, eventId: string): Finding =>
  ({
    kind: 'finding',
    id: `${account}/${eventId}`,
    ruleId: 'r',
    severity: 'low',
    account,
    eventId,
    details: null,
    context: null,
    actor: { arn: null },
    source: { uri: 'x', recordIndex: 0 },
  }) as unknown as Finding

// ../shared/reliability/README.md "Smaller ones": these account names got `context: {}` from Object.prototype.
describe('FindingSink account context', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'gives account %j no context unless the file names it',
    (account) => {
      const out: Finding[] = []
      const sink = new FindingSink(
        { context: { '111122223333': { name: 'prod' } }, onFinding: (f) => out.push(f) },
        emptySummary(),
        undefined,
      )
      sink.finding({ finding: finding(account, 'e-1'), hit: {} })
      sink.finding({ finding: finding('111122223333', 'e-2'), hit: {} })
      expect(out.map((f) => f.context)).toEqual([null, { name: 'prod' }])
    },
  )
})

describe('FindingSink dedup', () => {
  it('passes one finding per id, whatever object it came from, and counts the rest as duplicates', () => {
    const out: Finding[] = []
    const summary = emptySummary()
    const sink = new FindingSink({ onFinding: (f) => out.push(f) }, summary, undefined)
    const a = finding('111122223333', 'e-1')
    sink.finding({ finding: a, hit: {} })
    sink.finding({ finding: { ...a, source: { uri: 'y', recordIndex: 7 } }, hit: {} })
    sink.finding({ finding: finding('444455556666', 'e-1'), hit: {} })
    expect(out.map((f) => f.id)).toEqual(['111122223333/e-1', '444455556666/e-1'])
    expect(summary.findings.duplicates).toBe(1)
  })
})
