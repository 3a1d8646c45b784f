import { describe, expect, it } from 'vitest'
import { RuleSpecError } from '../../errors.js'
import { severityOf } from '../../emit/severity.js'
import { userAgentKind } from '../../record.js'
import type { RuleHit } from '../matcher.js'
import type { RuleSpec, Severity } from '../../rules/spec.js'
import { compileTypedRule } from './index.js'

/**
 * Behaviour of the typed checks through compileTypedRule, the way a rule file uses them: the request shapes
 * CloudTrail gives S3 ACL and policy calls, what narrows a public policy and what does not, write detection,
 * and the severity adjustments (critical for write access, medium "attempt" for a failed call).
 */
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'
const AUTH_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'
const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'

function rule(pattern: Record<string, unknown>, severity: Severity = 'high') {
  const spec: RuleSpec = { id: 'test-rule', title: 't', severity, language: 'typed', pattern, examples: { match: [], noMatch: [] } }
  return compileTypedRule(spec)
}
function run(r: ReturnType<typeof rule>, record: Record<string, unknown>): (RuleHit & { severity: Severity }) | null {
  const hit = r.match({ record, text: JSON.stringify(record), envelope: () => ({}) })
  if (!hit) return null
  const decided = severityOf(r.spec.severity, hit, undefined, typeof record.errorCode === 'string' ? record.errorCode : null)
  return { ...hit, severity: decided.severity, status: decided.status ?? undefined }
}
function s3(eventName: string, requestParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '1.09',
    eventTime: '2024-06-03T09:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.40',
    userAgent: '[aws-cli/2.17.32 md/command#s3api]',
    recipientAccountId: '111122223333',
    eventID: '00000000-0000-4000-8000-000000000001',
    requestParameters,
    ...extra,
  }
}
const grant = (uri: string, permission: string) => ({ Grantee: { 'xsi:type': 'Group', URI: uri }, Permission: permission })
const ownerGrant = { Grantee: { 'xsi:type': 'CanonicalUser', ID: OWNER }, Permission: 'FULL_CONTROL' }
const body = (g: unknown) => ({ bucketName: 'b', AccessControlPolicy: { AccessControlList: { Grant: g } } })
const headers = (h: Record<string, unknown>) => ({ bucketName: 'b', accessControlList: h })
const canned = (acl: unknown) => ({ bucketName: 'b', 'x-amz-acl': acl })

