/**
 * CloudTrail's S3 key layout (standard and organization trail):
 *   [prefix/]AWSLogs/[o-id/]<account>/<CloudTrail|CloudTrail-Digest|CloudTrail-Insight>/<region>/YYYY/MM/DD/<file>
 * The date in the path is the delivery date, not the event date.
 */
export type ObjectKind = 'log' | 'digest' | 'insight' | 'other'

export interface KeyInfo {
  kind: ObjectKind
  /** Everything before `AWSLogs/`, with its trailing slash, or '' when the key starts there. */
  prefix?: string
  org?: string
  account?: string
  region?: string
  /** `YYYY-MM-DD` of delivery, from the path. */
  deliveryDate?: string
}

/**
 * The grammar of each layout segment: the key parser below and the S3 lister's walk (source/s3-prune.ts), which
 * places a prefix in the layout one segment at a time, read keys with these and nothing else.
 */
const ORG = 'o-[a-z0-9]{10,32}'
const ACCOUNT = '\\d{12}'
const REGION = '[a-z0-9-]+'
export const PRODUCTS = ['CloudTrail', 'CloudTrail-Digest', 'CloudTrail-Insight'] as const
export const ORG_RE = new RegExp(`^${ORG}$`)
export const ACCOUNT_RE = new RegExp(`^${ACCOUNT}$`)
export const REGION_RE = new RegExp(`^${REGION}$`)
export const YEAR_RE = /^\d{4}$/
export const TWO_DIGITS_RE = /^\d{2}$/

const LAYOUT = new RegExp(`(?:^|/)AWSLogs/(?:(${ORG})/)?(${ACCOUNT})/(${PRODUCTS.join('|')})/(${REGION})/(\\d{4})/(\\d{2})/(\\d{2})/`)

const KINDS: Record<string, ObjectKind> = {
  CloudTrail: 'log',
  'CloudTrail-Digest': 'digest',
  'CloudTrail-Insight': 'insight',
}

/** Parses a key or a local path laid out as CloudTrail delivers to S3. Unrecognised keys are kind `other`. */
export function parseCloudTrailKey(key: string): KeyInfo {
  const normalised = key.replaceAll('\\', '/')
  const m = LAYOUT.exec(normalised)
  if (!m) return { kind: 'other' }
  const start = m.index + (normalised[m.index] === '/' ? 1 : 0)
  const info: KeyInfo = {
    kind: KINDS[m[3]!] ?? 'other',
    prefix: normalised.slice(0, start),
    account: m[2]!,
    region: m[4]!,
    deliveryDate: `${m[5]}-${m[6]}-${m[7]}`,
  }
  if (m[1] !== undefined) info.org = m[1]
  return info
}
