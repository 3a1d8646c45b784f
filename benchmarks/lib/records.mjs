// Seeded CloudTrail record builder. Objects are built in the key order CloudTrail writes (eventVersion first,
// errorCode/errorMessage after userAgent, additionalEventData after responseElements, resources after readOnly,
// tlsDetails last; measured from the invictus-ir files) and serialised with JSON.stringify, i.e. minified.
import {
  ACCOUNTS,
  BACKGROUND,
  BENIGN_ERRORS,
  DENIAL_RATE,
  ERROR_SHARE,
  EVENT_VERSIONS,
  IDENTITY_TYPES,
  OPTIONAL,
  REQUEST_PARAMS_NULL,
  ROOT_RATE,
  RULE_EVENTS,
  VARIANTS,
} from './profile.mjs'

/** sfc32: small, fast, and good enough for test data; seeded from a string so every object is reproducible. */
export function rng(seedText) {
  let h = 1779033703 ^ seedText.length
  for (let i = 0; i < seedText.length; i++) {
    h = Math.imul(h ^ seedText.charCodeAt(i), 3432918353)
    h = (h << 13) | (h >>> 19)
  }
  const next = () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507)
    h = Math.imul(h ^ (h >>> 13), 3266489909)
    return (h ^= h >>> 16) >>> 0
  }
  let a = next(),
    b = next(),
    c = next(),
    d = next()
  const u32 = () => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return t >>> 0
  }
  const r = {
    u32,
    float: () => u32() / 4294967296,
    int: (n) => Math.floor((u32() / 4294967296) * n),
    pick: (arr) => arr[Math.floor((u32() / 4294967296) * arr.length)],
    chance: (p) => u32() / 4294967296 < p,
    hex: (n) => {
      let s = ''
      while (s.length < n) s += u32().toString(16).padStart(8, '0')
      return s.slice(0, n)
    },
    alnum: (n, set = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') => {
      let s = ''
      for (let i = 0; i < n; i++) s += set[u32() % set.length]
      return s
    },
  }
  r.uuid = () => {
    const h = r.hex(32)
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[u32() & 3]}${h.slice(17, 20)}-${h.slice(20)}`
  }
  return r
}

/** Weighted choice from [value, weight] pairs, precomputed once. */
function weighted(pairs) {
  const total = pairs.reduce((a, p) => a + p[1], 0)
  const cum = []
  let acc = 0
  for (const p of pairs) cum.push((acc += p[1] / total))
  return (r) => {
    const x = r.float()
    for (let i = 0; i < cum.length; i++) if (x < cum[i]) return pairs[i][0]
    return pairs[pairs.length - 1][0]
  }
}

const pickBackground = weighted(BACKGROUND.map((b) => [b, b[2]]))
const pickIdentity = weighted(IDENTITY_TYPES)
const pickVersion = weighted(EVENT_VERSIONS)
const pickBenign = weighted(BENIGN_ERRORS.map((e) => [e, e[2]]))
const DENIALS = Object.entries(DENIAL_RATE)
const DENIAL_TOTAL = DENIALS.reduce((a, [, p]) => a + p, 0)
// Rule events are drawn first, each at its own per-record rate.
const RULE_CUM = []
{
  let acc = 0
  for (const e of RULE_EVENTS) RULE_CUM.push([(acc += e[2]), e])
}

const IPS = [
  '198.51.100.23',
  '203.0.113.88',
  '192.0.2.14',
  '198.51.100.7',
  '203.0.113.5',
  '10.8.8.10',
  '192.168.10.20',
  '52.94.133.131',
  '3.80.12.44',
  '18.206.107.29',
]
const AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/ec2.describe-instances',
  'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84',
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.44.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64',
  'aws-sdk-java/2.25.24 Linux/5.10.214 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java17 io/sync http/UrlConnection cfg/retry-mode/legacy',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'console.amazonaws.com',
  'aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1022-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ssm.get-parameter',
  'APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/3.76.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.157 (go1.19.3; linux; amd64) HashiCorp-terraform-exec/0.17.3',
]
const USERS = ['alice', 'bob', 'carol', 'deploy-bot', 'ci-runner', 'dave', 'erin', 'backup-svc']
const ROLES = [
  'OrganizationAccountAccessRole',
  'AWSReservedSSO_AdministratorAccess_0a1b2c3d',
  'app-prod-ec2-role',
  'github-actions-deploy',
  'lambda-etl-exec',
]
const BUCKETS = [
  'example-logs',
  'example-reports',
  'example-public-assets',
  'example-build-artifacts',
  'example-backups',
  'example-data-lake',
]

const host = (svc, region) => (svc === 'iam' || svc === 'signin' ? `${svc}.amazonaws.com` : `${svc}.${region}.amazonaws.com`)

function identity(r, type, acct) {
  if (type === 'Root')
    return { type: 'Root', principalId: acct, arn: `arn:aws:iam::${acct}:root`, accountId: acct, accessKeyId: `ASIA${r.alnum(16)}` }
  if (type === 'AWSService')
    return { type: 'AWSService', invokedBy: r.pick(['cloudformation.amazonaws.com', 'lambda.amazonaws.com', 'ec2.amazonaws.com']) }
  if (type === 'AssumedRole') {
    const role = r.pick(ROLES)
    const session = r.pick(USERS)
    const rid = `AROA${r.alnum(17)}`
    return {
      type: 'AssumedRole',
      principalId: `${rid}:${session}`,
      arn: `arn:aws:sts::${acct}:assumed-role/${role}/${session}`,
      accountId: acct,
      accessKeyId: `ASIA${r.alnum(16)}`,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: rid, arn: `arn:aws:iam::${acct}:role/${role}`, accountId: acct, userName: role },
        webIdFederationData: {},
        attributes: { creationDate: '2024-05-01T08:00:00Z', mfaAuthenticated: 'false' },
      },
    }
  }
  const user = r.pick(USERS)
  const u = {
    type: 'IAMUser',
    principalId: `AIDA${r.alnum(17)}`,
    arn: `arn:aws:iam::${acct}:user/${user}`,
    accountId: acct,
    accessKeyId: `AKIA${r.alnum(16)}`,
    userName: user,
  }
  // Calls made with session credentials (console, MFA-backed CLI) carry a sessionContext; this is what lifts the
  // generated mean record size to the measured 1,265 B.
  if (r.chance(0.6)) {
    u.accessKeyId = `ASIA${r.alnum(16)}`
    u.sessionContext = {
      sessionIssuer: {},
      webIdFederationData: {},
      attributes: { creationDate: '2024-05-01T07:58:12Z', mfaAuthenticated: r.chance(0.8) ? 'true' : 'false' },
    }
  }
  return u
}

const s3Extra = (r) => ({
  SignatureVersion: 'SigV4',
  CipherSuite: 'TLS_AES_128_GCM_SHA256',
  bytesTransferredIn: 0,
  AuthenticationMethod: 'AuthHeader',
  'x-amz-id-2': `${r.alnum(56, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}=`,
  bytesTransferredOut: r.int(2000),
})
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'

/**
 * requestParameters / responseElements / additionalEventData / resources for one call. Nested where the real
 * APIs nest (EC2 item sets, S3 ACL bodies and policies, KMS encryption contexts, STS credentials).
 */
function payload(r, svc, name, acct, region) {
  const out = { req: undefined, resp: null, extra: undefined, resources: undefined }
  const bucket = `${r.pick(BUCKETS)}-${acct}`
  const s3Host = `${bucket}.s3.${region}.amazonaws.com`
  switch (`${svc}:${name}`) {
    case 'signin:ConsoleLogin':
      out.req = null
      return out
    case 'ec2:AuthorizeSecurityGroupIngress':
    case 'ec2:RevokeSecurityGroupIngress': {
      const cidr = r.chance(0.3) ? '0.0.0.0/0' : `10.${r.int(255)}.0.0/16`
      const port = r.pick([22, 443, 3389, 5432])
      out.req = {
        groupId: `sg-${r.hex(17)}`,
        ipPermissions: {
          items: [
            {
              ipProtocol: 'tcp',
              fromPort: port,
              toPort: port,
              groups: {},
              ipRanges: { items: [{ cidrIp: cidr }] },
              ipv6Ranges: {},
              prefixListIds: {},
            },
          ],
        },
      }
      out.resp = {
        requestId: r.uuid(),
        _return: true,
        securityGroupRuleSet: {
          items: [
            {
              groupOwnerId: acct,
              groupId: out.req.groupId,
              securityGroupRuleId: `sgr-${r.hex(17)}`,
              isEgress: false,
              ipProtocol: 'tcp',
              fromPort: port,
              toPort: port,
              cidrIpv4: cidr,
            },
          ],
        },
      }
      return out
    }
    case 's3:PutBucketAcl': {
      const pub = r.chance(VARIANTS.publicAcl)
      const owner = { ID: r.hex(64) }
      if (pub && r.chance(0.5)) out.req = { bucketName: bucket, Host: s3Host, acl: '', 'x-amz-acl': ['public-read'] }
      else
        out.req = {
          bucketName: bucket,
          Host: s3Host,
          acl: '',
          AccessControlPolicy: {
            AccessControlList: {
              Grant: [
                {
                  Grantee: { 'xsi:type': 'CanonicalUser', 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', ID: owner.ID },
                  Permission: 'FULL_CONTROL',
                },
                ...(pub
                  ? [
                      {
                        Grantee: { 'xsi:type': 'Group', 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', URI: ALL_USERS },
                        Permission: 'READ',
                      },
                    ]
                  : []),
              ],
            },
            xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
            Owner: owner,
          },
        }
      out.extra = s3Extra(r)
      out.resources = [{ accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }]
      return out
    }
    case 's3:PutBucketPolicy': {
      const principal = r.chance(VARIANTS.publicPolicy) ? '*' : { AWS: `arn:aws:iam::${r.pick(ACCOUNTS)}:root` }
      out.req = {
        bucketName: bucket,
        Host: s3Host,
        policy: '',
        bucketPolicy: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'Read', Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
        },
      }
      out.extra = s3Extra(r)
      out.resources = [{ accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }]
      return out
    }
    case 's3:PutBucketPublicAccessBlock': {
      const off = !r.chance(VARIANTS.bpaWeakened)
      out.req = {
        bucketName: bucket,
        Host: s3Host,
        publicAccessBlock: '',
        PublicAccessBlockConfiguration: {
          xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
          BlockPublicAcls: off,
          IgnorePublicAcls: off,
          BlockPublicPolicy: off,
          RestrictPublicBuckets: off,
        },
      }
      out.extra = s3Extra(r)
      return out
    }
    case 'sts:AssumeRole':
      out.req = {
        roleArn: `arn:aws:iam::${acct}:role/${r.pick(ROLES)}`,
        roleSessionName: `${r.pick(USERS)}-${r.hex(8)}`,
        durationSeconds: 3600,
      }
      out.resp = {
        credentials: {
          accessKeyId: `ASIA${r.alnum(16)}`,
          sessionToken: r.alnum(380, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'),
          expiration: 'May 1, 2024, 9:00:00 AM',
        },
        assumedRoleUser: {
          assumedRoleId: `AROA${r.alnum(17)}:${r.pick(USERS)}`,
          arn: `arn:aws:sts::${acct}:assumed-role/${r.pick(ROLES)}/${r.pick(USERS)}`,
        },
      }
      out.resources = [{ accountId: acct, type: 'AWS::IAM::Role', ARN: out.req.roleArn }]
      return out
    case 'iam:PutRolePolicy':
      out.req = {
        roleName: r.pick(ROLES),
        policyName: `inline-${r.hex(6)}`,
        policyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::${bucket}/*"}]}`,
      }
      return out
    case 'iam:AttachRolePolicy':
      out.req = {
        roleName: r.pick(ROLES),
        policyArn: r.pick([
          'arn:aws:iam::aws:policy/ReadOnlyAccess',
          'arn:aws:iam::aws:policy/AdministratorAccess',
          `arn:aws:iam::${acct}:policy/app-access`,
        ]),
      }
      return out
    case 'iam:CreateAccessKey':
      out.req = { userName: r.pick(USERS) }
      out.resp = {
        accessKey: {
          userName: out.req.userName,
          accessKeyId: `AKIA${r.alnum(16)}`,
          status: 'Active',
          createDate: 'May 1, 2024, 8:00:00 AM',
        },
      }
      return out
    case 'cloudtrail:StopLogging':
    case 'cloudtrail:UpdateTrail':
      out.req = { name: `arn:aws:cloudtrail:${region}:${acct}:trail/org-trail` }
      return out
    case 'cloudtrail:PutEventSelectors':
      out.req = {
        trailName: 'org-trail',
        eventSelectors: [
          {
            readWriteType: r.pick(['All', 'WriteOnly']),
            includeManagementEvents: true,
            dataResources: [],
            excludeManagementEventSources: [],
          },
        ],
      }
      return out
    case 'kms:Decrypt':
    case 'kms:Encrypt':
    case 'kms:GenerateDataKey': {
      const key = `arn:aws:kms:${region}:${acct}:key/${r.uuid()}`
      out.req = {
        encryptionContext: { 'aws:lambda:FunctionArn': `arn:aws:lambda:${region}:${acct}:function:etl-${r.int(20)}` },
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        ...(name === 'GenerateDataKey' ? { keyId: key, keySpec: 'AES_256' } : {}),
      }
      out.resources = [{ accountId: acct, type: 'AWS::KMS::Key', ARN: key }]
      return out
    }
  }
  // Families, by service.
  if (svc === 's3') {
    out.req = { bucketName: bucket, Host: s3Host, [name.replace(/^(Get|Put|Delete)Bucket/, '').toLowerCase() || 'acl']: '' }
    out.extra = s3Extra(r)
    out.resources = [{ accountId: acct, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }]
  } else if (svc === 'ec2') {
    if (name.startsWith('Describe'))
      out.req = r.chance(0.5)
        ? {
            filterSet: {
              items: [
                {
                  name: r.pick(['vpc-id', 'tag:Name', 'instance-state-name']),
                  valueSet: { items: [{ value: `vpc-${r.hex(17)}` }, { value: `vpc-${r.hex(17)}` }] },
                },
                { name: 'owner-id', valueSet: { items: [{ value: acct }] } },
              ],
            },
            maxResults: 1000,
          }
        : { instancesSet: { items: [{ instanceId: `i-${r.hex(17)}` }] }, filterSet: {} }
    else
      out.req = { resourcesSet: { items: [{ resourceId: `i-${r.hex(17)}` }] }, tagSet: { items: [{ key: 'team', value: r.pick(USERS) }] } }
    if (name.startsWith('Create')) out.resp = { requestId: r.uuid(), _return: true }
  } else if (svc === 'ssm')
    out.req = { name: `/app/${r.pick(['prod', 'staging'])}/${r.pick(['db', 'api', 'cache'])}/password`, withDecryption: true }
  else if (svc === 'secretsmanager') out.req = { secretId: `arn:aws:secretsmanager:${region}:${acct}:secret:app/${r.hex(6)}` }
  else if (svc === 'iam') out.req = name.includes('Role') ? { roleName: r.pick(ROLES) } : { userName: r.pick(USERS) }
  else if (svc === 'rds') out.req = { dBInstanceIdentifier: `db-${r.hex(8)}`, maxRecords: 100 }
  else out.req = { name: `${name}-${r.hex(6)}` }
  return out
}