describe('s3-acl-public, XML body', () => {
  const console = rule({ eventSource: 's3.amazonaws.com', eventName: ['PutBucketAcl'], check: 's3-acl-public', shape: 'body' })

  it('reads one grant rendered as an object', () => {
    const hit = run(console, s3('PutBucketAcl', body(grant(ALL_USERS, 'READ'))))
    expect(hit?.severity).toBe('high')
    expect(hit?.details?.granted).toEqual([{ grantee: 'AllUsers', permission: 'READ', via: 'acl-body' }])
    expect(hit?.exposure).toEqual({ kind: 'acl', bucket: 'b' })
  })

  it('reads several grants rendered as an array', () => {
    const hit = run(console, s3('PutBucketAcl', body([ownerGrant, grant(AUTH_USERS, 'READ')])))
    expect(hit?.details?.granted).toEqual([{ grantee: 'AuthenticatedUsers', permission: 'READ', via: 'acl-body' }])
  })

  it('takes the https form of the group URI', () => {
    expect(run(console, s3('PutBucketAcl', body(grant(ALL_USERS.replace('http:', 'https:'), 'READ'))))).not.toBeNull()
  })

  it('does not fire on canonical-user grants or the log delivery group', () => {
    expect(run(console, s3('PutBucketAcl', body(ownerGrant)))).toBeNull()
    expect(run(console, s3('PutBucketAcl', body([ownerGrant, { Grantee: { ID: 'abc' }, Permission: 'READ' }])))).toBeNull()
    expect(run(console, s3('PutBucketAcl', body(grant('http://acs.amazonaws.com/groups/s3/LogDelivery', 'WRITE'))))).toBeNull()
  })

  it('ignores the header shape (shape: body)', () => {
    expect(run(console, s3('PutBucketAcl', headers({ 'x-amz-grant-read': `uri=${ALL_USERS}` })))).toBeNull()
    expect(run(console, s3('PutBucketAcl', canned('public-read')))).toBeNull()
  })

  it.each([
    ['missing', { Grantee: { URI: ALL_USERS } }],
    ['misspelled', { Grantee: { URI: ALL_USERS }, Permission: 'FULL_CONTROLL' }],
    ['not text', { Grantee: { URI: AUTH_USERS }, Permission: { value: 'READ' } }],
  ])('reports a public grant whose Permission is %s at high, permission "unknown"', (_, g) => {
    const hit = run(console, s3('PutBucketAcl', body([ownerGrant, g])))
    expect(hit?.severity).toBe('high')
    const grantee = g.Grantee.URI.endsWith('AllUsers') ? 'AllUsers' : 'AuthenticatedUsers'
    expect(hit?.details?.granted).toEqual([{ grantee, permission: 'unknown', via: 'acl-body' }])
    expect(run(console, s3('PutBucketAcl', body([g, grant(ALL_USERS, 'WRITE')])))?.severity).toBe('critical')
  })

  it.each(['WRITE', 'WRITE_ACP', 'FULL_CONTROL'])('raises %s for a public group to critical', (permission) => {
    expect(run(console, s3('PutBucketAcl', body([ownerGrant, grant(AUTH_USERS, permission)])))?.severity).toBe('critical')
  })

  it('keeps READ and READ_ACP at the rule severity', () => {
    expect(run(console, s3('PutBucketAcl', body([grant(ALL_USERS, 'READ'), grant(ALL_USERS, 'READ_ACP')])))?.severity).toBe('high')
  })

  it('reports a failed call as a medium attempt without an exposure, even for a write grant', () => {
    const hit = run(
      console,
      s3('PutBucketAcl', body(grant(ALL_USERS, 'FULL_CONTROL')), { errorCode: 'AccessDenied', errorMessage: 'Access Denied' }),
    )
    expect(hit?.severity).toBe('medium')
    expect(hit?.status).toBe('attempt')
    expect(hit?.exposure).toBeUndefined()
    expect(hit?.details?.granted).toEqual([{ grantee: 'AllUsers', permission: 'FULL_CONTROL', via: 'acl-body' }])
  })

  it('names the console variant from the user agent', () => {
    const hit = run(
      console,
      s3('PutBucketAcl', body(grant(ALL_USERS, 'READ')), { userAgent: '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]' }),
    )
    expect(hit?.details?.variant).toBe('console')
  })
  it('names the variant by the same user-agent classification as the finding', () => {
    // `console.` prefixed agents: the finding said userAgentKind "console" while the check said "sdk".
    const record = s3('PutBucketAcl', body(grant(ALL_USERS, 'READ')), { userAgent: 'console.ec2.amazonaws.com' })
    const hit = run(console, record)
    expect(userAgentKind(record)).toBe('console')
    expect(hit?.details?.variant).toBe('console')
    const viaHeaders = run(rule({ eventName: ['PutBucketAcl'], check: 's3-acl-public', shape: 'headers' }), {
      ...record,
      requestParameters: canned('public-read'),
    })
    expect(viaHeaders?.details?.variant).toBe('console (headers)')
  })
})

