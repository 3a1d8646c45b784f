import { describe, expect, it } from 'vitest'
import { severityOf } from '../../emit/severity.js'
import { checkRuleShape } from '../../rules/schema.js'
import { compileRule } from '../compile.js'
import type { RuleSpec, Severity } from '../../rules/spec.js'
import { compileTypedRule } from './index.js'
import { BULK_SECRETS } from './secrets.js'
import { MIN_LOG_EXPIRY_DAYS } from './s3-lifecycle.js'

/** The checks the aws-threat-detection pack and the CIS `raise` use: IAM, security groups, secrets, lifecycle. */
function rule(eventName: string[], check: string, severity: Severity = 'medium') {
  const spec: RuleSpec = {
    id: 't',
    title: 't',
    severity,
    language: 'typed',
    pattern: { eventName, check },
    examples: { match: [], noMatch: [] },
  }
  return compileTypedRule(spec)
}
function run(r: ReturnType<typeof rule>, record: Record<string, unknown>) {
  const hit = r.match({ record, text: JSON.stringify(record), envelope: () => ({}) })
  if (!hit) return null
  return { ...hit, ...severityOf(r.spec.severity, hit, undefined, typeof record.errorCode === 'string' ? record.errorCode : null) }
}
const alice = { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' }
const deployRole = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/deploy/s1',
  accountId: '111122223333',
  sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/deploy', userName: 'deploy' } },
}
function call(eventName: string, requestParameters: unknown, extra: Record<string, unknown> = {}) {
  return { eventName, userIdentity: alice, recipientAccountId: '111122223333', requestParameters, eventID: 'e', ...extra }
}

