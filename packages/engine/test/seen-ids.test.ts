import { describe, expect, it } from 'vitest'
import { Readable } from 'node:stream'
import { compileRule, scan, type Finding, type LogObject, type RuleSpec } from '@trailscan/engine'

const rule = compileRule({
  id: 'stop-logging',
  title: 'Logging stopped',
  severity: 'high',
  language: 'cwl-filter',
  pattern: '{ $.eventName = StopLogging }',
  alarm: { statistic: 'Sum', threshold: 2, periodSeconds: 300, evaluationPeriods: 1 },
  examples: { match: [], noMatch: [] },
} as unknown as RuleSpec)

function object(name: string, ids: string[]): LogObject {
  const body = Buffer.from(
    JSON.stringify({
      Records: ids.map((id, i) => ({
        eventVersion: '1.08',
        eventTime: `2024-03-05T10:00:0${i}Z`,
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'StopLogging',
        awsRegion: 'eu-west-1',
        recipientAccountId: '111122223333',
        eventID: id,
      })),
    }),
  )
  return { uri: `mem://${name}`, size: body.length, key: { kind: 'other' }, open: () => Promise.resolve(Readable.from([body])) }
}

describe('scan({ seenIds }): the ids earlier runs emitted', () => {
  it('are duplicates before severity and alarms: not emitted, not counted toward an alarm; new ids join the set', async () => {
    const first: Finding[] = []
    const seen = new Set<string>()
    await scan({ objects: [object('a', ['e1'])], rules: [rule], onFinding: (f) => first.push(f), seenIds: seen })
    expect([...seen]).toEqual(first.map((f) => f.id))

    const second: Finding[] = []
    const summary = await scan({
      objects: [object('b', ['e1', 'e2'])],
      rules: [rule],
      alarms: true,
      onFinding: (f) => second.push(f),
      seenIds: seen,
    })
    expect(second.map((f) => f.eventId)).toEqual(['e2'])
    expect(summary.findings.duplicates).toBe(1)
    // Threshold 2 in the period: e1 was counted by the first run's scan, not again here.
    expect(summary.alarms).toEqual([])
    expect(seen.size).toBe(2)
  })
})
