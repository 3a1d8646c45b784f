/**
 * The EventBridge event that CloudTrail delivery would build around a log-file record: the standard envelope with the
 * record, unchanged, as `detail`. A record carries no `source`, `detail-type`, `account`, `region` or `time` of its
 * own; they are derived from `eventSource`, `eventType`, `recipientAccountId`, `awsRegion` and `eventTime`.
 */
import { createHash } from 'node:crypto'
import { recordAccount, recordRegion, str } from '../../record.js'

/** `detail-type` per CloudTrail `eventType`; anything else is delivered as an API call. */
const DETAIL_TYPES: ReadonlyMap<string, string> = new Map([
  ['AwsApiCall', 'AWS API Call via CloudTrail'],
  ['AwsServiceEvent', 'AWS Service Event via CloudTrail'],
  ['AwsConsoleAction', 'AWS Console Action via CloudTrail'],
  // NOTE: unverified spelling. The user guide writes "AWS Console Signin via CloudTrail"; deployed rules and AWS's own
  // samples use "AWS Console Sign In via CloudTrail", which is taken here.
  ['AwsConsoleSignIn', 'AWS Console Sign In via CloudTrail'],
  ['AwsCloudTrailInsight', 'AWS Insight via CloudTrail'],
])
const DEFAULT_DETAIL_TYPE = 'AWS API Call via CloudTrail'

/**
 * `source` for eventSources whose EventBridge source is not "aws." + the host's first label. Empty until a service is
 * found where the events reference disagrees with that rule (it agrees for monitoring, cloudtrail, s3, kms ...).
 */
const SOURCE_OVERRIDES: ReadonlyMap<string, string> = new Map()

const AMAZONAWS = '.amazonaws.com'

export function sourceOf(eventSource: string): string {
  const override = SOURCE_OVERRIDES.get(eventSource)
  if (override !== undefined) return override
  const service = eventSource.endsWith(AMAZONAWS) ? eventSource.slice(0, -AMAZONAWS.length) : (eventSource.split('.')[0] ?? eventSource)
  return `aws.${service}`
}

/** The RFC 4122 URL namespace: ids are UUIDv5 of "cloudtrail:<eventID>" in it. */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex')

function uuidV5(name: string): string {
  const hash = createHash('sha1').update(URL_NAMESPACE).update(name, 'utf8').digest()
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Left out when the record lacks what they derive from (never the case for records CloudTrail writes). */
const OPTIONAL_FIELDS = ['source', 'account', 'time', 'region'] as const

/**
 * CloudTrail record → EventBridge envelope. `id` is derived from `eventID` (live EventBridge draws a random UUID) so
 * that runs are reproducible. NOTE: an envelope field whose record field is missing is left out rather than invented,
 * so patterns on it do not match and `exists: false` does; a record without `eventID` gets an id from its content.
 */
export function toEventBridgeEnvelope(record: Record<string, unknown>): Record<string, unknown> {
  const eventId = str(record.eventID)
  const eventSource = str(record.eventSource)
  const eventType = str(record.eventType)
  let id: unknown
  // One literal, so the object is built in one shape. The id costs a SHA-1 (measured: eager ids made envelopes about
  // twice as slow) and few patterns read it, so it is a memoised accessor; it still reads, writes, spreads and
  // serialises as data.
  const envelope: Record<string, unknown> = {
    version: '0',
    get id(): unknown {
      return (id ??= uuidV5(eventId !== undefined ? `cloudtrail:${eventId}` : `cloudtrail-record:${JSON.stringify(record)}`))
    },
    set id(value: unknown) {
      id = value
    },
    'detail-type': (eventType !== undefined ? DETAIL_TYPES.get(eventType) : undefined) ?? DEFAULT_DETAIL_TYPE,
    source: eventSource !== undefined ? sourceOf(eventSource) : undefined,
    account: recordAccount(record),
    time: str(record.eventTime),
    region: recordRegion(record),
    // "API calls with AWS CloudTrail do not include resource ARNs"; the record's own list stays at detail.resources.
    resources: [],
    detail: record,
  }
  for (const key of OPTIONAL_FIELDS) if (envelope[key] === undefined) delete envelope[key]
  return envelope
}