describe('s3-acl-public, headers and canned ACL', () => {
  const cli = rule({ eventSource: 's3.amazonaws.com', eventName: ['PutBucketAcl'], check: 's3-acl-public', shape: 'headers' })

  it('reads a grant header given as a string', () => {
    const hit = run(cli, s3('PutBucketAcl', headers({ 'x-amz-grant-read': `uri=${ALL_USERS}` })))
    expect(hit?.details?.granted).toEqual([{ grantee: 'AllUsers', permission: 'READ', via: 'grant-headers' }])
    expect(hit?.details?.variant).toBe('cli')
  })

  it('reads a grantee with spaces around it, and a long run of spaces in linear time', { timeout: 20_000 }, () => {
    const hit = run(cli, s3('PutBucketAcl', headers({ 'x-amz-grant-read': ` id=abc,  URI = ${ALL_USERS}  ` })))
    expect(hit?.details?.granted).toEqual([{ grantee: 'AllUsers', permission: 'READ', via: 'grant-headers' }])
    expect(run(cli, s3('PutBucketAcl', headers({ 'x-amz-grant-read': `uri=x${' '.repeat(200_000)}y` })))).toBeNull()
  })

  it('reads a grant header given as an array', () => {
    const hit = run(cli, s3('PutBucketAcl', headers({ 'x-amz-grant-write': [`uri=${ALL_USERS}`] })))
    expect(hit?.severity).toBe('critical')
  })

  it('splits a comma-separated list of grantees', () => {
    const hit = run(
      cli,
      s3('PutBucketAcl', headers({ 'x-amz-grant-read': `id=${OWNER}, emailAddress=someone@example.com, uri=${AUTH_USERS}` })),
    )
    expect(hit?.details?.granted).toEqual([{ grantee: 'AuthenticatedUsers', permission: 'READ', via: 'grant-headers' }])
  })

  it('accepts a quoted URI and spaces around the equals sign', () => {
    expect(run(cli, s3('PutBucketAcl', headers({ 'x-amz-grant-read-acp': `uri = "${ALL_USERS}"` })))).not.toBeNull()
  })

  it('does not fire on grants to account ids only', () => {
    expect(
      run(cli, s3('PutBucketAcl', headers({ 'x-amz-grant-read': `id=${OWNER}`, 'x-amz-grant-full-control': `id=${OWNER}` }))),
    ).toBeNull()
  })

  it.each([
    ['public-read', 'high'],
    [['public-read'], 'high'],
    ['authenticated-read', 'high'],
    [['public-read-write'], 'critical'],
    ['public-read-write', 'critical'],
  ])('reads the canned ACL %j', (acl, severity) => {
    expect(run(cli, s3('PutBucketAcl', canned(acl)))?.severity).toBe(severity)
  })

  it.each(['private', ['private'], 'bucket-owner-full-control', 'log-delivery-write', 'aws-exec-read'])(
    'does not fire on the canned ACL %j',
    (acl) => {
      expect(run(cli, s3('PutBucketAcl', canned(acl)))).toBeNull()
    },
  )

  it('ignores the XML body (shape: headers)', () => {
    expect(run(cli, s3('PutBucketAcl', body(grant(ALL_USERS, 'READ'))))).toBeNull()
  })

  it('lists a public grant given twice once', () => {
    const hit = run(cli, s3('PutBucketAcl', headers({ 'x-amz-grant-read': [`uri=${ALL_USERS}`, `uri=${ALL_USERS}`] })))
    expect(hit?.details?.granted).toHaveLength(1)
  })
})

describe('s3-acl-public, objects (shape: any)', () => {
  const objectAcl = rule({ eventSource: 's3.amazonaws.com', eventName: ['PutObjectAcl'], check: 's3-acl-public', shape: 'any' })

  it('reads both shapes and names the object in the exposure', () => {
    const viaBody = run(objectAcl, s3('PutObjectAcl', { ...body(grant(ALL_USERS, 'READ')), key: 'a/b.txt' }))
    const viaCanned = run(objectAcl, s3('PutObjectAcl', { ...canned('public-read'), key: 'a/b.txt' }))
    expect(viaBody?.exposure).toEqual({ kind: 'object-acl', bucket: 'b', key: 'a/b.txt' })
    expect(viaCanned?.exposure).toEqual({ kind: 'object-acl', bucket: 'b', key: 'a/b.txt' })
  })

  it('only fires on the event names of the rule', () => {
    expect(run(objectAcl, s3('PutObject', { ...canned('public-read'), key: 'a/b.txt' }))).toBeNull()
    expect(run(objectAcl, s3('PutBucketAcl', canned('public-read')))).toBeNull()
  })

  it('only fires on the event source of the rule', () => {
    expect(
      run(objectAcl, { ...s3('PutObjectAcl', { ...canned('public-read'), key: 'k' }), eventSource: 's3-outposts.amazonaws.com' }),
    ).toBeNull()
  })
})

