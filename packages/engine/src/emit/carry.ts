import { UsageError } from '../errors.js'
import type { Exposure } from '../match/matcher.js'
import type { Actor } from './finding.js'

/**
 * What the stateful emit stages (alarms, exposure tracking) hand from one scan to the next, or from each shard to
 * the merge: versioned, JSON-serialisable, and bounded (see `newEmitCarry`). A scan given `ScanOptions.carry`
 * reads it at start and rewrites it in place at the end.
 *
 * Every collection in it is keyed by a deterministic id (finding ids, period starts, eventIDs), so carries
 * written by shards that started from the same carry combine by union (`mergeEmitCarries`): an event delivered
 * twice, or a carry seen twice, counts once.
 */
export interface EmitCarry {
  format: typeof EMIT_CARRY_FORMAT
  version: typeof EMIT_CARRY_VERSION
  /**
   * How long, behind the newest event seen, alarm periods and closing calls are kept: events older than that,
   * arriving later, no longer count toward an alarm (the period may have been reported and forgotten).
   */
  horizonDays: number
  /** The newest event time seen (alarm-counted findings, exposures, closing calls); null while empty. */
  newest: string | null
  alarms: CarriedAlarmRule[]
  /** Public exposures delivered as findings: still open, or first seen by the run that wrote the carry. */
  exposures: CarriedExposure[]
  /** Calls that closed a public exposure (made a bucket or object private again), within the horizon. */
  closings: CarriedClosing[]
}

export const EMIT_CARRY_FORMAT = 'trailscan-emit-carry'
export const EMIT_CARRY_VERSION = 1
/** Covers CloudTrail redelivery caught by a 31-day sweep, plus a day of delivery margin. */
export const DEFAULT_HORIZON_DAYS = 32

/** One rule's alarm (its AlarmSpec at the time) and the periods that can still matter. */
export interface CarriedAlarmRule {
  ruleId: string
  title: string
  threshold: number
  periodSeconds: number
  evaluationPeriods: number
  periods: CarriedAlarmPeriod[]
}

export interface CarriedAlarmPeriod {
  /** Aligned to the epoch, as CloudWatch aligns periods. */
  start: string
  count: number
  /**
   * The ids of the findings counted (absent once reported by an earlier run: the period is then frozen, and its
   * count is what it was reported with).
   */
  findingIds?: string[]
  /** `earlier`: reported by a run before the one that wrote the carry; `run`: by that run; null: not yet. */
  reported: 'earlier' | 'run' | null
}

export interface CarriedExposure {
  /** The exposure finding's `id`. */
  findingId: string
  ruleId: string
  eventTime: string
  eventId: string | null
  account: string | null
  actor: Actor
  exposure: Exposure
  /** First delivered by the run that wrote the carry (its finding carries `details.remediated` itself). */
  run: boolean
}

export interface CarriedClosing {
  eventTime: string
  eventId: string | null
  eventName: string
  actor: Actor
  /** In words, e.g. "bucket policy deleted". */
  how: string
  /** The exposure kinds it closes. */
  closes: Exposure['kind'][]
  bucket?: string
  key?: string
  /** For PutAccountPublicAccessBlock: the whole account. */
  account?: string
}

/** A damaged, foreign or newer carry: refused whole, never half-read. */
export class CarryError extends UsageError {
  constructor(message: string) {
    super(`emit carry: ${message}`)
  }
}

export function newEmitCarry(options: { horizonDays?: number } = {}): EmitCarry {
  const horizonDays = options.horizonDays ?? DEFAULT_HORIZON_DAYS
  if (!Number.isInteger(horizonDays) || horizonDays < 1)
    throw new CarryError(`horizonDays must be a whole number of days >= 1, not ${String(horizonDays)}`)
  return { format: EMIT_CARRY_FORMAT, version: EMIT_CARRY_VERSION, horizonDays, newest: null, alarms: [], exposures: [], closings: [] }
}

/**
 * A carry read back from JSON (text or the parsed value), checked field by field: the first fault is a
 * CarryError naming its path (`alarms[0].periods[3].count`). The result holds no reference into the input.
 */
export function parseEmitCarry(input: unknown): EmitCarry {
  let v = input
  if (typeof input === 'string') {
    try {
      v = JSON.parse(input)
    } catch (e) {
      throw new CarryError(`not JSON: ${(e as Error).message}`)
    }
  }
  const c = record(v, '')
  if (c.format !== EMIT_CARRY_FORMAT) throw new CarryError(`not an emit carry (format ${JSON.stringify(c.format) ?? 'missing'})`)
  if (c.version !== EMIT_CARRY_VERSION)
    throw new CarryError(
      `version ${JSON.stringify(c.version) ?? 'missing'} is not supported (this engine reads version ${EMIT_CARRY_VERSION})`,
    )
  const horizonDays = c.horizonDays
  if (typeof horizonDays !== 'number' || !Number.isInteger(horizonDays) || horizonDays < 1)
    throw new CarryError('horizonDays: a whole number of days >= 1 expected')
  return {
    format: EMIT_CARRY_FORMAT,
    version: EMIT_CARRY_VERSION,
    horizonDays,
    newest: c.newest === null ? null : instant(c.newest, 'newest'),
    alarms: list(c.alarms, 'alarms').map((r, i) => alarmRule(r, `alarms[${i}]`)),
    exposures: list(c.exposures, 'exposures').map((e, i) => exposure(e, `exposures[${i}]`)),
    closings: list(c.closings, 'closings').map((e, i) => closing(e, `closings[${i}]`)),
  }
}

