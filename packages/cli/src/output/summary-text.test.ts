import { describe, expect, it } from 'vitest'
import { emptySummary } from '../../../engine/src/emit/summary.js'
import { summaryText } from './summary-text.js'

describe('summaryText', () => {
  it('puts every rule count in one column, however long the rule ids', () => {
    const s = emptySummary(new Date('2026-12-03T00:00:00Z'))
    s.findings.byRule = { 'cis-4.1': 3, 'atd-iam-access-key-for-other-user': 32, 's3-hardening-cloudtrail-logging-weakened': 1 }
    const lines = summaryText(s).split('\n')
    const counts = Object.entries(s.findings.byRule).map(([id, n]) => {
      const line = lines.find((l) => l.trimStart().startsWith(`${id} `))!
      return { col: line.lastIndexOf(` ${n}`), ends: line.endsWith(` ${n}`) }
    })
    expect(counts.every((c) => c.ends)).toBe(true)
    expect(new Set(counts.map((c) => c.col)).size).toBe(1)
  })

  it('does not let one very long rule id widen the column for the others', () => {
    const s = emptySummary(new Date('2026-12-03T00:00:00Z'))
    s.findings.byRule = { ['x'.repeat(200)]: 1, 'cis-4.1': 2 }
    const short = summaryText(s)
      .split('\n')
      .find((l) => l.includes('cis-4.1'))!
    expect(short.length).toBeLessThanOrEqual(4 + 64 + 1 + 1)
  })
})
