import { AlarmEvaluator, type AlarmPeriod } from './alarms.js'
import { CarryError, parseEmitCarry, type CarriedAlarmPeriod, type CarriedAlarmRule, type EmitCarry } from './carry.js'
import { newestOf, remediationRecords, unionExposures } from './carry-settle.js'
import { ClosingIndex, ExposureTracker, remediation, type Remediation, type RemediationRecord } from './exposure-tracker.js'

/** What a single run over the objects of every shard would have given, from the shards' carries alone. */
export interface CarryMerge {
  /** The carry that single run would have left: the next run (or the state) starts from it. */
  carry: EmitCarry
  /** The alarm periods it would have reported (`ScanSummary.alarms`). */
  alarms: AlarmPeriod[]
  /** Its remediation records: exposures found by earlier runs that some shard saw closed (`ScanSummary.remediations`). */
  remediations: RemediationRecord[]
  /**
   * For each exposure finding the shards delivered (by finding id): `details.remediated` as that single run gives
   * it. A shard only saw its own closing calls, so its findings may say null, or name a later call, where the
   * merged run names an earlier one.
   */
  remediated: Map<string, Remediation | null>
}

/**
 * Combines the carries written by N shards that each scanned a disjoint set of objects, starting from the same
 * carry (or each from a new one). Pure: the inputs are not changed.
 *
 * Why a union is enough: a carry keeps what its run added by deterministic keys (finding ids in each alarm
 * period, exposure finding ids, closing eventIDs), next to what it started from, which every shard holds alike.
 * Alarm periods are then evaluated again and exposures matched again to every shard's closing calls: what each
 * shard reported alone is discarded.
 */
export function mergeEmitCarries(shards: readonly EmitCarry[]): CarryMerge {
  if (shards.length === 0) throw new CarryError('no shard carries to merge')
  const carries = shards.map((s, i) => {
    try {
      return parseEmitCarry(s)
    } catch (e) {
      throw new CarryError(`shard ${i}: ${(e as Error).message.replace(/^emit carry: /, '')}`)
    }
  })
  const horizonDays = carries[0]!.horizonDays
  carries.forEach((c, i) => {
    if (c.horizonDays !== horizonDays)
      throw new CarryError(`shard ${i} keeps ${c.horizonDays} days, shard 0 ${horizonDays}: not from the same carry`)
  })

  const rules = mergeAlarmRules(carries)
  const evaluator = new AlarmEvaluator(
    rules.map((r) => ({
      id: r.ruleId,
      title: r.title,
      alarm: { statistic: 'Sum' as const, threshold: r.threshold, periodSeconds: r.periodSeconds, evaluationPeriods: r.evaluationPeriods },
    })),
    rules,
  )
  const alarms = evaluator.settle()

  const closings = new ExposureTracker(carries.flatMap((c) => c.closings)).seen()
  const all = carries.flatMap((c) => c.exposures)
  const exposures = unionExposures(
    all.filter((e) => !e.run),
    all.filter((e) => e.run),
  )
  const remediated = new Map<string, Remediation | null>()
  const closed = new ClosingIndex(closings)
  for (const e of exposures) {
    if (!e.run) continue
    const c = closed.of(e.exposure, e.account, e.eventTime)
    remediated.set(e.findingId, c ? remediation(c) : null)
  }

  const carry: EmitCarry = {
    ...carries[0]!,
    newest: newestOf(
      null,
      carries.flatMap((c) => (c.newest === null ? [] : [c.newest])),
    ),
    alarms: evaluator.carried(),
    exposures,
    closings,
  }
  return { carry, alarms, remediations: remediationRecords(exposures, closings), remediated }
}

/** Each rule once (its spec the same in every shard); each period once: frozen ones as carried, the rest by the union of their finding ids. */
function mergeAlarmRules(carries: readonly EmitCarry[]): CarriedAlarmRule[] {
  const rules = new Map<string, { rule: CarriedAlarmRule; periods: Map<string, CarriedAlarmPeriod> }>()
  carries.forEach((c, i) => {
    for (const r of c.alarms) {
      let m = rules.get(r.ruleId)
      if (!m) rules.set(r.ruleId, (m = { rule: { ...r, periods: [] }, periods: new Map() }))
      else if (
        m.rule.periodSeconds !== r.periodSeconds ||
        m.rule.threshold !== r.threshold ||
        m.rule.evaluationPeriods !== r.evaluationPeriods
      )
        throw new CarryError(
          `shard ${i}: rule ${r.ruleId} has another alarm (threshold, period or evaluation periods) than an earlier shard`,
        )
      for (const p of r.periods) {
        const had = m.periods.get(p.start)
        if (!had) {
          m.periods.set(
            p.start,
            p.reported === 'earlier' ? { ...p } : { start: p.start, count: 0, findingIds: [...p.findingIds!], reported: null },
          )
          continue
        }
        if ((had.reported === 'earlier') !== (p.reported === 'earlier') || (had.reported === 'earlier' && had.count !== p.count))
          throw new CarryError(
            `shard ${i}: rule ${r.ruleId}, period ${p.start}: reported by an earlier run in one shard but not alike in another: not from the same carry`,
          )
        if (had.findingIds) had.findingIds = [...new Set([...had.findingIds, ...p.findingIds!])]
      }
    }
  })
  return [...rules.values()].map(({ rule, periods }) => ({
    ...rule,
    periods: [...periods.values()].map((p) => (p.findingIds ? { ...p, count: p.findingIds.length } : p)),
  }))
}
