import { parseEmitCarry, type CarriedClosing, type CarriedExposure, type EmitCarry } from './carry.js'
import type { AlarmEvaluator } from './alarms.js'
import { ClosingIndex, type RemediationRecord } from './exposure-tracker.js'
import { derivedId } from './finding-id.js'

const DAY_MS = 86_400_000
/**
 * How far past the clock an event time may move the carry's `newest`: a forged record dated in the future must
 * not push the horizon forward and close every period real events still fall in.
 */
const FUTURE_SLACK_MS = DAY_MS

/**
 * How long DeleteObject calls are carried, behind the newest event. A trail with S3 data events logs one per
 * object deleted (millions a day), and each only matters to an object-ACL exposure of that very key delivered
 * after its deletion: a late delivery, minutes in practice.
 */
const DELETE_OBJECT_DAYS = 2

/** Events at or before this time are behind the carry's horizon (-Infinity for an empty carry). */
export function floorOf(c: EmitCarry): number {
  return c.newest === null ? -Infinity : Date.parse(c.newest) - c.horizonDays * DAY_MS
}

/**
 * The carry as the next run starts from it (a new object; `carry` is not changed): periods the last run reported
 * are now reported "earlier" and frozen (their finding ids dropped); exposures a carried call closed are done
 * (their remediation was reported); periods whose evaluation window ends behind the horizon, and closing calls
 * behind it (DeleteObject calls: more than DELETE_OBJECT_DAYS behind the newest event), are dropped. Open exposures stay until closed, however old.
 */
export function startFrom(given: EmitCarry): EmitCarry {
  // Checked whole first: an embedder's hand-made or damaged carry fails here, before anything is read.
  const carry = parseEmitCarry(given)
  const floor = floorOf(carry)
  const deleteFloor = carry.newest === null ? -Infinity : Math.max(floor, Date.parse(carry.newest) - DELETE_OBJECT_DAYS * DAY_MS)
  const closed = new ClosingIndex(carry.closings)
  return {
    ...carry,
    alarms: carry.alarms.map((r) => ({
      ...r,
      periods: r.periods
        .filter((p) => Date.parse(p.start) + r.evaluationPeriods * r.periodSeconds * 1000 > floor)
        .map((p) =>
          p.reported === null
            ? { ...p, findingIds: [...(p.findingIds ?? [])] }
            : { start: p.start, count: p.count, reported: 'earlier' as const },
        ),
    })),
    exposures: carry.exposures.filter((e) => !closed.of(e.exposure, e.account, e.eventTime)).map((e) => ({ ...e, run: false })),
    closings: carry.closings
      .filter((c) => Date.parse(c.eventTime) > (c.eventName === 'DeleteObject' ? deleteFloor : floor))
      .map((c) => ({ ...c, closes: [...c.closes] })),
  }
}

/**
 * The carry a run leaves (`base`: what it started from, `startFrom`) and its remediation records: exposures of
 * earlier runs that a closing call of this run (or one carried) closed. Everything the run added stays in the
 * carry beside `base`, even behind the horizon, so that shards' carries merge (carry-merge.ts); the next run's
 * `startFrom` drops it.
 */
export function endRun(
  base: EmitCarry,
  run: { alarms: AlarmEvaluator | undefined; exposures: readonly CarriedExposure[]; closings: CarriedClosing[] },
): { carry: EmitCarry; remediations: RemediationRecord[] } {
  const times = [...run.exposures.map((e) => e.eventTime), ...run.closings.map((c) => c.eventTime)]
  if (run.alarms?.latest) times.push(run.alarms.latest)
  const carry: EmitCarry = {
    ...base,
    newest: newestOf(base.newest, times),
    alarms: run.alarms ? run.alarms.carried() : base.alarms,
    exposures: unionExposures(base.exposures, run.exposures),
    closings: run.closings,
  }
  return { carry, remediations: remediationRecords(base.exposures, run.closings) }
}

/**
 * The remediation records for exposures found by earlier runs (`run: false`) that one of `closings` closed,
 * oldest exposure first.
 */
export function remediationRecords(exposures: readonly CarriedExposure[], closings: readonly CarriedClosing[]): RemediationRecord[] {
  const out: RemediationRecord[] = []
  const closed = new ClosingIndex(closings)
  for (const e of [...exposures].sort(byExposureOrder)) {
    if (e.run) continue
    const c = closed.of(e.exposure, e.account, e.eventTime)
    if (!c) continue
    out.push({
      kind: 'remediation',
      id: derivedId('remediation', [e.findingId]),
      findingId: e.findingId,
      ruleId: e.ruleId,
      account: e.account,
      bucket: e.exposure.bucket,
      ...(e.exposure.key !== undefined ? { key: e.exposure.key } : {}),
      exposedAt: e.eventTime,
      eventTime: c.eventTime,
      eventId: c.eventId,
      eventName: c.eventName,
      actor: { ...c.actor },
      how: c.how,
    })
  }
  return out
}

/** Exposures of `earlier` and then those of `run` it does not hold yet (a finding delivered again), in time order. */
export function unionExposures(earlier: readonly CarriedExposure[], run: readonly CarriedExposure[]): CarriedExposure[] {
  const byId = new Map(earlier.map((e) => [e.findingId, e]))
  for (const e of run) if (!byId.has(e.findingId)) byId.set(e.findingId, e)
  return [...byId.values()].sort(byExposureOrder)
}

/** The newest of the carried time and the given event times, never further than a day past the clock. */
export function newestOf(carried: string | null, times: Iterable<string>): string | null {
  let ms = carried === null ? -Infinity : Date.parse(carried)
  let text = carried
  const limit = Date.now() + FUTURE_SLACK_MS
  for (const t of times) {
    const m = Math.min(Date.parse(t), limit)
    if (m > ms) {
      ms = m
      text = m === limit ? new Date(m).toISOString() : t
    }
  }
  return text
}

function byExposureOrder(a: CarriedExposure, b: CarriedExposure): number {
  const d = Date.parse(a.eventTime) - Date.parse(b.eventTime)
  return d !== 0 ? d : a.findingId < b.findingId ? -1 : a.findingId > b.findingId ? 1 : 0
}
