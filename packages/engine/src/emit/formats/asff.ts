import type { Severity } from '../../rules/spec.js'
import { attackTechnique, citedTechniques } from './attack.js'
import { cisControls, describeFinding, nistControls, referenceUrls, type EmittedFinding } from './emitted-finding.js'
import { asffResourceType, partitionOf } from './resource-types.js'
import { limitedJson, limitText } from './text-limit.js'

/**
 * A finding in the AWS Security Finding Format, as Security Hub's BatchImportFindings takes it. Limits are AWS's
 * (API reference, AwsSecurityFinding and Resource; BatchImportFindings guidelines): a longer value is cut with
 * TRUNCATED_MARK, and the whole finding stays under ASFF_MAX_FINDING_BYTES of JSON.
 */
export interface AsffFinding {
  SchemaVersion: '2018-10-08'
  Id: string
  ProductArn: string
  GeneratorId: string
  AwsAccountId: string
  Types: string[]
  FirstObservedAt: string
  LastObservedAt: string
  CreatedAt: string
  UpdatedAt: string
  Severity: { Label: AsffSeverityLabel; Original: string }
  Title: string
  Description: string
  Resources: AsffResource[]
  Region?: string
  SourceUrl?: string
  ProductFields: Record<string, string>
  Compliance?: { RelatedRequirements: string[] }
  FindingProviderFields: { Severity: { Label: AsffSeverityLabel; Original: string }; Types: string[] }
  RecordState: 'ACTIVE'
  Workflow?: { Status: 'SUPPRESSED' }
}

export interface AsffResource {
  Type: string
  Id: string
  Partition: 'aws' | 'aws-cn' | 'aws-us-gov'
  Region?: string
}

export type AsffSeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'

export interface AsffOptions {
  /**
   * When the finding was last updated (UpdatedAt), RFC 3339. Default: the event's time, so the same finding maps to
   * the same record in every run; Security Hub takes a re-import with a later UpdatedAt as an update.
   */
  updatedAt?: string
}

/** BatchImportFindings refuses a finding larger than 240 KB. */
export const ASFF_MAX_FINDING_BYTES = 240 * 1024

/** Field limits from the Security Hub API reference. */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  region: 16,
  resourceType: 256,
  types: 50,
  resources: 32,
  relatedRequirements: 32,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  sourceUrl: 2048,
} as const

/** A finding that cannot be written as ASFF: it names no account or region, which ASFF requires. */
export class AsffMappingError extends Error {
  constructor(
    readonly findingId: string,
    what: string,
  ) {
    super(`finding ${findingId} cannot be written as ASFF: ${what}`)
    this.name = 'AsffMappingError'
  }
}

const LABEL: Readonly<Record<Severity, AsffSeverityLabel>> = {
  info: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
}

/** ASFF's `TTPs` categories (its type taxonomy); other ATT&CK tactics have none. */
const TTP_CATEGORIES = new Set([
  'Initial Access',
  'Execution',
  'Persistence',
  'Privilege Escalation',
  'Defense Evasion',
  'Credential Access',
  'Discovery',
  'Lateral Movement',
  'Collection',
  'Command and Control',
])

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/

const STANDARDS = 'Software and Configuration Checks/Industry and Regulatory Standards'

/** Types (namespace/category/classifier) for the finding's CIS, NIST and ATT&CK references. */
function typesOf(f: EmittedFinding): string[] {
  const types: string[] = []
  if (cisControls(f.references).length > 0) types.push(`${STANDARDS}/CIS AWS Foundations Benchmark`)
  if (nistControls(f.references).length > 0) types.push(`${STANDARDS}/NIST 800-53 Controls (USA)`)
  for (const id of citedTechniques(f.references)) {
    const t = attackTechnique(id)
    for (const tactic of t.tactics) if (TTP_CATEGORIES.has(tactic.name)) types.push(`TTPs/${tactic.name}/${id}`)
    if (t.effect) types.push(`Effects/${t.effect}/${id}`)
  }
  if (f.details && 'exposure' in f.details) types.push('Effects/Data Exposure')
  if (types.length === 0) types.push('Software and Configuration Checks/AWS Security Best Practices')
  return [...new Set(types)].slice(0, ASFF_LIMITS.types)
}

function requirementsOf(f: EmittedFinding): string[] {
  const cis = cisControls(f.references).map(([version, control]) => `CIS AWS Foundations Benchmark ${version}/${control}`)
  const nist = nistControls(f.references).map((c) => `NIST.800-53.r5 ${c}`)
  return [...cis, ...nist].map((r) => limitText(r, 256)).slice(0, ASFF_LIMITS.relatedRequirements)
}

function resourcesOf(f: EmittedFinding, account: string, region: string): AsffResource[] {
  const partition = partitionOf(region)
  const r = f.resource
  let id: string | undefined
  if (r.arn) id = r.arn
  else if (r.type === 'bucket' && r.name) id = `arn:${partition}:s3:::${r.name}`
  else if (r.type === 'object' && r.name) id = `arn:${partition}:s3:::${r.name}`
  else if (r.name) id = r.name
  // No resource named in the request: the account the call was made in is what the finding is about.
  if (!id) return [{ Type: 'AwsAccount', Id: `AWS::::Account:${account}`, Partition: partition, Region: region }]
  return [
    { Type: limitText(asffResourceType(r.type), ASFF_LIMITS.resourceType), Id: limitText(id, 2048), Partition: partition, Region: region },
  ]
}

