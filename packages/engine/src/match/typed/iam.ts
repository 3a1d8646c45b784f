import type { CloudTrailRecord } from '../../record.js'
import { parsePolicy } from './s3-policy.js'
import { asList, field, obj, str, strings } from './values.js'

/**
 * IAM changes that hand out lasting access: an administrator policy attached, an inline policy granting every
 * action on every resource, a role trusting another account, credentials made for another user.
 */

/** AWS's administrator policy, in every partition (aws, aws-cn, aws-us-gov). */
const ADMIN_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/

/** Whether an Allow statement grants every action (`*` or `*:*`) on every resource. */
function grantsEverything(statement: unknown): boolean {
  const st = obj(statement)
  if (!st || st.Effect !== 'Allow' || st.NotAction !== undefined || st.NotResource !== undefined) return false
  const actions = strings(st.Action)
  return actions.some((a) => a === '*' || a === '*:*') && strings(st.Resource).includes('*')
}

export interface AdminGrant {
  /** The managed policy ARN, or the inline policy's name. */
  policy: string
  kind: 'managed' | 'inline'
  /** The user, role or group it was given to. */
  target: string | null
}

/**
 * AttachUser/Role/GroupPolicy of AdministratorAccess, or PutUser/Role/GroupPolicy whose document (a JSON string
 * or an object) has an Allow statement on `*` / `*:*` over Resource `*`. Null for anything narrower.
 */
export function adminGrant(record: CloudTrailRecord): AdminGrant | null {
  const rp = record.requestParameters
  const target = str(field(rp, 'userName')) ?? str(field(rp, 'roleName')) ?? str(field(rp, 'groupName')) ?? null
  const name = str(record.eventName) ?? ''
  if (/^Attach(User|Role|Group)Policy$/.test(name)) {
    const arn = str(field(rp, 'policyArn'))
    return arn && ADMIN_POLICY.test(arn) ? { policy: arn, kind: 'managed', target } : null
  }
  if (/^Put(User|Role|Group)Policy$/.test(name)) {
    const doc = parsePolicy(field(rp, 'policyDocument'))
    if (!doc || !asList(doc.Statement).some(grantsEverything)) return null
    return { policy: str(field(rp, 'policyName')) ?? '(unnamed inline policy)', kind: 'inline', target }
  }
  return null
}

/** The account a trust-policy principal names: a 12-digit id, or the account field of an ARN. `*` is anyone. */
function principalAccount(p: string): string | null {
  if (p === '*') return '*'
  if (/^\d{12}$/.test(p)) return p
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(p)
  return m ? m[1]! : null
}

/**
 * The AWS principals of a trust policy's Allow statements that are outside `account` (or `*`): who can now assume
 * the role from elsewhere. Service and federated principals are not listed (they are AWS or the account's IdP).
 */
export function externalTrust(document: unknown, account: string | undefined): { principal: string; conditioned: boolean }[] {
  const doc = parsePolicy(document)
  if (!doc) return []
  const out: { principal: string; conditioned: boolean }[] = []
  for (const s of asList(doc.Statement)) {
    const st = obj(s)
    if (!st || st.Effect !== 'Allow') continue
    const principals = st.Principal === '*' ? ['*'] : strings(obj(st.Principal)?.AWS)
    for (const p of principals) {
      const acct = principalAccount(p)
      if (acct !== null && acct !== account) out.push({ principal: p, conditioned: obj(st.Condition) !== undefined })
    }
  }
  return out
}

/**
 * The user a credential call acts on when it is not the caller: CreateAccessKey, CreateLoginProfile and
 * UpdateLoginProfile name `userName` when they act on someone else (without it, on the caller). An IAM user
 * rotating their own key is routine; a role or another user making credentials for a user is how a backdoor
 * is kept.
 */
export function otherUserTarget(record: CloudTrailRecord): string | null {
  const target = str(field(record.requestParameters, 'userName'))
  if (!target) return null
  const ui = obj(record.userIdentity)
  if (str(ui?.type) === 'IAMUser' && str(ui?.userName) === target) return null
  return target
}