/** One record, as the object CloudTrail would serialise. `t` is the event time (ms). */
export function makeRecord(r, acct, region, t) {
  // Pick the call: a rule-relevant one at its own rate, else a background call by measured weight.
  let svc, name, readOnly
  const x = r.float()
  const hit = x < RULE_CUM[RULE_CUM.length - 1][0] ? RULE_CUM.find((c) => x < c[0])[1] : undefined
  if (hit) [svc, name, readOnly] = [hit[0], hit[1], false]
  else [svc, name, , readOnly] = pickBackground(r)

  let type = r.chance(ROOT_RATE) ? 'Root' : pickIdentity(r)
  if (svc === 'signin' && type !== 'Root') type = 'IAMUser'
  const ident = identity(r, type, acct)
  const p = payload(r, svc, name, acct, region)
  if (svc !== 'signin' && r.chance(REQUEST_PARAMS_NULL)) p.req = null

  const rec = {
    eventVersion: pickVersion(r),
    userIdentity: ident,
    eventTime: new Date(t).toISOString().slice(0, 19) + 'Z',
    eventSource: `${svc}.amazonaws.com`,
    eventName: name,
    awsRegion: region,
  }
  rec.sourceIPAddress = type === 'AWSService' ? ident.invokedBy : r.pick(IPS)
  rec.userAgent = type === 'AWSService' ? ident.invokedBy : svc === 'signin' ? AGENTS[4] : r.pick(AGENTS)

  if (svc === 'signin') {
    const failed = r.chance(VARIANTS.consoleFailed)
    if (failed) rec.errorMessage = 'Failed authentication'
    rec.requestParameters = null
    rec.responseElements = { ConsoleLogin: failed ? 'Failure' : 'Success' }
    rec.additionalEventData = {
      LoginTo: 'https://console.aws.amazon.com/console/home',
      MobileVersion: 'No',
      MFAUsed: r.chance(VARIANTS.consoleNoMfa) ? 'No' : 'Yes',
    }
  } else {
    // Errors: denials at their (low) rate, benign codes for the rest of the measured error share.
    const e = r.float()
    if (e < DENIAL_TOTAL) {
      const code = svc === 'ec2' ? 'Client.UnauthorizedOperation' : 'AccessDenied'
      rec.errorCode = code
      rec.errorMessage = `User: ${ident.arn ?? 'unknown'} is not authorized to perform: ${svc}:${name} because no identity-based policy allows the ${svc}:${name} action`
    } else if (e < ERROR_SHARE) {
      const [code, msg] = pickBenign(r)
      rec.errorCode = code
      rec.errorMessage = msg || `Parameter ${name} not found.`
    }
    rec.requestParameters = p.req
    rec.responseElements = rec.errorCode ? null : p.resp
    if (p.extra) rec.additionalEventData = p.extra
  }
  rec.requestID = r.uuid()
  rec.eventID = r.uuid()
  rec.readOnly = readOnly
  if (p.resources && r.chance(OPTIONAL.resources * 3)) rec.resources = p.resources
  rec.eventType = svc === 'signin' ? 'AwsConsoleSignIn' : 'AwsApiCall'
  rec.managementEvent = true
  rec.recipientAccountId = acct
  if (svc !== 'signin' && r.chance(OPTIONAL.vpcEndpointId)) rec.vpcEndpointId = `vpce-${r.hex(17)}`
  rec.eventCategory = 'Management'
  if (r.chance(OPTIONAL.tlsDetails))
    rec.tlsDetails = {
      tlsVersion: r.pick(['TLSv1.2', 'TLSv1.3']),
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: host(svc, region),
    }
  if (type === 'IAMUser' && r.chance(OPTIONAL.sessionCredentialFromConsole)) rec.sessionCredentialFromConsole = 'true'
  return rec
}
