import { describe, expect, it } from 'vitest'
import type { Finding } from './finding.js'
import { emptySummary } from './summary.js'
import { FindingSink } from './finding-sink.js'

const finding = (account: string, eventId: string): Finding =>
  ({
    kind: 'finding',
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
