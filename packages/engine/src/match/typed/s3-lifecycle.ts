import type { CloudTrailRecord } from '../../record.js'
import { asList, field, str } from './values.js'

/**
 * The shortest expiry, in days, that does not destroy audit evidence before it is reviewed. CloudTrail delivers a
 * file about every 5 minutes; a scheduled scan or a responder reads them daily to weekly; retention requirements
 * (NIST AU-11, CIS, PCI DSS's year) are counted in months. A lifecycle rule that deletes trail logs within a week
 * removes them before a weekly review can see them, which is what an intruder wants; lifecycle rules written for
 * cost move logs to Glacier and expire them after 90 days or more.
 */
export const MIN_LOG_EXPIRY_DAYS = 7

/**
 * Whether a lifecycle rule's scope can hold CloudTrail logs: its prefix contains `AWSLogs` (CloudTrail's key
 * layout, `[prefix/]AWSLogs/<account>/CloudTrail/…`), or it covers the whole bucket of a bucket named for
 * CloudTrail. The PutBucketLifecycle record does not say what the bucket receives, so these are the marks it
 * carries; a trail bucket named otherwise is found through its prefix rules only.
 */
function coversTrailLogs(bucket: string, prefix: string | undefined): boolean {
  if (prefix !== undefined && prefix.includes('AWSLogs')) return true
  return (prefix === undefined || prefix === '') && /cloudtrail/i.test(bucket)
}

function days(x: unknown): number | undefined {
  const n = typeof x === 'number' ? x : typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : NaN
  return Number.isFinite(n) ? n : undefined
}

export interface ShortExpiry {
  bucket: string
  rule: string | null
  prefix: string
  days: number
}

/** Enabled lifecycle rules of a PutBucketLifecycle that expire CloudTrail logs within MIN_LOG_EXPIRY_DAYS. */
export function shortLogExpiry(record: CloudTrailRecord): ShortExpiry[] {
  const rp = record.requestParameters
  const bucket = str(field(rp, 'bucketName')) ?? ''
  const out: ShortExpiry[] = []
  for (const rule of asList(field(rp, 'LifecycleConfiguration', 'Rule'))) {
    if (str(field(rule, 'Status')) !== 'Enabled') continue
    const prefix = str(field(rule, 'Prefix')) ?? str(field(rule, 'Filter', 'Prefix')) ?? str(field(rule, 'Filter', 'And', 'Prefix'))
    if (!coversTrailLogs(bucket, prefix)) continue
    const d = [days(field(rule, 'Expiration', 'Days')), days(field(rule, 'NoncurrentVersionExpiration', 'NoncurrentDays'))]
    const shortest = Math.min(...d.filter((x): x is number => x !== undefined))
    if (shortest <= MIN_LOG_EXPIRY_DAYS) out.push({ bucket, rule: str(field(rule, 'ID')) ?? null, prefix: prefix ?? '', days: shortest })
  }
  return out
}
