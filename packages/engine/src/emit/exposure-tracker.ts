import type { Finding } from './finding.js'
import { obj, str, type CloudTrailRecord } from '../record.js'
import type { Exposure } from '../match/matcher.js'
import { bodyGrants, disabledBpaSettings, headerGrants, parsePolicy, publicStatements } from '../match/typed/index.js'

/**
 * Remembers, within one scan, the calls that close a public exposure again, so that a "bucket made public"
 * finding can say when and by whom it was made private. Objects arrive in no time order (CloudTrail files are not
 * ordered either), so closings are collected during the scan and matched to exposures by event time at the end.
 */
export interface Remediation {
  eventTime: string
  eventId: string | null
  eventName: string
  by: string | null
  how: string
}

/**
 * One call that closed an exposure again, as plain data: the object scanner (a worker thread, with --workers)
 * makes it from the record, and the scan adds it to the tracker in listing order on the main thread.
 */
export interface Closing extends Remediation {
  ms: number
  /** Which exposure kinds this call closes. */
  closes: ReadonlySet<Exposure['kind']>
  bucket?: string
  key?: string
  account?: string
}

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

/** The closing a record makes, when its eventName is one of ExposureTracker.events and it closed something. */
export function closingOf(r: CloudTrailRecord): Closing | undefined {
  if (r.errorCode !== undefined && r.errorCode !== null) return undefined
  const closes = closingKinds(r)
  if (!closes) return undefined
  const ms = Date.parse(str(r.eventTime) ?? '')
  if (Number.isNaN(ms)) return undefined
  const rp = obj(r.requestParameters)
  const c: Closing = {
    ms,
    closes,
    eventTime: str(r.eventTime)!,
    eventId: str(r.eventID) ?? null,
    eventName: str(r.eventName)!,
    by: str(obj(r.userIdentity)?.arn) ?? null,
    how: describe(str(r.eventName)!),
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

  /** Looks at a record whose eventName is one of `events`; keeps it if it closed something. */
  observe(r: CloudTrailRecord): void {
    const c = closingOf(r)
    if (c) this.add(c)
  }

  /**
   * Keeps a closing made by `closingOf`. Among closings at the same millisecond the first added wins, so the scan
   * adds them in listing order, whichever thread read them.
   */
  add(c: Closing): void {
    this.closings.push(c)
  }

  /** The earliest call after the finding that closed its exposure, or null. */
  remediationOf(f: Finding, exposure: Exposure): Remediation | null {
    const t = Date.parse(f.eventTime ?? '')
    let best: Closing | undefined
    for (const c of this.closings) {
      if (!(c.ms > t) || !c.closes.has(exposure.kind)) continue
      const sameTarget =
        c.account !== undefined
          ? c.account === f.account
          : c.bucket === exposure.bucket && (exposure.kind !== 'object-acl' || c.key === undefined || c.key === exposure.key)
      if (sameTarget && (!best || c.ms < best.ms)) best = c
    }
    if (!best) return null
    const { ms: _ms, closes: _c, bucket: _b, key: _k, account: _a, ...rem } = best
    return rem
  }
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
