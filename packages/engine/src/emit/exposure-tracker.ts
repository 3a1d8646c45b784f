import { actorOf, type Actor, type Finding } from './finding.js'
import type { CarriedClosing } from './carry.js'
import { obj, str, type CloudTrailRecord } from '../record.js'
import type { Exposure } from '../match/matcher.js'
import { bodyGrants, disabledBpaSettings, headerGrants, parsePolicy, publicStatements } from '../match/typed/index.js'

/**
 * Remembers the calls that close a public exposure again, so that a "bucket made public" finding can say when and
 * by whom it was made private. Objects arrive in no time order (CloudTrail files are not ordered either), so
 * closings are collected during the scan (and carried from earlier runs, emit/carry.ts) and matched to exposures
 * by event time at the end.
 */
export interface Remediation {
  eventTime: string
  eventId: string | null
  eventName: string
  by: string | null
  how: string
}

/**
 * A public exposure found by an earlier run (its finding went out then, `details.remediated: null`) that this run
 * saw closed: which finding, and when, how and by whom it was closed.
 */
export interface RemediationRecord {
  kind: 'remediation'
  /** Deterministic: one exposure finding is remediated once. */
  id: string
  /** The exposure finding's `id`. */
  findingId: string
  ruleId: string
  account: string | null
  bucket: string
  key?: string
  /** When the exposure happened (the finding's eventTime). */
  exposedAt: string
  /** The closing call. */
  eventTime: string
  eventId: string | null
  eventName: string
  actor: Actor
  how: string
}

/** A closing call, with its time in ms for the comparisons. */
type Closing = CarriedClosing & { ms: number }

const ALL: ReadonlySet<Exposure['kind']> = new Set(['acl', 'object-acl', 'policy'])
const ACLS: ReadonlySet<Exposure['kind']> = new Set(['acl', 'object-acl'])

/** Event names whose records may close an exposure: select lets these through even when no rule asks. */
export const CLOSING_EVENTS: ReadonlySet<string> = new Set([
  'PutBucketAcl',
  'PutObjectAcl',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'DeleteBucket',
  'DeleteObject',
  'PutBucketPublicAccessBlock',
  'PutAccountPublicAccessBlock',
])

function closesByAccessBlock(config: unknown): Set<Exposure['kind']> {
  const off = new Set(disabledBpaSettings(config))
  const kinds = new Set<Exposure['kind']>()
  if (!off.has('IgnorePublicAcls')) ACLS.forEach((k) => kinds.add(k))
  if (!off.has('RestrictPublicBuckets')) kinds.add('policy')
  return kinds
}

function closingKinds(r: CloudTrailRecord): ReadonlySet<Exposure['kind']> | undefined {
  const rp = r.requestParameters
  switch (r.eventName) {
    case 'PutBucketAcl':
      return bodyGrants(rp).length === 0 && headerGrants(rp).length === 0 ? new Set(['acl']) : undefined
    case 'PutObjectAcl':
      return bodyGrants(rp).length === 0 && headerGrants(rp).length === 0 ? new Set(['object-acl']) : undefined
    case 'PutBucketPolicy': {
      const p = parsePolicy(obj(rp)?.bucketPolicy)
      return p && publicStatements(p).length === 0 ? new Set(['policy']) : undefined
    }
    case 'DeleteBucketPolicy':
      return new Set(['policy'])
    case 'DeleteBucket':
      return ALL
    case 'DeleteObject':
      return new Set(['object-acl'])
    case 'PutBucketPublicAccessBlock':
    case 'PutAccountPublicAccessBlock': {
      const kinds = closesByAccessBlock(obj(rp)?.PublicAccessBlockConfiguration)
      return kinds.size > 0 ? kinds : undefined
    }
    default:
      return undefined
  }
}

/**
 * The closing a record makes, when its eventName is one of ExposureTracker.events and it closed something: plain
 * data, so the object scanner (a worker thread, with --workers) makes it and the scan hands it to the tracker on
 * the main thread (`add`), in listing order.
 */
export function closingFrom(r: CloudTrailRecord): CarriedClosing | undefined {
  if (r.errorCode !== undefined && r.errorCode !== null) return undefined
  const closes = closingKinds(r)
  if (!closes) return undefined
  const eventTime = str(r.eventTime)
  if (eventTime === undefined || Number.isNaN(Date.parse(eventTime))) return undefined
  const rp = obj(r.requestParameters)
  const c: CarriedClosing = {
    eventTime,
    eventId: str(r.eventID) ?? null,
    eventName: str(r.eventName)!,
    actor: actorOf(r),
    how: describe(str(r.eventName)!),
    closes: [...closes],
  }
  const bucket = str(rp?.bucketName)
  const key = str(rp?.key)
  const account = str(r.recipientAccountId)
  if (r.eventName === 'PutAccountPublicAccessBlock') {
    if (account) c.account = account
  } else if (bucket) c.bucket = bucket
  if (key) c.key = key
  return c
}

export class ExposureTracker {
  /** The records it must see (RecordWatch): select never skips them. */
  readonly events: ReadonlySet<string> = CLOSING_EVENTS
  private readonly closings: Closing[] = []
  private readonly keys = new Set<string>()
  /** Built on the first question after the last closing came in (they all come in before the scan's end). */
  private index: ClosingIndex<Closing> | undefined

  /** `carried`: the closing calls earlier runs saw (an exposure delivered late may have been closed by one). */
  constructor(carried: readonly CarriedClosing[] = []) {
    for (const c of carried) this.keep(c)
  }

