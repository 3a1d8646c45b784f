/** A parsed CloudTrail record. Fields vary by service and event version, so it stays an open map. */
export type CloudTrailRecord = Record<string, unknown>

/** Where a record came from: the object and its 0-based index in it. */
export interface RecordSource {
  uri: string
  recordIndex: number
}

/**
 * The one home of the record-field helpers every stage reads a parsed record with (the record filter, the
 * EventBridge envelope, typed checks, findings, the exposure tracker): a second copy is how two stages end up
 * reading the same record differently.
 */
export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined
}

export function obj(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined
}

/** A nested field by path segments; undefined as soon as a step is not an object (arrays are not walked). */
export function fieldAt(x: unknown, path: readonly string[]): unknown {
  let cur: unknown = x
  for (const p of path) {
    const o = obj(cur)
    if (!o) return undefined
    cur = o[p]
  }
  return cur
}

/** The account that owns the trail: the recipient, else the caller's own account. */
export function recordAccount(r: CloudTrailRecord): string | undefined {
  return str(r.recipientAccountId) ?? str(obj(r.userIdentity)?.accountId)
}

export function recordRegion(r: CloudTrailRecord): string | undefined {
  return str(r.awsRegion)
}

export type UserAgentKind = 'console' | 'cli' | 'sdk' | 'service' | 'other' | 'unknown'

/**
 * What kind of client made the call, from its userAgent. The one classification: a finding's `userAgentKind`
 * and a typed check's `variant` both come from here, so a record cannot read as console in one and sdk in the
 * other.
 */
export function userAgentKind(record: CloudTrailRecord): UserAgentKind {
  const ua = str(record.userAgent)
  if (ua === undefined || ua === '') return 'unknown'
  const u = ua.replace(/^\[/, '').toLowerCase()
  if (
    u.startsWith('signin.amazonaws.com') ||
    u.startsWith('console.') ||
    u.includes('console.amazonaws.com') ||
    u.startsWith('aws internal') ||
    u.startsWith('s3console')
  )
    return 'console'
  if (u.startsWith('aws-cli/')) return 'cli'
  if (/^(aws-sdk-|boto3\/|botocore\/|aws-sdk\/|terraform|pulumi|aws-cdk|cloudformation)/.test(u)) return 'sdk'
  if (/\.amazonaws\.com$/.test(u)) return 'service'
  return 'other'
}
