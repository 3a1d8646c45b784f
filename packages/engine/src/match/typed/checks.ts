import { userAgentKind, type CloudTrailRecord } from '../../record.js'
import type { Exposure, RuleHit } from '../matcher.js'
import { bodyGrants, hasAclBody, hasAclHeaders, headerGrants, isWriteGrant, type PublicGrant } from './s3-acl.js'
import { parsePolicy, publicStatements } from './s3-policy.js'
import { adminGrant, externalTrust, otherUserTarget } from './iam.js'
import { openAdminIngress } from './ec2.js'
import { bulkSecretRead } from './secrets.js'
import { shortLogExpiry } from './s3-lifecycle.js'
import { field, obj, str, strings, asList } from './values.js'

/**
 * The closed vocabulary of typed checks: logic the two pattern languages cannot express (a Grant that is an
 * object or an array, a policy given as a JSON string, a condition that narrows a wildcard principal). Rules
 * name a check and its parameters as data; the code lives here, tested, never in a rule file.
 */
export type CheckResult = Omit<RuleHit, 'impact'> & { critical?: boolean }
export type Check = (record: CloudTrailRecord, params: Record<string, unknown>) => CheckResult | null

function variantOf(record: CloudTrailRecord, shape: 'body' | 'headers'): string {
  const kind = userAgentKind(record)
  if (shape === 'body') return kind === 'console' ? 'console' : kind === 'cli' ? 'cli (XML body)' : 'sdk (XML body)'
  return kind === 'cli' ? 'cli' : kind === 'console' ? 'console (headers)' : 'sdk'
}

function grantSummary(grants: PublicGrant[]): { grantee: string; permission: string; via: string }[] {
  const seen = new Set<string>()
  return grants.flatMap((g) => {
    const k = `${g.grantee}/${g.permission}/${g.shape}`
    if (seen.has(k)) return []
    seen.add(k)
    return [{ grantee: g.grantee, permission: g.permission, via: g.shape }]
  })
}

const s3AclPublic: Check = (record, params) => {
  const rp = record.requestParameters
  const shape = params.shape
  const grants: PublicGrant[] = []
  if ((shape === 'body' || shape === 'any') && hasAclBody(rp)) grants.push(...bodyGrants(rp))
  if ((shape === 'headers' || shape === 'any') && hasAclHeaders(rp)) grants.push(...headerGrants(rp))
  if (grants.length === 0) return null
  const bucket = str(field(rp, 'bucketName')) ?? ''
  const key = str(field(rp, 'key'))
  const exposure: Exposure = key ? { kind: 'object-acl', bucket, key } : { kind: 'acl', bucket }
  return {
    critical: grants.some(isWriteGrant),
    details: {
      variant: variantOf(record, grants[0]!.shape === 'acl-body' ? 'body' : 'headers'),
      granted: grantSummary(grants),
    },
    exposure,
  }
}

const s3PolicyPublic: Check = (record) => {
  const raw = field(record.requestParameters, 'bucketPolicy')
  const policy = parsePolicy(raw)
  if (!policy) return null
  const statements = publicStatements(policy)
  if (statements.length === 0) return null
  const bucket = str(field(record.requestParameters, 'bucketName')) ?? ''
  return {
    critical: statements.some((s) => s.access === 'write'),
    details: {
      variant: variantOf(record, 'headers'),
      granted: statements.map((s) => ({ grantee: '*', statement: s.sid, actions: s.actions, access: s.access })),
      policyGivenAs: typeof raw === 'string' ? 'string' : 'object',
      policy,
    },
    exposure: { kind: 'policy', bucket },
  }
}

const BPA_SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const

/** Settings a Block Public Access configuration leaves off. S3 takes an omitted setting as false. */
export function disabledBpaSettings(config: unknown): string[] {
  const c = obj(config)
  return BPA_SETTINGS.filter((k) => !(c?.[k] === true || c?.[k] === 'true'))
}

const accessBlockWeakened: Check = (record) => {
  const name = str(record.eventName) ?? ''
  const level = name.includes('Account') ? 'account' : 'bucket'
  const target =
    level === 'account' ? (str(record.recipientAccountId) ?? null) : (str(field(record.requestParameters, 'bucketName')) ?? null)
  const variant = variantOf(record, 'headers')
  if (name.startsWith('Delete')) return { details: { variant, level, target, change: 'deleted', disabled: [...BPA_SETTINGS] } }
  const disabled = disabledBpaSettings(field(record.requestParameters, 'PublicAccessBlockConfiguration'))
  if (disabled.length === 0) return null
  return { details: { variant, level, target, change: 'set with settings off', disabled } }
}

/** A basic selector names data when a DataResource lists at least one ARN; an empty `values` list logs nothing. */
function logsNoDataEvents(rp: unknown): boolean {
  const basic = asList(field(rp, 'eventSelectors'))
  const advanced = asList(field(rp, 'advancedEventSelectors'))
  const namesArns = (d: unknown): boolean => strings(field(d, 'values')).length > 0 || strings(field(d, 'Values')).length > 0
  const basicData = basic.some((s) => [...asList(field(s, 'dataResources')), ...asList(field(s, 'DataResources'))].some(namesArns))
  const advancedData = advanced.some((s) => categoryOf(s).includes('Data'))
  return !basicData && !advancedData
}

