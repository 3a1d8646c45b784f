/** A parsed CloudTrail record. Fields vary by service and event version, so it stays an open map. */
export type CloudTrailRecord = Record<string, unknown>

/** Where a record came from: the object and its 0-based index in it. */
export interface RecordSource {
  uri: string
  recordIndex: number
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined
}

export function obj(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined
}

/** The account that owns the trail: the recipient, else the caller's own account. */
export function recordAccount(r: CloudTrailRecord): string | undefined {
  return str(r.recipientAccountId) ?? str(obj(r.userIdentity)?.accountId)
}

export function recordRegion(r: CloudTrailRecord): string | undefined {
  return str(r.awsRegion)
}

/** Milliseconds since the epoch of `eventTime`, or NaN when absent or unparseable. */
export function recordTime(r: CloudTrailRecord): number {
  const t = str(r.eventTime)
  return t === undefined ? Number.NaN : Date.parse(t)
}
