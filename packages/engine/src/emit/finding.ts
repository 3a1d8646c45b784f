import {
  fieldAt,
  obj,
  recordAccount,
  recordRegion,
  str,
  userAgentKind,
  type CloudTrailRecord,
  type RecordSource,
  type UserAgentKind,
} from '../record.js'
import type { CompiledRule, RuleHit } from '../match/matcher.js'
import { findingId } from './finding-id.js'
import type { Severity } from '../rules/spec.js'

/** The caller as CloudTrail names it. */
export interface Actor {
  arn: string | null
  type: string | null
  userName: string | null
  accessKeyId: string | null
  accountId: string | null
  /** For assumed roles, the role session's issuer (the role ARN). */
  sessionIssuer: string | null
}

export interface Resource {
  /** What kind of thing, from the request: bucket, object, policy, role, user, group, trail, key, security-group … */
  type: string | null
  name: string | null
  arn: string | null
}

export type { UserAgentKind }

/**
 * One rule hit on one record. The first block of fields is a contract (JSON Lines consumers key on the names).
 */
export interface Finding {
  kind: 'finding'
  /** Deterministic (emit/finding-id.ts): rule, recipient account and eventID. The key every later stage dedups by. */
  id: string
  ruleId: string
  title: string
  severity: Severity
  pack: string | null
  eventId: string | null
  eventTime: string | null
  eventName: string | null
  eventSource: string | null
  account: string | null
  region: string | null
  sourceIp: string | null
  userAgent: string | null
  userAgentKind: UserAgentKind
  actor: Actor
  resource: Resource
  errorCode: string | null
  /** Short words: exactly `attempt` for a failed call (emit/severity.ts), or what the rule's check set. */
  status: string | null
  references: Record<string, unknown> | null
  details: Record<string, unknown> | null
  context: Record<string, unknown> | null
  source: RecordSource
}

/** Request parameters that name the resource an API call acts on, most specific first, with their kind. */
const RESOURCE_KEYS: readonly (readonly [string, string])[] = [
  ['bucketName', 'bucket'],
  ['policyArn', 'policy'],
  ['policyName', 'policy'],
  ['roleName', 'role'],
  ['userName', 'user'],
  ['groupName', 'group'],
  ['keyId', 'key'],
  ['name', 'trail'],
  ['trailName', 'trail'],
  ['groupId', 'security-group'],
  ['networkAclId', 'network-acl'],
  ['routeTableId', 'route-table'],
  ['internetGatewayId', 'internet-gateway'],
  ['customerGatewayId', 'customer-gateway'],
  ['vpcId', 'vpc'],
  ['vpcPeeringConnectionId', 'vpc-peering'],
  ['configurationRecorderName', 'config-recorder'],
  ['deliveryChannelName', 'delivery-channel'],
  ['accountId', 'account'],
  ['protectionId', 'shield-protection'],
  ['serialNumber', 'mfa-device'],
]

function resourceOf(record: CloudTrailRecord): Resource {
  const rp = obj(record.requestParameters)
  const firstArn = Array.isArray(record.resources) ? (str(obj(record.resources[0])?.ARN) ?? null) : null
  if (rp) {
    const bucket = str(rp.bucketName)
    const key = str(rp.key)
    if (bucket && key) return { type: 'object', name: `${bucket}/${key}`, arn: firstArn }
    for (const [field, type] of RESOURCE_KEYS) {
      const v = rp[field]
      if (typeof v !== 'string' || v === '') continue
      // `name` is only a resource name in CloudTrail's own API (CreateTrail, StopLogging …).
      if (field === 'name' && record.eventSource !== 'cloudtrail.amazonaws.com') continue
      return { type, name: v, arn: v.startsWith('arn:') ? v : firstArn }
    }
  }
  return { type: null, name: null, arn: firstArn }
}

/** The caller of a record, as findings and remediation records name it. */
export function actorOf(record: CloudTrailRecord): Actor {
  const ui = obj(record.userIdentity) ?? {}
  const issuer = obj(obj(ui.sessionContext)?.sessionIssuer)
  return {
    arn: str(ui.arn) ?? null,
    type: str(ui.type) ?? null,
    userName: str(ui.userName) ?? str(issuer?.userName) ?? null,
    accessKeyId: str(ui.accessKeyId) ?? null,
    accountId: str(ui.accountId) ?? null,
    sessionIssuer: str(issuer?.arn) ?? null,
  }
}