function categoryOf(selector: unknown): string[] {
  return asList(field(selector, 'fieldSelectors')).flatMap((f) =>
    field(f, 'field') === 'eventCategory' ? strings(field(f, 'equals')) : [],
  )
}

/**
 * Selectors that log no management events: every basic selector says `includeManagementEvents: false` (the API's
 * default is true), and no advanced selector is on eventCategory Management. Then IAM, STS, EC2 control-plane
 * calls, the very ones an intruder makes, are no longer recorded.
 */
function logsNoManagementEvents(rp: unknown): boolean {
  const basic = asList(field(rp, 'eventSelectors'))
  const advanced = asList(field(rp, 'advancedEventSelectors'))
  if (basic.length === 0 && advanced.length === 0) return false
  const basicMgmt = basic.some((s) => {
    const v = field(s, 'includeManagementEvents') ?? field(s, 'IncludeManagementEvents')
    return !(v === false || v === 'false')
  })
  return !basicMgmt && !advanced.some((s) => categoryOf(s).includes('Management'))
}

/**
 * CloudTrail blinded. Stopping logging, deleting the trail, or selectors that drop management events blind the
 * account's control plane: raised to high. Selectors that keep management events but drop data events lose the
 * object-level record only: the rule's own severity (medium in s3-hardening).
 */
const cloudtrailLoggingWeakened: Check = (record) => {
  const name = str(record.eventName)
  const rp = record.requestParameters
  if (name === 'StopLogging') return { raise: 'high', details: { change: 'logging stopped', trail: str(field(rp, 'name')) ?? null } }
  if (name === 'DeleteTrail') return { raise: 'high', details: { change: 'trail deleted', trail: str(field(rp, 'name')) ?? null } }
  if (name !== 'PutEventSelectors') return null
  const trail = str(field(rp, 'trailName')) ?? null
  const noData = logsNoDataEvents(rp)
  if (logsNoManagementEvents(rp))
    return {
      raise: 'high',
      details: { change: 'event selectors log no management events', managementEvents: false, dataEvents: !noData, trail },
    }
  if (noData) return { details: { change: 'event selectors log no data events', managementEvents: true, dataEvents: false, trail } }
  return null
}

const iamAdminPolicy: Check = (record) => {
  const g = adminGrant(record)
  return g ? { details: { adminPolicy: g.policy, policyKind: g.kind, grantedTo: g.target } } : null
}

const iamTrustExternal: Check = (record) => {
  const rp = record.requestParameters
  const doc = field(rp, 'assumeRolePolicyDocument') ?? field(rp, 'policyDocument')
  const external = externalTrust(doc, str(record.recipientAccountId) ?? str(field(record.userIdentity, 'accountId')))
  if (external.length === 0) return null
  return {
    details: {
      role: str(field(rp, 'roleName')) ?? null,
      trusted: external.map((e) => e.principal),
      withCondition: external.some((e) => e.conditioned),
    },
  }
}

const iamOtherUserCredential: Check = (record) => {
  const target = otherUserTarget(record)
  return target
    ? { details: { targetUser: target, credential: str(record.eventName)?.includes('LoginProfile') ? 'console password' : 'access key' } }
    : null
}

const sgAdminIngressOpen: Check = (record) => {
  const open = openAdminIngress(record)
  return open ? { details: { cidr: open.cidr, ports: open.ports } } : null
}

const secretsBulkRead: Check = (record) => {
  const bulk = bulkSecretRead(record)
  return bulk ? { details: { bulkRead: bulk.how, secretCount: bulk.count, secrets: bulk.names } } : null
}

const s3LogExpiryShort: Check = (record) => {
  const rules = shortLogExpiry(record)
  return rules.length > 0 ? { details: { bucket: rules[0]!.bucket, expiringRules: rules.map(({ bucket: _b, ...r }) => r) } } : null
}

export const CHECKS: Readonly<Record<string, Check>> = {
  's3-acl-public': s3AclPublic,
  's3-policy-public': s3PolicyPublic,
  's3-access-block-weakened': accessBlockWeakened,
  'cloudtrail-logging-weakened': cloudtrailLoggingWeakened,
  'iam-admin-policy': iamAdminPolicy,
  'iam-trust-external': iamTrustExternal,
  'iam-credential-for-other-user': iamOtherUserCredential,
  'sg-admin-ingress-open': sgAdminIngressOpen,
  'secrets-bulk-read': secretsBulkRead,
  's3-log-expiry-short': s3LogExpiryShort,
}

/** Parameters each check accepts, with their allowed values. */
export const CHECK_PARAMS: Readonly<Record<string, Record<string, readonly string[]>>> = {
  's3-acl-public': { shape: ['body', 'headers', 'any'] },
  's3-policy-public': {},
  's3-access-block-weakened': {},
  'cloudtrail-logging-weakened': {},
  'iam-admin-policy': {},
  'iam-trust-external': {},
  'iam-credential-for-other-user': {},
  'sg-admin-ingress-open': {},
  'secrets-bulk-read': {},
  's3-log-expiry-short': {},
}