describe('s3-policy-public', () => {
  const pol = rule({ eventSource: 's3.amazonaws.com', eventName: ['PutBucketPolicy'], check: 's3-policy-public' })
  const stmt = (extra: Record<string, unknown>) => ({
    Sid: 'S',
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::b/*',
    ...extra,
  })
  const put = (statements: unknown, asString = false) => {
    const policy = { Version: '2012-10-17', Statement: statements }
    return s3('PutBucketPolicy', { bucketName: 'b', policy: '', bucketPolicy: asString ? JSON.stringify(policy) : policy })
  }

  it('reads a policy recorded as an object and as a JSON string', () => {
    const asObject = run(pol, put([stmt({})]))
    const asString = run(pol, put([stmt({})], true))
    expect(asObject?.details?.policyGivenAs).toBe('object')
    expect(asString?.details?.policyGivenAs).toBe('string')
    expect(asString?.details?.granted).toEqual(asObject?.details?.granted)
    expect(asObject?.exposure).toEqual({ kind: 'policy', bucket: 'b' })
  })

  it('reads a Statement given as a single object', () => {
    expect(run(pol, put(stmt({})))).not.toBeNull()
  })

  it('ignores a policy string that is not JSON', () => {
    expect(run(pol, s3('PutBucketPolicy', { bucketName: 'b', bucketPolicy: '{"Version":' }))).toBeNull()
  })

  it.each([['*'], [{ AWS: '*' }], [{ AWS: ['*'] }], [{ AWS: ['arn:aws:iam::444455556666:root', '*'] }]])(
    'treats Principal %j as everyone',
    (principal) => {
      expect(run(pol, put([stmt({ Principal: principal })]))).not.toBeNull()
    },
  )

  it.each([
    [{ AWS: 'arn:aws:iam::444455556666:root' }],
    [{ Service: 'cloudtrail.amazonaws.com' }],
    [{ AWS: ['arn:aws:iam::444455556666:role/reader'] }],
  ])('does not treat Principal %j as everyone', (principal) => {
    expect(run(pol, put([stmt({ Principal: principal })]))).toBeNull()
  })

  it('ignores Deny statements', () => {
    expect(run(pol, put([stmt({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]))).toBeNull()
  })

  it.each([
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/24'],
    ['StringEquals', 'aws:SourceVpc', 'vpc-1a2b3c4d'],
    ['StringEquals', 'aws:SourceVpce', 'vpce-1a2b3c4d'],
    ['StringEquals', 'aws:SourceAccount', '111122223333'],
    ['StringEquals', 'aws:SourceOwner', '111122223333'],
    ['StringEquals', 'aws:PrincipalAccount', '111122223333'],
    ['StringEquals', 'aws:PrincipalOrgID', 'o-a1b2c3d4e5'],
    ['ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:cloudfront::111122223333:distribution/E1A2B3C4D5E6F7'],
    ['ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/reader'],
    ['StringEquals', 'aws:SourceOrgID', 'o-a1b2c3d4e5'],
    ['StringEquals', 'AWS:SOURCEVPCE', 'vpce-1a2b3c4d'],
  ])('%s on %s narrows the statement', (operator, key, value) => {
    expect(run(pol, put([stmt({ Condition: { [operator]: { [key]: value } } })]))).toBeNull()
  })

  it.each([
    ['IpAddress', 'aws:SourceIp', '0.0.0.0/0'],
    ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24', '0.0.0.0/0']],
    ['IpAddress', 'aws:SourceIp', '::/0'],
    ['StringLike', 'aws:SourceAccount', '*'],
  ])('%s on %s with %j lets everyone through', (operator, key, value) => {
    expect(run(pol, put([stmt({ Condition: { [operator]: { [key]: value } } })]))).not.toBeNull()
  })

  it.each([
    ['StringNotEquals', 'aws:SourceVpce', 'vpce-1a2b3c4d'],
    ['NotIpAddress', 'aws:SourceIp', '203.0.113.0/24'],
    ['ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/*'],
    ['StringNotEqualsIfExists', 'aws:PrincipalOrgID', 'o-a1b2c3d4e5'],
  ])('the negated operator %s does not narrow', (operator, key, value) => {
    expect(run(pol, put([stmt({ Condition: { [operator]: { [key]: value } } })]))).not.toBeNull()
  })

  it.each([
    ['StringEqualsIfExists', 'aws:PrincipalOrgID', 'o-a1b2c3d4e5'],
    ['IpAddressIfExists', 'aws:SourceIp', '203.0.113.0/24'],
    ['ArnLikeIfExists', 'aws:SourceArn', 'arn:aws:s3:::other'],
  ])('%s does not narrow: a caller without the key passes', (operator, key, value) => {
    expect(run(pol, put([stmt({ Condition: { [operator]: { [key]: value } } })]))).not.toBeNull()
  })

  it('Null does not narrow: it only asks whether the key is present', () => {
    expect(run(pol, put([stmt({ Condition: { Null: { 'aws:SourceVpce': 'true' } } })]))).not.toBeNull()
    expect(run(pol, put([stmt({ Condition: { Null: { 'aws:SourceIp': 'false' } } })]))).not.toBeNull()
  })

  it('ForAllValues: does not narrow: a request without the key passes', () => {
    expect(run(pol, put([stmt({ Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } })]))).not.toBeNull()
  })

  it('a condition on a key that names no caller or network does not narrow', () => {
    expect(run(pol, put([stmt({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })]))).not.toBeNull()
    expect(run(pol, put([stmt({ Condition: { StringEquals: { 's3:ExistingObjectTag/public': 'yes' } } })]))).not.toBeNull()
  })

  it('lists only the statements that are public', () => {
    const hit = run(
      pol,
      put([
        stmt({ Sid: 'Org', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
        stmt({ Sid: 'Public' }),
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::444455556666:root' },
          Action: 's3:*',
          Resource: 'arn:aws:s3:::b/*',
        },
      ]),
    )
    expect(hit?.details?.granted).toEqual([{ grantee: '*', statement: 'Public', actions: ['s3:GetObject'], access: 'read' }])
    expect(hit?.severity).toBe('high')
  })

  it.each([
    ['s3:PutObject'],
    ['s3:Put*'],
    ['s3:*'],
    ['*'],
    [['s3:GetObject', 's3:DeleteObject']],
    ['S3:PUTOBJECT'],
    ['s3:Delete*'],
    ['s3:PutObjec?'],
  ])('a public statement allowing %j is a write: critical', (action) => {
    const hit = run(pol, put([stmt({ Action: action })]))
    expect(hit?.severity).toBe('critical')
    expect((hit?.details?.granted as { access: string }[])[0]?.access).toBe('write')
  })

  it.each([['s3:GetObject'], ['s3:Get*'], [['s3:ListBucket', 's3:GetObjectVersion']], ['s3:List*']])(
    'a public statement allowing only %j is a read: high',
    (action) => {
      expect(run(pol, put([stmt({ Action: action })]))?.severity).toBe('high')
    },
  )

  it('NotAction with Allow grants everything else: a write unless every write is excluded', () => {
    const open = run(pol, put([stmt({ Action: undefined, NotAction: 's3:GetObject' })]))
    expect(open?.severity).toBe('critical')
    expect((open?.details?.granted as { actions: string[] }[])[0]?.actions).toEqual(['NOT s3:GetObject'])
    const writesExcluded = run(
      pol,
      put([stmt({ Action: undefined, NotAction: ['s3:Put*', 's3:Delete*', 's3:Abort*', 's3:Restore*', 's3:Replicate*'] })]),
    )
    expect(writesExcluded?.severity).toBe('high')
  })

  // ../shared/reliability/README.md §1: a RegExp per action glob took over 120 s on 20 stars.
  it('matches action globs with many stars in linear time, success and failure alike', { timeout: 20_000 }, () => {
    const stars = '*'.repeat(40)
    expect(run(pol, put([stmt({ Action: ['s3:GetObject', `s3:Put${stars}Versioning`] })]))?.severity).toBe('critical')
    expect(run(pol, put([stmt({ Action: `s3:${stars}Z` })]))?.severity).toBe('high')
    const denied = run(pol, { ...put([stmt({ Action: `s3:${stars}Z` })]), errorCode: 'AccessDenied', errorMessage: 'Access Denied' })
    expect(denied?.severity).toBe('medium')
    expect(run(pol, put([stmt({ Action: undefined, NotAction: `s3:${stars}Z` })]))?.severity).toBe('critical')
  })

  it('reads `?` as one character and everything else in an action literally', () => {
    expect(run(pol, put([stmt({ Action: 's3:PutObjec??' })]))?.severity).toBe('high')
    expect(run(pol, put([stmt({ Action: 's3:Put.bject' })]))?.severity).toBe('high')
    expect(run(pol, put([stmt({ Action: 's3:?ut*' })]))?.severity).toBe('critical')
  })

  it('reports a failed call as a medium attempt without an exposure', () => {
    const hit = run(pol, { ...put([stmt({ Action: 's3:*' })]), errorCode: 'AccessDenied', errorMessage: 'Access Denied' })
    expect(hit?.severity).toBe('medium')
    expect(hit?.status).toBe('attempt')
    expect(hit?.exposure).toBeUndefined()
  })
})

describe('s3-access-block-weakened', () => {
  const bpa = rule({
    eventSource: 's3.amazonaws.com',
    eventName: [
      'DeleteBucketPublicAccessBlock',
      'PutBucketPublicAccessBlock',
      'DeleteAccountPublicAccessBlock',
      'PutAccountPublicAccessBlock',
    ],
    check: 's3-access-block-weakened',
  })
  const cfg = (c: Record<string, unknown>) => ({
    publicAccessBlock: '',
    bucketName: 'b',
    PublicAccessBlockConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', ...c },
  })
  const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }

  it('fires on a deletion with every setting off', () => {
    const hit = run(bpa, s3('DeleteBucketPublicAccessBlock', { bucketName: 'b', publicAccessBlock: '' }))
    expect(hit?.details).toEqual({
      variant: expect.any(String),
      level: 'bucket',
      target: 'b',
      change: 'deleted',
      disabled: ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'],
    })
  })

  it('names the account for the account-level calls', () => {
    expect(
      run(bpa, s3('DeleteAccountPublicAccessBlock', { Host: '111122223333.s3-control.us-east-1.amazonaws.com' }))?.details,
    ).toMatchObject({ level: 'account', target: '111122223333' })
  })

  it('fires on a put with one setting false, and counts an omitted setting as false', () => {
    expect(run(bpa, s3('PutBucketPublicAccessBlock', cfg({ ...ALL_ON, BlockPublicPolicy: false })))?.details?.disabled).toEqual([
      'BlockPublicPolicy',
    ])
    const { RestrictPublicBuckets: _r, ...three } = ALL_ON
    expect(run(bpa, s3('PutAccountPublicAccessBlock', cfg(three)))?.details?.disabled).toEqual(['RestrictPublicBuckets'])
  })

  it('does not fire when all four are on, as booleans or as text', () => {
    expect(run(bpa, s3('PutBucketPublicAccessBlock', cfg(ALL_ON)))).toBeNull()
    expect(
      run(
        bpa,
        s3(
          'PutAccountPublicAccessBlock',
          cfg({ BlockPublicAcls: 'true', IgnorePublicAcls: 'true', BlockPublicPolicy: 'true', RestrictPublicBuckets: 'true' }),
        ),
      ),
    ).toBeNull()
  })

  it('reports a failed deletion as a medium attempt', () => {
    expect(run(bpa, s3('DeleteBucketPublicAccessBlock', { bucketName: 'b' }, { errorCode: 'AccessDenied' }))?.severity).toBe('medium')
  })
})

describe('cloudtrail-logging-weakened', () => {
  const ct = rule({
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: ['StopLogging', 'DeleteTrail', 'PutEventSelectors'],
    check: 'cloudtrail-logging-weakened',
  })
  const call = (eventName: string, requestParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...s3(eventName, requestParameters, extra),
    eventSource: 'cloudtrail.amazonaws.com',
  })

  it('fires on StopLogging', () => {
    expect(run(ct, call('StopLogging', { name: 'org-trail' }))?.details).toEqual({ change: 'logging stopped', trail: 'org-trail' })
  })

  it('fires on DeleteTrail, raised to high like StopLogging', () => {
    const hit = run(ct, call('DeleteTrail', { name: 'org-trail' }))
    expect(hit?.details).toEqual({ change: 'trail deleted', trail: 'org-trail' })
    expect(hit?.raise).toBe('high')
  })

  it('says when selectors turn management events off, and raises that above dropping data events only', () => {
    const mgmtOff = run(
      ct,
      call('PutEventSelectors', {
        trailName: 't',
        eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false, dataResources: [] }],
      }),
    )
    expect(mgmtOff?.details).toEqual({
      change: 'event selectors log no management events',
      managementEvents: false,
      dataEvents: false,
      trail: 't',
    })
    expect(mgmtOff?.raise).toBe('high')
    const dataOnly = run(
      ct,
      call('PutEventSelectors', {
        trailName: 't',
        eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true, dataResources: [] }],
      }),
    )
    expect(dataOnly?.raise).toBeUndefined()
    const medium = rule({ eventName: ['PutEventSelectors'], check: 'cloudtrail-logging-weakened' }, 'medium')
    expect(run(medium, call('PutEventSelectors', { trailName: 't', eventSelectors: [{ includeManagementEvents: false }] }))?.severity).toBe(
      'high',
    )
    expect(run(medium, call('PutEventSelectors', { trailName: 't', eventSelectors: [{ includeManagementEvents: true }] }))?.severity).toBe(
      'medium',
    )
    // Advanced selectors on data only: management events are off too.
    const dataAdvanced = {
      name: 'd',
      fieldSelectors: [
        { field: 'eventCategory', equals: ['Data'] },
        { field: 'resources.type', equals: ['AWS::S3::Object'] },
      ],
    }
    expect(run(ct, call('PutEventSelectors', { trailName: 't', advancedEventSelectors: [dataAdvanced] }))?.details).toMatchObject({
      managementEvents: false,
      dataEvents: true,
    })
  })

  it('fires on selectors with no data resources', () => {
    const hit = run(
      ct,
      call('PutEventSelectors', {
        trailName: 't',
        eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true, dataResources: [] }],
      }),
    )
    expect(hit?.details).toEqual({ change: 'event selectors log no data events', managementEvents: true, dataEvents: false, trail: 't' })
  })

  it('fires on data resources that name no ARN (they log nothing)', () => {
    const rp = {
      trailName: 't',
      eventSelectors: [
        { readWriteType: 'ReadOnly', includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: [] }] },
      ],
    }
    expect(run(ct, call('PutEventSelectors', rp))).not.toBeNull()
  })

  it('does not fire while a basic selector logs S3 data events', () => {
    const rp = {
      trailName: 't',
      eventSelectors: [
        { readWriteType: 'All', includeManagementEvents: true, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] },
      ],
    }
    expect(run(ct, call('PutEventSelectors', rp))).toBeNull()
  })

  it('reads advanced selectors: management only fires, eventCategory Data does not', () => {
    const mgmt = { name: 'm', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }
    const data = {
      name: 'd',
      fieldSelectors: [
        { field: 'eventCategory', equals: ['Data'] },
        { field: 'resources.type', equals: ['AWS::S3::Object'] },
      ],
    }
    expect(run(ct, call('PutEventSelectors', { trailName: 't', advancedEventSelectors: [mgmt] }))).not.toBeNull()
    expect(run(ct, call('PutEventSelectors', { trailName: 't', advancedEventSelectors: [mgmt, data] }))).toBeNull()
  })

  it('does not fire on StartLogging, and reports a refused StopLogging as a medium attempt', () => {
    expect(run(ct, call('StartLogging', { name: 't' }))).toBeNull()
    expect(run(ct, call('StopLogging', { name: 't' }, { errorCode: 'AccessDeniedException' }))?.severity).toBe('medium')
  })
})

describe('compileTypedRule', () => {
  it('indexes the rule by its event names and source', () => {
    const r = rule({ eventSource: 's3.amazonaws.com', eventName: ['PutBucketAcl', 'PutObjectAcl'], check: 's3-acl-public', shape: 'any' })
    expect(r.indexKeys).toEqual({ eventName: ['PutBucketAcl', 'PutObjectAcl'], eventSource: ['s3.amazonaws.com'] })
  })

  it.each([
    [{ eventName: ['PutBucketAcl'], check: 'no-such-check' }],
    [{ eventName: [], check: 's3-policy-public' }],
    [{ eventName: ['PutBucketAcl'], check: 's3-acl-public', shape: 'xml' }],
    [{ eventName: ['PutBucketPolicy'], check: 's3-policy-public', shape: 'body' }],
  ])('rejects the pattern %j', (pattern) => {
    expect(() => rule(pattern)).toThrow(RuleSpecError)
  })
})