/**
 * How deep a finding's `details` may nest (the details object itself is level 1). Details copy record values
 * (a bucket policy, an ACL), and a record may nest thousands of levels, which JSON.stringify and every other
 * recursive consumer of a finding cannot survive. Real policies and ACLs nest under 10 levels.
 */
export const MAX_DETAIL_DEPTH = 32

/** What replaces an object or array nested deeper than MAX_DETAIL_DEPTH in `details`. */
export const DETAIL_TRUNCATED = `[truncated: nested deeper than ${MAX_DETAIL_DEPTH} levels]`

function deeperThan(v: unknown, levels: number): boolean {
  if (v === null || typeof v !== 'object') return false
  if (levels === 0) return true
  for (const c of Object.values(v)) if (deeperThan(c, levels - 1)) return true
  return false
}

/** `v` cut at `levels` levels of objects and arrays; keys such as `__proto__` stay own data properties. */
function truncated(v: unknown, levels: number): unknown {
  if (v === null || typeof v !== 'object') return v
  if (levels === 0) return DETAIL_TRUNCATED
  if (Array.isArray(v)) return v.map((c) => truncated(c, levels - 1))
  return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, truncated(c, levels - 1)]))
}

/** Details as given when they fit (no copy: the common case), else a copy cut at MAX_DETAIL_DEPTH. */
function boundedDetails(details: Record<string, unknown>): Record<string, unknown> {
  return deeperThan(details, MAX_DETAIL_DEPTH) ? (truncated(details, MAX_DETAIL_DEPTH) as Record<string, unknown>) : details
}

/** The rule's declared output fields that the record has, merged with what the rule's check reported. */
function outputDetails(
  output: Record<string, string> | undefined,
  record: CloudTrailRecord,
  details: Record<string, unknown> | undefined,
): Record<string, unknown> | null {
  if (!output) return details ? boundedDetails(details) : null
  const out: Record<string, unknown> = {}
  for (const [name, path] of Object.entries(output)) {
    const v = fieldAt(record, path.split('.'))
    if (v !== undefined && v !== null) out[name] = v
  }
  return details || Object.keys(out).length > 0 ? boundedDetails({ ...out, ...details }) : null
}

/** A finding on its way through emit, with the hit that made it: the facts later stages decide by. */
export interface BuiltFinding {
  finding: Finding
  hit: RuleHit
}

/**
 * The build stage: a rule hit on a parsed record → the finding as JSON Lines consumers read it. Its severity is
 * the rule's until emit/severity.ts decides it, after duplicates are dropped.
 */
export function buildFinding(
  rule: CompiledRule,
  hit: RuleHit,
  record: CloudTrailRecord,
  source: RecordSource,
  fallback: { account?: string; region?: string },
): Finding {
  const spec = rule.spec
  // The exposure is typed on the hit for emit, and written last in the details, where readers find it.
  const details = hit.exposure ? { ...hit.details, exposure: hit.exposure } : hit.details
  const eventId = str(record.eventID) ?? null
  return {
    kind: 'finding',
    id: findingId(spec.id, str(record.recipientAccountId) ?? recordAccount(record) ?? fallback.account ?? null, eventId, source),
    ruleId: spec.id,
    title: spec.title,
    severity: spec.severity,
    pack: spec.pack ?? null,
    eventId,
    eventTime: str(record.eventTime) ?? null,
    eventName: str(record.eventName) ?? null,
    eventSource: str(record.eventSource) ?? null,
    account: recordAccount(record) ?? fallback.account ?? null,
    region: recordRegion(record) ?? fallback.region ?? null,
    sourceIp: str(record.sourceIPAddress) ?? null,
    userAgent: str(record.userAgent) ?? null,
    userAgentKind: userAgentKind(record),
    actor: actorOf(record),
    resource: resourceOf(record),
    errorCode: str(record.errorCode) ?? null,
    status: hit.status ?? null,
    references: (spec.references as Record<string, unknown> | undefined) ?? null,
    details: outputDetails(spec.output, record, details),
    context: null,
    source,
  }
}
