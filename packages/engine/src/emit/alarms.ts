import type { Finding } from './finding.js'
import type { AlarmSpec } from '../rules/spec.js'

/**
 * CloudWatch's view of a metric-filter alarm, replayed over event time: each matching event adds 1 to the
 * metric, periods are aligned to the epoch (as CloudWatch aligns them), and a period fires when it and the
 * evaluationPeriods-1 periods before it each reach the threshold. Periods with no data are missing, not zero,
 * which is CloudWatch's default (treat missing data as missing): they never breach.
 */
export interface AlarmPeriod {
  kind: 'alarm'
  ruleId: string
  title: string
  periodStart: string
  periodEnd: string
  count: number
  threshold: number
}

export class AlarmEvaluator {
  private readonly counts = new Map<string, Map<number, number>>()
  private readonly titles = new Map<string, string>()
  private readonly specs = new Map<string, AlarmSpec>()

  constructor(rules: Iterable<{ id: string; title: string; alarm?: AlarmSpec | undefined }>) {
    for (const r of rules) {
      if (!r.alarm) continue
      this.specs.set(r.id, r.alarm)
      this.titles.set(r.id, r.title)
      this.counts.set(r.id, new Map())
    }
  }

  add(f: Finding): void {
    const spec = this.specs.get(f.ruleId)
    if (!spec || f.eventTime === null) return
    const ms = Date.parse(f.eventTime)
    if (Number.isNaN(ms)) return
    const period = spec.periodSeconds * 1000
    const start = Math.floor(ms / period) * period
    const byPeriod = this.counts.get(f.ruleId)!
    byPeriod.set(start, (byPeriod.get(start) ?? 0) + 1)
  }

  /** Every period in which an alarm would have been in ALARM, ordered by time then rule. */
  periods(): AlarmPeriod[] {
    const out: AlarmPeriod[] = []
    for (const [ruleId, byPeriod] of this.counts) {
      const spec = this.specs.get(ruleId)!
      const period = spec.periodSeconds * 1000
      for (const [start, count] of byPeriod) {
        let breaching = true
        for (let k = 0; k < spec.evaluationPeriods && breaching; k++) breaching = (byPeriod.get(start - k * period) ?? 0) >= spec.threshold
        if (!breaching) continue
        out.push({
          kind: 'alarm',
          ruleId,
          title: this.titles.get(ruleId)!,
          periodStart: new Date(start).toISOString(),
          periodEnd: new Date(start + period).toISOString(),
          count,
          threshold: spec.threshold,
        })
      }
    }
    return out.sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : a.ruleId < b.ruleId ? -1 : 1))
  }
}
