import { isIP } from 'node:net'
import type { Severity } from '../../rules/spec.js'
import { parseInstant } from '../../time-window.js'
import { attackTechnique, citedTechniques, type AttackTechnique } from './attack.js'
import { cisControls, describeFinding, nistControls, referenceUrls, type EmittedFinding } from './emitted-finding.js'
import { cloudFormationType, partitionOf } from './resource-types.js'
import { limitText } from './text-limit.js'

/**
 * A finding as an OCSF 1.1.0 Detection Finding (class 2004), the version Amazon Security Lake validates custom
 * sources against. Attribute names, types and enum ids are the schema's (`../shared/reference/ocsf-schema-1.1.0`);
 * a test validates every finding the fixtures produce against those files. The `cloud` profile carries the
 * account and region, the `host` profile the actor (in 1.1.0 `actor` comes to findings through it). The class has
 * no `src_endpoint` of its own: the caller's address is the evidence's (`evidences[0].src_endpoint.ip`).
 */
export type OcsfDetectionFinding = Record<string, unknown> & {
  class_uid: 2004
  category_uid: 2
  type_uid: 200401
  activity_id: 1
  severity_id: number
  time: number
  finding_info: { uid: string; title: string } & Record<string, unknown>
  metadata: { version: '1.1.0'; product: Record<string, unknown> } & Record<string, unknown>
}

export interface OcsfOptions {
  /** metadata.product.version: the version of Trailscan that wrote the record. */
  productVersion?: string
  /** Event time used when a finding's eventTime is missing or not a time (ms since the epoch); default: now. */
  now?: number
}

export const OCSF_VERSION = '1.1.0'

/** string_t's max_len in the 1.1.0 dictionary. */
const MAX_STRING = 65_535

const SEVERITY_ID: Readonly<Record<Severity, [number, string]>> = {
  info: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
}

/** CloudTrail userIdentity.type → the user object's type_id and its caption (1.1.0 user.type_id). */
function userType(type: string | null): { type_id: number; type: string } | undefined {
  switch (type) {
    case null:
      return undefined
    case 'Root':
      return { type_id: 2, type: 'Admin' }
    case 'IAMUser':
    case 'AssumedRole':
    case 'FederatedUser':
    case 'IdentityCenterUser':
    case 'SAMLUser':
    case 'WebIdentityUser':
      return { type_id: 1, type: 'User' }
    case 'AWSService':
    case 'AWSAccount':
      return { type_id: 3, type: 'System' }
    default:
      return { type_id: 99, type: text(type) }
  }
}

const text = (s: string): string => limitText(s, MAX_STRING)

/** Only the keys whose value is set: OCSF readers take a missing attribute and a null one alike, validators do not. */
function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  // A loop, not Object.entries/fromEntries: this runs a dozen times per finding and was most of the mapping's time.
  const out: Record<string, unknown> = {}
  for (const k in o) {
    const v = o[k]
    if (v !== undefined && v !== null) out[k] = v
  }
  return out as Partial<T>
}

function awsAccount(uid: string | null, name?: string): Record<string, unknown> | undefined {
  return uid ? compact({ uid: text(uid), name: name ? text(name) : undefined, type_id: 10, type: 'AWS Account' }) : undefined
}

function userOf(f: EmittedFinding): Record<string, unknown> | undefined {
  const a = f.actor
  const user = compact({
    uid: a.arn ? text(a.arn) : undefined,
    name: a.userName ? text(a.userName) : undefined,
    credential_uid: a.accessKeyId ? text(a.accessKeyId) : undefined,
    account: awsAccount(a.accountId),
    ...userType(a.type),
  })
  // The user object needs an account, a name or a uid.
  return user.uid || user.name || user.account ? user : undefined
}

/** CloudTrail's sourceIPAddress is an address, or the service that made the call (`s3.amazonaws.com`, `AWS Internal`). */
function endpointOf(sourceIp: string | null): Record<string, unknown> | undefined {
  if (!sourceIp) return undefined
  if (isIP(sourceIp)) return { ip: sourceIp }
  return { svc_name: text(sourceIp) }
}

function attacksOf(f: EmittedFinding): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  const entry = (t: AttackTechnique, tactic?: { uid: string; name: string }): Record<string, unknown> =>
    compact({ technique: t.technique, sub_technique: t.subTechnique, tactic })
  for (const id of citedTechniques(f.references)) {
    const t = attackTechnique(id)
    // One attack object per tactic: 1.1.0 deprecated the `tactics` array for a single `tactic`.
    if (t.tactics.length === 0) out.push(entry(t))
    for (const tactic of t.tactics) out.push(entry(t, { ...tactic }))
  }
  return out
}

