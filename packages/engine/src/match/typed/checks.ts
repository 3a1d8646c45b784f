import { userAgentKind, type CloudTrailRecord } from '../../record.js'
import type { Exposure, RuleHit } from '../matcher.js'
import { bodyGrants, hasAclBody, hasAclHeaders, headerGrants, isWriteGrant, type PublicGrant } from './s3-acl.js'
import { parsePolicy, publicStatements } from './s3-policy.js'
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

/**
 * Selectors that log no data events: no DataResource that names at least one ARN (a resource type with an empty
 * `values` list logs nothing, the Stratus Red Team event-selector technique), and no advanced selector on
 * eventCategory Data.
 */
function logsNoDataEvents(rp: unknown): boolean {
  const basic = asList(field(rp, 'eventSelectors'))
  const advanced = asList(field(rp, 'advancedEventSelectors'))
  const namesArns = (d: unknown): boolean => strings(field(d, 'values')).length > 0 || strings(field(d, 'Values')).length > 0
  const basicData = basic.some((s) => [...asList(field(s, 'dataResources')), ...asList(field(s, 'DataResources'))].some(namesArns))
  const advancedData = advanced.some((s) =>
    asList(field(s, 'fieldSelectors')).some((f) => field(f, 'field') === 'eventCategory' && strings(field(f, 'equals')).includes('Data')),
  )
  return !basicData && !advancedData
}

const cloudtrailLoggingWeakened: Check = (record) => {
  const name = str(record.eventName)
  if (name === 'StopLogging') return { details: { change: 'logging stopped', trail: str(field(record.requestParameters, 'name')) ?? null } }
  if (name === 'PutEventSelectors' && logsNoDataEvents(record.requestParameters))
    return { details: { change: 'event selectors log no data events', trail: str(field(record.requestParameters, 'trailName')) ?? null } }
  return null
}

export const CHECKS: Readonly<Record<string, Check>> = {
  's3-acl-public': s3AclPublic,
  's3-policy-public': s3PolicyPublic,
  's3-access-block-weakened': accessBlockWeakened,
  'cloudtrail-logging-weakened': cloudtrailLoggingWeakened,
}

/** Parameters each check accepts, with their allowed values. */
export const CHECK_PARAMS: Readonly<Record<string, Record<string, readonly string[]>>> = {
  's3-acl-public': { shape: ['body', 'headers', 'any'] },
  's3-policy-public': {},
  's3-access-block-weakened': {},
  'cloudtrail-logging-weakened': {},
}
