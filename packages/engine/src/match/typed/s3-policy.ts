import { globMatcher } from '../glob.js'
import { asList, obj, str, strings } from './values.js'

/**
 * Is a bucket policy public? A statement is public when it Allows, its Principal is "*" (or {"AWS": "*"}, also
 * as a one-element list), and no condition narrows it to an account, an organization, a VPC or VPC endpoint, or
 * a source IP range. CloudTrail usually records requestParameters.bucketPolicy as a JSON object, but some
 * producers store it as a string; both are read.
 */
export interface PublicStatement {
  sid: string | null
  actions: string[]
  /** Whether it lets anyone write or delete (critical) or only read (high). */
  access: 'read' | 'write'
}

/**
 * Condition keys that pin a statement to known principals or networks. Compared lower-case, since IAM condition
 * keys are case-insensitive.
 */
const NARROWING_KEYS = new Set(
  [
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:PrincipalAccount',
    'aws:SourceArn',
    'aws:PrincipalArn',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:ResourceOrgID',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceIp',
    'aws:VpcSourceIp',
    'aws:userid',
    'aws:username',
  ].map((k) => k.toLowerCase()),
)

/** Values that, though they sit under a narrowing key, let everyone through. */
const OPEN_VALUES = new Set(['*', '0.0.0.0/0', '::/0'])

/** Actions that write or delete; a policy action (with IAM wildcards) that covers one of them is a write. */
const WRITE_ACTIONS = [
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectAcl',
  's3:PutBucketPolicy',
  's3:DeleteBucket',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:AbortMultipartUpload',
  's3:RestoreObject',
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
].map((a) => a.toLowerCase())

export function parsePolicy(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      return obj(JSON.parse(value))
    } catch {
      return undefined
    }
  }
  return obj(value)
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true
  const p = obj(principal)
  if (!p) return false
  return strings(p.AWS).includes('*')
}

/** A condition narrows when some positive operator constrains a narrowing key to a value that is not open. */
function isNarrowed(condition: unknown): boolean {
  const c = obj(condition)
  if (!c) return false
  for (const [operator, block] of Object.entries(c)) {
    // Negated operators (StringNotEquals, NotIpAddress, ArnNotLike …) exclude some callers but admit the rest.
    if (/not/i.test(operator.replace(/IfExists$/i, ''))) continue
    if (/IfExists$/i.test(operator)) continue // a caller without the key passes an …IfExists test
    // Null only tests whether the key is present, and ForAllValues: passes a request that has no value for the key
    // (an anonymous caller has no aws:PrincipalOrgID): neither pins the statement to known callers.
    if (/^Null$/i.test(operator) || /^ForAllValues:/i.test(operator)) continue
    const entries = obj(block)
    if (!entries) continue
    for (const [key, values] of Object.entries(entries)) {
      if (!NARROWING_KEYS.has(key.toLowerCase())) continue
      const list = asList(values).map(String)
      if (list.length > 0 && list.every((v) => !OPEN_VALUES.has(v.trim()))) return true
    }
  }
  return false
}

/**
 * IAM action globs: `*` any run, `?` any one character, case-insensitive (both sides lower-cased). The shared
 * linear matcher, since the action text comes from the record: a RegExp built from `s3:***…*Z` backtracks for minutes.
 */
function actionGlob(glob: string): (action: string) => boolean {
  return globMatcher(glob.toLowerCase(), '?')
}

function coversWrite(actions: string[], notAction: boolean): boolean {
  const globs = actions.map(actionGlob)
  // NotAction with Allow grants everything except the listed actions: a write unless every write is excluded.
  if (notAction) return WRITE_ACTIONS.some((w) => !globs.some((g) => g(w)))
  return globs.some((g) => WRITE_ACTIONS.some((w) => g(w)))
}

export function publicStatements(policy: Record<string, unknown>): PublicStatement[] {
  const out: PublicStatement[] = []
  for (const s of asList(policy.Statement)) {
    const st = obj(s)
    if (!st || st.Effect !== 'Allow' || !isEveryone(st.Principal) || isNarrowed(st.Condition)) continue
    const notAction = st.NotAction !== undefined
    const actions = strings(notAction ? st.NotAction : st.Action)
    out.push({
      sid: str(st.Sid) ?? null,
      actions: notAction ? actions.map((a) => `NOT ${a}`) : actions,
      access: coversWrite(actions, notAction) ? 'write' : 'read',
    })
  }
  return out
}