/** finding_info.types: what kind of detection, from the rule's references and pack. */
function typesOf(f: EmittedFinding): string[] {
  const types: string[] = []
  if (cisControls(f.references).length > 0) types.push('CIS AWS Foundations Benchmark')
  if (nistControls(f.references).length > 0) types.push('NIST SP 800-53')
  if (citedTechniques(f.references).length > 0) types.push('MITRE ATT&CK')
  if (f.pack) types.push(text(f.pack))
  return types
}

function resourcesOf(f: EmittedFinding): Record<string, unknown>[] | undefined {
  const r = f.resource
  const partition = partitionOf(f.region)
  const region = f.region ? text(f.region) : undefined
  const owner = f.account ? { account: awsAccount(f.account) } : undefined
  // No resource named in the request: the account the call was made in is what the finding is about (as in ASFF).
  if (!r.name && !r.arn)
    return f.account ? [compact({ uid: text(f.account), type: 'AWS::::Account', region, cloud_partition: partition, owner })] : undefined
  return [
    compact({
      uid: text(r.arn ?? r.name!),
      name: r.name ? text(r.name) : undefined,
      type: cloudFormationType(r.type) ?? (r.type ? text(r.type) : undefined),
      region,
      cloud_partition: partition,
      owner,
    }),
  ]
}

function timeOf(f: EmittedFinding, opts: OcsfOptions): number {
  if (f.eventTime)
    try {
      return parseInstant(f.eventTime).getTime()
    } catch {
      // Not a time: fall through to the caller's clock.
    }
  return opts.now ?? Date.now()
}

/** One finding as an OCSF 1.1.0 Detection Finding. */
export function toOcsf(f: EmittedFinding, opts: OcsfOptions = {}): OcsfDetectionFinding {
  const [severityId, severity] = SEVERITY_ID[f.severity]
  const time = timeOf(f, opts)
  const user = userOf(f)
  const endpoint = endpointOf(f.sourceIp)
  const api = f.eventName
    ? compact({
        operation: text(f.eventName),
        service: f.eventSource ? { name: text(f.eventSource) } : undefined,
        response: f.errorCode ? { error: text(f.errorCode) } : undefined,
      })
    : undefined
  const attacks = attacksOf(f)
  const urls = referenceUrls(f.references)
  const contextName = typeof f.context?.name === 'string' ? f.context.name : undefined
  return compact({
    activity_id: 1,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    severity_id: severityId,
    severity,
    // Finding status: New, or Suppressed when a suppression matched and the finding was written anyway.
    status_id: f.suppressed ? 3 : 1,
    status: f.suppressed ? 'Suppressed' : 'New',
    time,
    timezone_offset: 0,
    message: text(describeFinding(f)),
    finding_info: compact({
      uid: f.id,
      title: text(f.title),
      analytic: compact({
        uid: text(f.ruleId),
        name: text(f.ruleId),
        type_id: 1,
        type: 'Rule',
        category: f.pack ? text(f.pack) : undefined,
      }),
      attacks: attacks.length > 0 ? attacks : undefined,
      types: typesOf(f),
      src_url: urls[0] ? text(urls[0]) : undefined,
      first_seen_time: time,
      last_seen_time: time,
      data_sources: ['AWS CloudTrail'],
    }),
    metadata: compact({
      version: OCSF_VERSION,
      product: compact({ name: 'Trailscan', vendor_name: 'Trailscan', version: opts.productVersion }),
      profiles: ['cloud', 'host'],
      log_name: 'CloudTrail',
      log_provider: 'AWS CloudTrail',
      original_time: f.eventTime ? text(f.eventTime) : undefined,
      tenant_uid: f.account ? text(f.account) : undefined,
    }),
    cloud: compact({ provider: 'AWS', region: f.region ? text(f.region) : undefined, account: awsAccount(f.account, contextName) }),
    api,
    actor: user ? { user } : undefined,
    resources: resourcesOf(f),
    evidences: [
      compact({
        api,
        actor: user ? { user } : undefined,
        src_endpoint: endpoint,
        // The CloudTrail event and where it was read: evidences has no attribute of its own for either.
        data: compact({ event_uid: f.eventId, object: f.source.uri, record_index: f.source.recordIndex }),
      }),
    ],
    unmapped: compact({
      rule_id: f.ruleId,
      pack: f.pack,
      rule_status: f.status,
      event_source: f.eventSource,
      error_code: f.errorCode,
      user_agent: f.userAgent,
      user_agent_kind: f.userAgentKind,
      actor_type: f.actor.type,
      session_issuer: f.actor.sessionIssuer,
      resource_type: f.resource.type,
      references: f.references,
      details: f.details,
      context: f.context,
      suppressed: f.suppressed,
    }),
  }) as OcsfDetectionFinding
}