  /** Looks at a record whose eventName is one of `events`; keeps it if it closed something. */
  observe(r: CloudTrailRecord): void {
    const c = closingFrom(r)
    if (c) this.keep(c)
  }

  /** Keeps a closing made by `closingFrom` (in an object scanner, on any thread). */
  add(c: CarriedClosing): void {
    this.keep(c)
  }

  /** The earliest call after the finding that closed its exposure, or null. */
  remediationOf(f: Pick<Finding, 'eventTime' | 'account'>, exposure: Exposure): Remediation | null {
    this.index ??= new ClosingIndex(this.closings)
    const c = this.index.of(exposure, f.account, f.eventTime ?? '')
    return c ? remediation(c) : null
  }

  /** Every closing call seen or carried, in time order: what the carry keeps. */
  seen(): CarriedClosing[] {
    return this.closings.map(({ ms: _ms, ...c }) => c).sort(byClosingOrder)
  }

  /** The same event delivered twice (in two objects, or carried and seen again) is one closing. */
  private keep(c: CarriedClosing): void {
    const key = c.eventId !== null ? `id\u0000${c.eventId}` : `at\u0000${JSON.stringify(c)}`
    if (this.keys.has(key)) return
    this.keys.add(key)
    this.index = undefined
    this.closings.push({ ...c, closes: [...c.closes], ms: Date.parse(c.eventTime) })
  }
}

/**
 * The closing calls, indexed to answer which one made an exposure private again: the earliest one after it on the
 * same bucket, object or account; equal times are ordered by eventID, so every run and every merge of shards
 * names the same one. Built once per set of closings: a scan of 10 GB holds thousands of exposures and tens of
 * thousands of closings, and a scan of every closing per exposure took minutes at the end of the scan.
 */
export class ClosingIndex<C extends CarriedClosing> {
  /** Per account (PutAccountPublicAccessBlock) and per bucket, each in (time, byClosingOrder) order. */
  private readonly byAccount = new Map<string, Timed<C>[]>()
  private readonly byBucket = new Map<string | undefined, Timed<C>[]>()

  constructor(closings: readonly (C & { ms?: number })[]) {
    for (const c of closings) {
      const ms = c.ms ?? Date.parse(c.eventTime)
      // A time that cannot be read is never after an exposure: such a closing closes nothing.
      if (Number.isNaN(ms)) continue
      const groups = c.account !== undefined ? this.byAccount : this.byBucket
      const target = c.account !== undefined ? c.account : c.bucket
      let group = groups.get(target)
      if (!group) groups.set(target, (group = []))
      group.push({ c, ms })
    }
    // Stable: closings equal in the order keep the order they were given in, the first of them wins.
    const order = (a: Timed<C>, b: Timed<C>): number => a.ms - b.ms || byClosingOrder(a.c, b.c)
    for (const g of this.byAccount.values()) g.sort(order)
    for (const g of this.byBucket.values()) g.sort(order)
  }

  /** The closing of `exposure`, found at `eventTime` in `account`, or undefined. */
  of(exposure: Exposure, account: string | null, eventTime: string): C | undefined {
    const t = Date.parse(eventTime)
    if (Number.isNaN(t)) return undefined
    const onAccount = account === null ? undefined : firstAfter(this.byAccount.get(account), t, (c) => c.closes.includes(exposure.kind))
    const onBucket = firstAfter(
      this.byBucket.get(exposure.bucket),
      t,
      (c) => c.closes.includes(exposure.kind) && (exposure.kind !== 'object-acl' || c.key === undefined || c.key === exposure.key),
    )
    if (!onAccount || !onBucket) return (onAccount ?? onBucket)?.c
    return (onAccount.ms - onBucket.ms || byClosingOrder(onAccount.c, onBucket.c)) <= 0 ? onAccount.c : onBucket.c
  }
}

interface Timed<C> {
  c: C
  ms: number
}

/** The first entry of a sorted group later than `t` that `fits`. */
function firstAfter<C>(group: readonly Timed<C>[] | undefined, t: number, fits: (c: C) => boolean): Timed<C> | undefined {
  if (!group) return undefined
  let lo = 0
  let hi = group.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (group[mid]!.ms > t) hi = mid
    else lo = mid + 1
  }
  for (let i = lo; i < group.length; i++) if (fits(group[i]!.c)) return group[i]
  return undefined
}

/** What an exposure finding's `details.remediated` says about its closing call. */
export function remediation(c: CarriedClosing): Remediation {
  return { eventTime: c.eventTime, eventId: c.eventId, eventName: c.eventName, by: c.actor.arn, how: c.how }
}

/** Time, then eventID, then the rest: a total order, so carries and merges list closings the same way. */
export function byClosingOrder(a: CarriedClosing, b: CarriedClosing): number {
  const d = Date.parse(a.eventTime) - Date.parse(b.eventTime)
  if (d !== 0) return d
  const ka = `${a.eventId ?? ''}\u0000${JSON.stringify(a)}`
  const kb = `${b.eventId ?? ''}\u0000${JSON.stringify(b)}`
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

function describe(eventName: string): string {
  switch (eventName) {
    case 'PutBucketAcl':
    case 'PutObjectAcl':
      return 'ACL replaced with one that grants no public group'
    case 'PutBucketPolicy':
      return 'policy replaced with one that is not public'
    case 'DeleteBucketPolicy':
      return 'bucket policy deleted'
    case 'DeleteBucket':
      return 'bucket deleted'
    case 'DeleteObject':
      return 'object deleted'
    default:
      return 'Block Public Access turned on'
  }
}