describe('iam-admin-policy', () => {
  const r = rule(
    ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy'],
    'iam-admin-policy',
  )
  it('names AdministratorAccess attached, in any partition', () => {
    const hit = run(r, call('AttachRolePolicy', { roleName: 'r', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }))
    expect(hit?.details).toEqual({ adminPolicy: 'arn:aws:iam::aws:policy/AdministratorAccess', policyKind: 'managed', grantedTo: 'r' })
    expect(
      run(r, call('AttachUserPolicy', { userName: 'u', policyArn: 'arn:aws-us-gov:iam::aws:policy/AdministratorAccess' })),
    ).not.toBeNull()
  })
  it('leaves other managed policies, including look-alikes', () => {
    expect(run(r, call('AttachUserPolicy', { userName: 'u', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }))).toBeNull()
    expect(
      run(r, call('AttachUserPolicy', { userName: 'u', policyArn: 'arn:aws:iam::111122223333:policy/AdministratorAccess' })),
    ).toBeNull()
    expect(run(r, call('AttachUserPolicy', { userName: 'u', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess-Amplify' }))).toBeNull()
  })
  it('names an inline policy granting *:* on *, given as a string or an object', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*:*', Resource: '*' }] }
    expect(run(r, call('PutUserPolicy', { userName: 'u', policyName: 'all', policyDocument: JSON.stringify(doc) }))?.details).toEqual({
      adminPolicy: 'all',
      policyKind: 'inline',
      grantedTo: 'u',
    })
    expect(
      run(
        r,
        call('PutRolePolicy', {
          roleName: 'r',
          policyName: 'all',
          policyDocument: { Statement: { Effect: 'Allow', Action: ['*'], Resource: ['*'] } },
        }),
      ),
    ).not.toBeNull()
  })
  it('leaves narrower inline policies', () => {
    const narrow = (st: unknown) =>
      call('PutUserPolicy', { userName: 'u', policyName: 'p', policyDocument: JSON.stringify({ Statement: [st] }) })
    expect(run(r, narrow({ Effect: 'Allow', Action: 's3:*', Resource: '*' }))).toBeNull()
    expect(run(r, narrow({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/*' }))).toBeNull()
    expect(run(r, narrow({ Effect: 'Deny', Action: '*', Resource: '*' }))).toBeNull()
    expect(run(r, call('PutUserPolicy', { userName: 'u', policyName: 'p', policyDocument: '{not json' }))).toBeNull()
  })
})

describe('iam-trust-external', () => {
  const r = rule(['CreateRole', 'UpdateAssumeRolePolicy'], 'iam-trust-external', 'high')
  const trust = (principal: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }] })
  it('names a principal in another account, or anyone', () => {
    const hit = run(r, call('UpdateAssumeRolePolicy', { roleName: 'r', policyDocument: trust({ AWS: 'arn:aws:iam::999988887777:root' }) }))
    expect(hit?.details).toEqual({ role: 'r', trusted: ['arn:aws:iam::999988887777:root'], withCondition: false })
    expect(run(r, call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: trust('*') }))?.details?.trusted).toEqual(['*'])
    expect(
      run(
        r,
        call('CreateRole', {
          roleName: 'r',
          assumeRolePolicyDocument: trust({ AWS: ['999988887777'] }, { Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }),
        }),
      )?.details?.withCondition,
    ).toBe(true)
  })
  it('leaves the account’s own principals and AWS services', () => {
    expect(run(r, call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: trust({ Service: 'lambda.amazonaws.com' }) }))).toBeNull()
    expect(
      run(r, call('CreateRole', { roleName: 'r', assumeRolePolicyDocument: trust({ AWS: 'arn:aws:iam::111122223333:role/admin' }) })),
    ).toBeNull()
  })
})

describe('iam-credential-for-other-user', () => {
  const r = rule(['CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile'], 'iam-credential-for-other-user')
  it('fires when a user or a role makes credentials for another user', () => {
    expect(run(r, call('CreateAccessKey', { userName: 'backdoor' }))?.details).toEqual({ targetUser: 'backdoor', credential: 'access key' })
    expect(run(r, call('CreateLoginProfile', { userName: 'alice' }, { userIdentity: deployRole }))?.details).toEqual({
      targetUser: 'alice',
      credential: 'console password',
    })
  })
  it('leaves a user rotating their own key (with or without userName)', () => {
    expect(run(r, call('CreateAccessKey', { userName: 'alice' }))).toBeNull()
    expect(run(r, call('CreateAccessKey', null))).toBeNull()
  })
  it('reports a refused call as a medium attempt', () => {
    expect(run(r, call('CreateAccessKey', { userName: 'bob' }, { errorCode: 'AccessDenied' }))).toMatchObject({
      severity: 'medium',
      status: 'attempt',
    })
  })
})

describe('sg-admin-ingress-open', () => {
  const r = rule(['AuthorizeSecurityGroupIngress'], 'sg-admin-ingress-open', 'high')
  const perm = (ipProtocol: unknown, fromPort: unknown, toPort: unknown, v4: string[], v6: string[] = []) => ({
    groupId: 'sg-1',
    ipPermissions: {
      items: [
        {
          ipProtocol,
          fromPort,
          toPort,
          ipRanges: { items: v4.map((cidrIp) => ({ cidrIp })) },
          ipv6Ranges: { items: v6.map((cidrIpv6) => ({ cidrIpv6 })) },
        },
      ],
    },
  })
  it('names the CIDR and the administrative ports opened to the internet', () => {
    expect(run(r, call('AuthorizeSecurityGroupIngress', perm('tcp', 22, 22, ['0.0.0.0/0'])))?.details).toEqual({
      cidr: ['0.0.0.0/0'],
      ports: [22],
    })
    expect(run(r, call('AuthorizeSecurityGroupIngress', perm('tcp', 0, 65535, [], ['::/0'])))?.details).toEqual({
      cidr: ['::/0'],
      ports: [22, 3389],
    })
    expect(run(r, call('AuthorizeSecurityGroupIngress', perm('-1', undefined, undefined, ['0.0.0.0/0'])))?.details?.ports).toEqual([
      22, 3389,
    ])
    expect(run(r, call('AuthorizeSecurityGroupIngress', perm('6', '3389', '3389', ['0.0.0.0/0'])))?.details?.ports).toEqual([3389])
  })
  it('reads the flat cidrIp form, and a /0 written with host bits', () => {
    const flat = { groupId: 'sg-1', cidrIp: '208.236.235.254/0', ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipPermissions: {} }
    expect(run(r, call('AuthorizeSecurityGroupIngress', flat))?.details).toEqual({ cidr: ['208.236.235.254/0'], ports: [22] })
  })
  it('leaves narrower ranges, other ports, UDP and egress', () => {
    expect(run(r, call('AuthorizeSecurityGroupIngress', perm('tcp', 22, 22, ['203.0.113.0/24'])))).toBeNull()
    expect(run(r, call('AuthorizeSecurityGroupIngress', perm('tcp', 443, 443, ['0.0.0.0/0'])))).toBeNull()
    expect(run(r, call('AuthorizeSecurityGroupIngress', perm('udp', 22, 22, ['0.0.0.0/0'])))).toBeNull()
    const egress = rule(['AuthorizeSecurityGroupEgress'], 'sg-admin-ingress-open')
    expect(run(egress, call('AuthorizeSecurityGroupEgress', perm('tcp', 22, 22, ['0.0.0.0/0'])))).toBeNull()
  })
})

describe('secrets-bulk-read', () => {
  const r = rule(['GetParameters', 'GetParametersByPath', 'BatchGetSecretValue'], 'secrets-bulk-read')
  const names = (n: number) => Array.from({ length: n }, (_, i) => `/app/p${i}`)
  it(`fires on ${BULK_SECRETS} or more decrypted parameters in one call, a recursive decrypted path, a batch by filter`, () => {
    expect(run(r, call('GetParameters', { names: names(BULK_SECRETS), withDecryption: true }))?.details?.secretCount).toBe(BULK_SECRETS)
    expect(run(r, call('GetParametersByPath', { path: '/', recursive: true, withDecryption: true }))).not.toBeNull()
    expect(run(r, call('BatchGetSecretValue', { filters: [{ key: 'tag-key', values: ['x'] }] }))).not.toBeNull()
    expect(run(r, call('BatchGetSecretValue', { secretIdList: names(BULK_SECRETS) }))).not.toBeNull()
  })
  it('leaves fewer names, no decryption, and workloads reading their own configuration', () => {
    expect(run(r, call('GetParameters', { names: names(BULK_SECRETS - 1), withDecryption: true }))).toBeNull()
    expect(run(r, call('GetParameters', { names: names(10), withDecryption: false }))).toBeNull()
    expect(run(r, call('GetParametersByPath', { path: '/app', recursive: false, withDecryption: true }))).toBeNull()
    expect(run(r, call('BatchGetSecretValue', { secretIdList: names(2) }))).toBeNull()
    const ec2 = { ...deployRole, sessionContext: { ...deployRole.sessionContext, ec2RoleDelivery: '2.0' } }
    expect(run(r, call('GetParameters', { names: names(10), withDecryption: true }, { userIdentity: ec2 }))).toBeNull()
    const lambda = { userIdentity: deployRole, userAgent: 'aws-sdk-nodejs/2.1 linux/v20 exec-env/AWS_Lambda_nodejs20.x' }
    expect(run(r, call('GetParameters', { names: names(10), withDecryption: true }, lambda))).toBeNull()
    expect(
      run(
        r,
        call(
          'GetParameters',
          { names: names(10), withDecryption: true },
          { userIdentity: { ...deployRole, invokedBy: 'cloudformation.amazonaws.com' } },
        ),
      ),
    ).toBeNull()
  })
})

describe('s3-log-expiry-short', () => {
  const r = rule(['PutBucketLifecycle'], 's3-log-expiry-short', 'high')
  const lifecycle = (bucket: string, rules: unknown) =>
    call('PutBucketLifecycle', { bucketName: bucket, LifecycleConfiguration: { Rule: rules }, lifecycle: '' })
  it(`fires on an enabled rule expiring CloudTrail logs within ${MIN_LOG_EXPIRY_DAYS} days, naming bucket, rule and days`, () => {
    const hit = run(r, lifecycle('org-logs', { ID: 'purge', Status: 'Enabled', Filter: { Prefix: 'AWSLogs/' }, Expiration: { Days: 1 } }))
    expect(hit?.details).toEqual({ bucket: 'org-logs', expiringRules: [{ rule: 'purge', prefix: 'AWSLogs/', days: 1 }] })
    expect(run(r, lifecycle('acme-cloudtrail', [{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: '7' } }]))).not.toBeNull()
    expect(
      run(r, lifecycle('x', { ID: 'old', Status: 'Enabled', Prefix: 'trail/AWSLogs/111122223333', Expiration: { Days: 3 } })),
    ).not.toBeNull()
  })
  it('leaves long expiries, disabled rules and buckets that hold no trail logs', () => {
    expect(
      run(r, lifecycle('org-logs', { ID: 'a', Status: 'Enabled', Filter: { Prefix: 'AWSLogs/' }, Expiration: { Days: 365 } })),
    ).toBeNull()
    expect(
      run(r, lifecycle('org-logs', { ID: 'a', Status: 'Disabled', Filter: { Prefix: 'AWSLogs/' }, Expiration: { Days: 1 } })),
    ).toBeNull()
    expect(run(r, lifecycle('tmp-uploads', { ID: 'a', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }))).toBeNull()
  })
})

describe('raise: a pattern rule made severe by a check', () => {
  const spec = (raise: RuleSpec['raise']): RuleSpec => ({
    id: 'cis-like',
    title: 't',
    severity: 'low',
    language: 'cwl-filter',
    pattern: '{ $.eventName = AuthorizeSecurityGroupIngress }',
    ...(raise ? { raise } : {}),
    examples: { match: [], noMatch: [] },
  })
  const open = call('AuthorizeSecurityGroupIngress', { groupId: 'sg-1', cidrIp: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: 22, toPort: 22 })
  const hitOf = (s: RuleSpec, record: Record<string, unknown>) => {
    const hit = compileRule(s).match({ record, text: JSON.stringify(record), envelope: () => ({}) })
    return hit && { ...hit, ...severityOf(s.severity, hit, undefined, typeof record.errorCode === 'string' ? record.errorCode : null) }
  }
  it('raises the severity and adds the check’s details when the check fires', () => {
    expect(hitOf(spec({ check: 'sg-admin-ingress-open', severity: 'high' }), open)).toMatchObject({
      severity: 'high',
      details: { cidr: ['0.0.0.0/0'], ports: [22] },
    })
  })
  it('keeps the rule’s severity when the check does not fire, and a failed call stays a medium attempt', () => {
    const narrow = call('AuthorizeSecurityGroupIngress', {
      groupId: 'sg-1',
      cidrIp: '10.0.0.0/8',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
    })
    expect(hitOf(spec({ check: 'sg-admin-ingress-open', severity: 'high' }), narrow)?.severity).toBe('low')
    expect(
      hitOf(spec({ check: 'sg-admin-ingress-open', severity: 'high' }), { ...open, errorCode: 'Client.UnauthorizedOperation' }),
    ).toMatchObject({ severity: 'medium', status: 'attempt' })
  })
  it('never lowers: a raise below the rule’s severity changes nothing', () => {
    expect(hitOf({ ...spec({ check: 'sg-admin-ingress-open', severity: 'info' }) }, open)?.severity).toBe('low')
  })
  it('refuses an unknown check at compile time', () => {
    expect(() => compileRule(spec({ check: 'no-such-check', severity: 'high' }))).toThrow(/raise.check/)
  })
})

describe('raise in a rule file', () => {
  const doc = (raise: unknown) => ({
    id: 'r',
    title: 't',
    severity: 'low',
    language: 'cwl-filter',
    pattern: '{ $.eventName = X }',
    raise,
    examples: { match: [{}], noMatch: [{}] },
  })
  it('accepts a check and a severity, and names each mistake', () => {
    expect(checkRuleShape(doc({ check: 'sg-admin-ingress-open', severity: 'high' }))).toEqual([])
    expect(checkRuleShape(doc('high')).map((d) => d.message)).toEqual(['raise: must be a mapping with check and severity'])
    expect(checkRuleShape(doc({ check: '', severity: 'urgent', when: 'x' })).map((d) => d.message)).toEqual([
      'raise.when: unknown field',
      'raise.check: must name a typed check',
      'raise.severity: must be one of info, low, medium, high, critical',
    ])
  })
})
