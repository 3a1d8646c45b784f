import type { CarriedAlarmPeriod, CarriedAlarmRule } from './carry.js'
import { derivedId } from './finding-id.js'
import type { Finding } from './finding.js'
import type { AlarmSpec } from '../rules/spec.js'

/**
 * CloudWatch's view of a metric-filter alarm, replayed over event time: each matching event adds 1 to the
 * metric, periods are aligned to the epoch (as CloudWatch aligns them), and a period fires when it and the
 * evaluationPeriods-1 periods before it each reach the threshold. Periods with no data are missing, not zero,
 * which is CloudWatch's default (treat missing data as missing): they never breach.
 *
 * Across runs (emit/carry.ts) a period is reported once: by the run in which it first breaches, with every
 * event counted so far, earlier runs' included. Events that reach a period after it was reported still count
 * toward the periods after it, but never report it again (CloudWatch, too, fires once when the alarm enters
 * ALARM).
 */
export interface AlarmPeriod {
  kind: 'alarm'
  /** Deterministic: the rule and the period's start. */
  id: string
  ruleId: string
  title: string
  periodStart: string
  periodEnd: string
  count: number
  threshold: number
}

type AlarmRule = Omit<CarriedAlarmRule, 'periods'>

interface PeriodState {
  count: number
  /** The findings counted: a finding seen again (another run, another shard) counts once. Null once frozen. */
  ids: Set<string> | null
  reported: CarriedAlarmPeriod['reported']
}

export class AlarmEvaluator {
  private readonly rules = new Map<string, { rule: AlarmRule; periods: Map<number, PeriodState> }>()
  /** The newest eventTime counted: it moves the carry's horizon. */
  latest: string | null = null
  private latestMs = -Infinity
  /** Carried rules this scan has no alarm for: handed back untouched. */
  private readonly idle: CarriedAlarmRule[] = []

  /**
   * `carried`: the periods earlier runs counted (a carried rule whose period length changed is dropped: its
   * periods no longer align). `floorMs`: periods that end, with their evaluation window, at or before it are
   * closed (emit/carry.ts), and events in them are not counted.
   */
  constructor(
    rules: Iterable<{ id: string; title: string; alarm?: AlarmSpec | undefined }>,
    carried: readonly CarriedAlarmRule[] = [],
    private readonly floorMs = -Infinity,
  ) {
    for (const r of rules) {
      if (!r.alarm) continue
      const { threshold, periodSeconds, evaluationPeriods } = r.alarm
      this.rules.set(r.id, { rule: { ruleId: r.id, title: r.title, threshold, periodSeconds, evaluationPeriods }, periods: new Map() })
    }
    for (const c of carried) {
      const state = this.rules.get(c.ruleId)
      if (!state) this.idle.push(c)
      else if (state.rule.periodSeconds === c.periodSeconds)
        for (const p of c.periods) state.periods.set(Date.parse(p.start), periodState(p))
    }
  }

  add(f: Finding): void {
    const state = this.rules.get(f.ruleId)
    if (!state || f.eventTime === null) return
    const ms = Date.parse(f.eventTime)
    if (Number.isNaN(ms)) return
    const { periodSeconds, evaluationPeriods } = state.rule
    const period = periodSeconds * 1000
    const start = Math.floor(ms / period) * period
    if (start + evaluationPeriods * period <= this.floorMs) return
    if (ms > this.latestMs) {
      this.latestMs = ms
      this.latest = f.eventTime
    }
    const p = state.periods.get(start)
    if (!p) state.periods.set(start, { count: 1, ids: new Set([f.id]), reported: null })
    else if (p.ids && !p.ids.has(f.id)) {
      p.ids.add(f.id)
      p.count++
    }
  }

  /**
   * Every period in which an alarm would have been in ALARM and that no earlier run reported, ordered by time
   * then rule; each is marked reported by this run. Called once, at the end.
   */
  settle(): AlarmPeriod[] {
    const out: AlarmPeriod[] = []
    for (const { rule, periods } of this.rules.values()) {
      const period = rule.periodSeconds * 1000
      for (const [start, p] of periods) {
        if (p.reported === 'earlier') continue
        let breaching = true
        for (let k = 0; k < rule.evaluationPeriods && breaching; k++)
          breaching = (periods.get(start - k * period)?.count ?? 0) >= rule.threshold
        if (!breaching) continue
        p.reported = 'run'
        const periodStart = new Date(start).toISOString()
        out.push({
          kind: 'alarm',
          id: derivedId('alarm', [rule.ruleId, periodStart]),
          ruleId: rule.ruleId,
          title: rule.title,
          periodStart,
          periodEnd: new Date(start + period).toISOString(),
          count: p.count,
          threshold: rule.threshold,
        })
      }
    }
    return out.sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : a.ruleId < b.ruleId ? -1 : 1))
  }

  /** The periods as the carry keeps them: every rule by id, periods by start, ids sorted. */
  carried(): CarriedAlarmRule[] {
    const out = [...this.idle]
    for (const { rule, periods } of this.rules.values()) {
      if (periods.size === 0) continue
      out.push({
        ...rule,
        periods: [...periods]
          .sort(([a], [b]) => a - b)
          .map(([start, p]) => ({
            start: new Date(start).toISOString(),
            count: p.count,
            ...(p.ids ? { findingIds: [...p.ids].sort() } : {}),
            reported: p.reported,
          })),
      })
    }
    return out.sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0))
  }
}

function periodState(p: CarriedAlarmPeriod): PeriodState {
  return { count: p.count, ids: p.findingIds ? new Set(p.findingIds) : null, reported: p.reported }
}