function productFieldsOf(f: EmittedFinding): Record<string, string> {
  const fields: [string, string | number | null | undefined][] = [
    ['ProviderName', 'Trailscan'],
    ['trailscan/ruleId', f.ruleId],
    ['trailscan/pack', f.pack],
    ['trailscan/status', f.status],
    ['trailscan/eventId', f.eventId],
    ['trailscan/eventTime', f.eventTime],
    ['trailscan/eventName', f.eventName],
    ['trailscan/eventSource', f.eventSource],
    ['trailscan/errorCode', f.errorCode],
    ['trailscan/sourceIp', f.sourceIp],
    ['trailscan/userAgent', f.userAgent],
    ['trailscan/userAgentKind', f.userAgentKind],
    ['trailscan/actor/arn', f.actor.arn],
    ['trailscan/actor/type', f.actor.type],
    ['trailscan/actor/userName', f.actor.userName],
    ['trailscan/actor/accessKeyId', f.actor.accessKeyId],
    ['trailscan/actor/accountId', f.actor.accountId],
    ['trailscan/actor/sessionIssuer', f.actor.sessionIssuer],
    ['trailscan/resource/type', f.resource.type],
    ['trailscan/resource/name', f.resource.name],
    ['trailscan/mitreAttack', citedTechniques(f.references).join(', ')],
    ['trailscan/source/uri', f.source.uri],
    ['trailscan/source/recordIndex', f.source.recordIndex],
    ['trailscan/suppressed', f.suppressed ? `${f.suppressed.reason} (until ${f.suppressed.expires})` : undefined],
    ['trailscan/context', f.context ? limitedJson(f.context, ASFF_LIMITS.productFieldValue) : undefined],
    ['trailscan/details', f.details ? limitedJson(f.details, ASFF_LIMITS.productFieldValue) : undefined],
  ]
  const out: Record<string, string> = {}
  for (const [k, v] of fields) {
    if (v === null || v === undefined) continue
    const text = String(v)
    // ASFF strings must hold a non-space character.
    if (!/\S/.test(text)) continue
    out[k] = limitText(text, ASFF_LIMITS.productFieldValue)
  }
  return out
}

function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v))
}

/**
 * Keeps the finding under ASFF_MAX_FINDING_BYTES. Every field is already cut to its own limit, which bounds the
 * finding by characters; JSON escapes and multi-byte text can still make it too many bytes (a value of control
 * characters takes 6 bytes each), so the largest product field is halved until it fits.
 */
function fitSize(finding: AsffFinding): void {
  const pf = finding.ProductFields
  let size = jsonBytes(finding)
  while (size > ASFF_MAX_FINDING_BYTES) {
    let largest: string | undefined
    let largestBytes = 0
    for (const [k, v] of Object.entries(pf)) {
      const b = jsonBytes(v)
      if (b > largestBytes && k !== 'ProviderName' && k !== 'trailscan/ruleId') [largest, largestBytes] = [k, b]
    }
    if (largest === undefined || largestBytes <= 64) break
    const v = pf[largest]!
    pf[largest] = limitText(v, Math.floor(v.length / 2))
    size = jsonBytes(finding)
  }
}

/** One finding as an ASFF record. Throws AsffMappingError when it has no account or region (ASFF needs both). */
export function toAsff(f: EmittedFinding, opts: AsffOptions = {}): AsffFinding {
  const account = [f.account, f.actor.accountId].find((a): a is string => typeof a === 'string' && /^\d{12}$/.test(a))
  if (!account) throw new AsffMappingError(f.id, 'it names no 12-digit AWS account id')
  const region = f.region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(f.region) ? f.region : undefined
  if (!region) throw new AsffMappingError(f.id, 'it names no AWS region')
  // A forged eventTime Security Hub would refuse is replaced by the update time.
  const time = f.eventTime && RFC3339.test(f.eventTime) ? f.eventTime : (opts.updatedAt ?? new Date().toISOString())
  const severity = { Label: LABEL[f.severity], Original: f.severity }
  const types = typesOf(f)
  const urls = referenceUrls(f.references).filter((u) => u.length <= ASFF_LIMITS.sourceUrl)
  const requirements = requirementsOf(f)
  const partition = partitionOf(region)
  const finding: AsffFinding = {
    SchemaVersion: '2018-10-08',
    Id: limitText(f.id, ASFF_LIMITS.id),
    ProductArn: `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
    GeneratorId: limitText(f.ruleId, ASFF_LIMITS.generatorId),
    AwsAccountId: account,
    Types: types,
    FirstObservedAt: time,
    LastObservedAt: time,
    CreatedAt: time,
    UpdatedAt: opts.updatedAt ?? time,
    Severity: severity,
    Title: limitText(f.title, ASFF_LIMITS.title),
    Description: limitText(describeFinding(f), ASFF_LIMITS.description),
    Resources: resourcesOf(f, account, region),
    Region: region,
    ...(urls[0] ? { SourceUrl: urls[0] } : {}),
    ProductFields: productFieldsOf(f),
    ...(requirements.length > 0 ? { Compliance: { RelatedRequirements: requirements } } : {}),
    FindingProviderFields: { Severity: { ...severity }, Types: [...types] },
    RecordState: 'ACTIVE',
    ...(f.suppressed ? { Workflow: { Status: 'SUPPRESSED' as const } } : {}),
  }
  fitSize(finding)
  return finding
}
