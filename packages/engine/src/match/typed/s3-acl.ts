import { asList, field, obj, str, strings } from './values.js'

/**
 * The public grants of an S3 ACL call, in both shapes CloudTrail records:
 *  - the XML body the console (and `s3api --access-control-policy`) sends:
 *    requestParameters.AccessControlPolicy.AccessControlList.Grant, an object for one grant, an array for several;
 *  - the headers the CLI and SDKs send: requestParameters.accessControlList["x-amz-grant-*"] = "uri=…AllUsers"
 *    (several grantees comma-separated), and the canned requestParameters["x-amz-acl"], a string or an array.
 */
export type PublicGroup = 'AllUsers' | 'AuthenticatedUsers'
/** `unknown`: a public grantee whose grant has no Permission this code can read (missing, misspelled, not text). */
export type Permission = 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL' | 'unknown'
export type AclShape = 'acl-body' | 'grant-headers' | 'canned-acl'

export interface PublicGrant {
  grantee: PublicGroup
  permission: Permission
  shape: AclShape
}

const GROUP_URI = /^https?:\/\/acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/

const HEADER_PERMISSION: Record<string, Permission> = {
  'x-amz-grant-read': 'READ',
  'x-amz-grant-write': 'WRITE',
  'x-amz-grant-read-acp': 'READ_ACP',
  'x-amz-grant-write-acp': 'WRITE_ACP',
  'x-amz-grant-full-control': 'FULL_CONTROL',
}

const CANNED: Record<string, readonly { grantee: PublicGroup; permission: Permission }[]> = {
  'public-read': [{ grantee: 'AllUsers', permission: 'READ' }],
  'public-read-write': [
    { grantee: 'AllUsers', permission: 'READ' },
    { grantee: 'AllUsers', permission: 'WRITE' },
  ],
  'authenticated-read': [{ grantee: 'AuthenticatedUsers', permission: 'READ' }],
}

const PERMISSIONS = new Set<string>(['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'])

function groupOf(uri: string): PublicGroup | undefined {
  const m = GROUP_URI.exec(uri.trim().replace(/^"|"$/g, ''))
  return m ? (m[1] as PublicGroup) : undefined
}

/** True when the request carries the XML-body ACL shape. */
export function hasAclBody(requestParameters: unknown): boolean {
  return field(requestParameters, 'AccessControlPolicy') !== undefined
}

/** True when the request carries grant headers or a canned ACL. */
export function hasAclHeaders(requestParameters: unknown): boolean {
  return field(requestParameters, 'accessControlList') !== undefined || field(requestParameters, 'x-amz-acl') !== undefined
}

export function bodyGrants(requestParameters: unknown): PublicGrant[] {
  const out: PublicGrant[] = []
  for (const g of asList(field(requestParameters, 'AccessControlPolicy', 'AccessControlList', 'Grant'))) {
    const uri = str(field(g, 'Grantee', 'URI'))
    const group = uri === undefined ? undefined : groupOf(uri)
    if (!group) continue
    // A grant to everyone is reported even when its Permission cannot be read: dropping it would hide the
    // grantee, and what S3 made of it is not known. Not counted as a write (high, not critical).
    const permission = str(obj(g)?.Permission)
    out.push({
      grantee: group,
      permission: permission !== undefined && PERMISSIONS.has(permission) ? (permission as Permission) : 'unknown',
      shape: 'acl-body',
    })
  }
  return out
}

export function headerGrants(requestParameters: unknown): PublicGrant[] {
  const out: PublicGrant[] = []
  const acl = obj(field(requestParameters, 'accessControlList'))
  for (const [header, permission] of Object.entries(HEADER_PERMISSION)) {
    for (const value of strings(acl?.[header])) {
      for (const part of value.split(',')) {
        // Trimmed by hand: a lazy `(.+?)\s*$` over record text backtracks quadratically on a run of spaces.
        const grantee = part.trim()
        const m = /^uri\s*=/i.exec(grantee)
        const group = m ? groupOf(grantee.slice(m[0].length).trim()) : undefined
        if (group) out.push({ grantee: group, permission, shape: 'grant-headers' })
      }
    }
  }
  for (const canned of strings(field(requestParameters, 'x-amz-acl')))
    for (const g of CANNED[canned.trim()] ?? []) out.push({ ...g, shape: 'canned-acl' })
  return out
}

/** Writing, or rewriting the ACL itself, lets anyone plant or replace data: the critical kind of public. */
export function isWriteGrant(g: PublicGrant): boolean {
  return g.permission === 'WRITE' || g.permission === 'WRITE_ACP' || g.permission === 'FULL_CONTROL'
}