const KINDS: ReadonlySet<string> = new Set<Exposure['kind']>(['acl', 'object-acl', 'policy'])

function alarmRule(v: unknown, at: string): CarriedAlarmRule {
  const r = record(v, at)
  const periods = list(r.periods, `${at}.periods`).map((p, i) => alarmPeriod(p, `${at}.periods[${i}]`))
  const seen = new Set<string>()
  for (const p of periods) {
    if (seen.has(p.start)) throw new CarryError(`${at}.periods: period ${p.start} appears twice`)
    seen.add(p.start)
  }
  return {
    ruleId: text(r.ruleId, `${at}.ruleId`),
    title: text(r.title, `${at}.title`),
    threshold: count(r.threshold, `${at}.threshold`),
    periodSeconds: positive(r.periodSeconds, `${at}.periodSeconds`),
    evaluationPeriods: positive(r.evaluationPeriods, `${at}.evaluationPeriods`),
    periods,
  }
}

function alarmPeriod(v: unknown, at: string): CarriedAlarmPeriod {
  const p = record(v, at)
  const reported = p.reported
  if (reported !== 'earlier' && reported !== 'run' && reported !== null)
    throw new CarryError(`${at}.reported: "earlier", "run" or null expected`)
  const out: CarriedAlarmPeriod = { start: instant(p.start, `${at}.start`), count: count(p.count, `${at}.count`), reported }
  if (p.findingIds !== undefined) {
    const ids = list(p.findingIds, `${at}.findingIds`).map((id, i) => text(id, `${at}.findingIds[${i}]`))
    if (new Set(ids).size !== ids.length) throw new CarryError(`${at}.findingIds: an id appears twice`)
    if (ids.length !== out.count) throw new CarryError(`${at}: count ${out.count} but ${ids.length} finding ids`)
    out.findingIds = ids
  } else if (reported !== 'earlier') throw new CarryError(`${at}.findingIds: required unless reported earlier`)
  return out
}

function exposure(v: unknown, at: string): CarriedExposure {
  const e = record(v, at)
  if (typeof e.run !== 'boolean') throw new CarryError(`${at}.run: a boolean expected`)
  return {
    findingId: text(e.findingId, `${at}.findingId`),
    ruleId: text(e.ruleId, `${at}.ruleId`),
    eventTime: instant(e.eventTime, `${at}.eventTime`),
    eventId: nullableText(e.eventId, `${at}.eventId`),
    account: nullableText(e.account, `${at}.account`),
    actor: actor(e.actor, `${at}.actor`),
    exposure: exposed(e.exposure, `${at}.exposure`),
    run: e.run,
  }
}

function exposed(v: unknown, at: string): Exposure {
  const x = record(v, at)
  if (typeof x.kind !== 'string' || !KINDS.has(x.kind)) throw new CarryError(`${at}.kind: "acl", "object-acl" or "policy" expected`)
  const out: Exposure = { kind: x.kind as Exposure['kind'], bucket: text(x.bucket, `${at}.bucket`) }
  if (x.key !== undefined) out.key = text(x.key, `${at}.key`)
  return out
}

function closing(v: unknown, at: string): CarriedClosing {
  const c = record(v, at)
  const closes = list(c.closes, `${at}.closes`).map((k, i) => {
    if (typeof k !== 'string' || !KINDS.has(k)) throw new CarryError(`${at}.closes[${i}]: "acl", "object-acl" or "policy" expected`)
    return k as Exposure['kind']
  })
  if (closes.length === 0) throw new CarryError(`${at}.closes: at least one exposure kind expected`)
  const out: CarriedClosing = {
    eventTime: instant(c.eventTime, `${at}.eventTime`),
    eventId: nullableText(c.eventId, `${at}.eventId`),
    eventName: text(c.eventName, `${at}.eventName`),
    actor: actor(c.actor, `${at}.actor`),
    how: text(c.how, `${at}.how`),
    closes,
  }
  for (const k of ['bucket', 'key', 'account'] as const) if (c[k] !== undefined) out[k] = text(c[k], `${at}.${k}`)
  return out
}

function actor(v: unknown, at: string): Actor {
  const a = record(v, at)
  return {
    arn: nullableText(a.arn, `${at}.arn`),
    type: nullableText(a.type, `${at}.type`),
    userName: nullableText(a.userName, `${at}.userName`),
    accessKeyId: nullableText(a.accessKeyId, `${at}.accessKeyId`),
    accountId: nullableText(a.accountId, `${at}.accountId`),
    sessionIssuer: nullableText(a.sessionIssuer, `${at}.sessionIssuer`),
  }
}

function record(v: unknown, at: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CarryError(`${at || 'the carry'}: an object expected`)
  return v as Record<string, unknown>
}

function list(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new CarryError(`${at}: an array expected`)
  return v
}

function text(v: unknown, at: string): string {
  if (typeof v !== 'string' || v === '') throw new CarryError(`${at}: a non-empty string expected`)
  return v
}

function nullableText(v: unknown, at: string): string | null {
  return v === null ? null : text(v, at)
}

function count(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new CarryError(`${at}: a whole number >= 0 expected`)
  return v
}

function positive(v: unknown, at: string): number {
  if (count(v, at) === 0) throw new CarryError(`${at}: a whole number >= 1 expected`)
  return v as number
}

/** Kept as written (an eventTime as CloudTrail wrote it travels on into remediation records unchanged). */
function instant(v: unknown, at: string): string {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
    throw new CarryError(`${at}: an ISO 8601 time expected, not ${JSON.stringify(v) ?? 'nothing'}`)
  return v
}
