// Generates N rules of both pattern languages for the rule-count scaling scenario, written as a YAML rule
// directory (one block-style YAML file per rule, like the shipped packs). Rules look like a large
// detection set: most name the eventName they watch (so the engine can index them), a minority do not
// (errorCode, userIdentity.type, sourceIPAddress conditions alone), and most never fire on the corpus —
// values come from the corpus vocabulary for ~1 in 20 rules, from AWS names the corpus does not contain
// for the rest. Each rule carries one matching and one non-matching example built from the same values.
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { RULE_EVENTS } from './profile.mjs'
import { rng } from './records.mjs'

// Real API names of services the corpus does not exercise much: a big rule set mostly watches events
// that are absent from any given day of logs.
const OTHER_CALLS = [
  ['lambda', 'UpdateFunctionCode20150331v2'],
  ['lambda', 'AddPermission20150331v2'],
  ['ecr', 'SetRepositoryPolicy'],
  ['guardduty', 'DeleteDetector'],
  ['guardduty', 'UpdateDetector'],
  ['securityhub', 'BatchDisableStandards'],
  ['iam', 'CreateLoginProfile'],
  ['iam', 'UpdateLoginProfile'],
  ['iam', 'DeactivateMFADevice'],
  ['iam', 'CreateUser'],
  ['ec2', 'ModifyInstanceAttribute'],
  ['ec2', 'ModifySnapshotAttribute'],
  ['ec2', 'ModifyImageAttribute'],
  ['ec2', 'CreateKeyPair'],
  ['rds', 'ModifyDBSnapshotAttribute'],
  ['rds', 'RestoreDBInstanceFromDBSnapshot'],
  ['sso', 'CreatePermissionSet'],
  ['route53', 'ChangeResourceRecordSets'],
  ['ssm', 'StartSession'],
  ['ssm', 'SendCommand'],
  ['sts', 'GetFederationToken'],
  ['secretsmanager', 'RestoreSecret'],
  ['kms', 'PutKeyPolicy'],
  ['kms', 'CreateGrant'],
  ['s3', 'PutBucketWebsite'],
  ['s3', 'PutBucketReplication'],
  ['s3', 'PutObjectLockConfiguration'],
  ['elasticfilesystem', 'DeleteFileSystem'],
  ['eks', 'CreateAccessEntry'],
  ['organizations', 'InviteAccountToOrganization'],
  ['waf', 'DeleteWebACL'],
  ['logs', 'DeleteLogGroup'],
  ['events', 'DisableRule'],
  ['sns', 'SetTopicAttributes'],
  ['sqs', 'SetQueueAttributes'],
]
// Values a firing rule may use (present in the corpus), and values that never occur there.
const ERRORS_PRESENT = ['AccessDenied', 'Client.UnauthorizedOperation']
const ERRORS_ABSENT = ['InvalidClientTokenId', 'ExpiredToken', 'SignatureDoesNotMatch', 'OptInRequired', 'UnrecognizedClientException']
const TYPES_PRESENT = ['IAMUser', 'AssumedRole', 'Root']
const TYPES_ABSENT = ['FederatedUser', 'WebIdentityUser', 'SAMLUser', 'IdentityCenterUser']
const PARAM_FIELDS = [
  ['bucketName', 'example-'],
  ['roleName', 'app-'],
  ['userName', 'svc-'],
  ['groupId', 'sg-'],
  ['name', '/app/'],
  ['secretId', 'arn:aws:secretsmanager:'],
]

const baseRecord = (svc, name) => ({
  eventVersion: '1.09',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEBENCH00001',
    arn: 'arn:aws:iam::111122223333:user/alice',
    accountId: '111122223333',
    userName: 'alice',
  },
  eventTime: '2024-05-01T00:00:00Z',
  eventSource: `${svc}.amazonaws.com`,
  eventName: name,
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.23',
  userAgent: 'aws-cli/2.15.30',
  requestParameters: {},
  responseElements: null,
  eventID: '00000000-0000-4000-8000-000000000000',
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
})

/** One rule: { spec, example } where example matches and noMatch does not. */
function makeRule(r, i, unindexedShare) {
  const lang = r.chance(0.55) ? 'cwl-filter' : 'eventbridge'
  const fires = r.chance(0.05)
  // A firing rule watches one of the corpus's rare, security-relevant calls, never a background one, so the
  // generated set fires at a low rate like a real detection set.
  const [svc, name] = fires ? r.pick(RULE_EVENTS) : r.pick(OTHER_CALLS)
  const rec = baseRecord(svc, name)
  const noMatch = structuredClone(rec)
  const unindexed = r.chance(unindexedShare)
  const extra = r.int(4) // which extra condition the rule adds
  const [field, prefix] = r.pick(PARAM_FIELDS)
  const value = fires ? prefix : `${prefix}bench-${r.hex(6)}`
  const unindexedFires = fires && unindexed
  // Without an eventName to narrow it, a firing rule must key on something rare: a denial or root usage.
  const err = fires ? r.pick(ERRORS_PRESENT) : r.pick(ERRORS_ABSENT)
  const type = unindexedFires ? 'Root' : fires ? r.pick(TYPES_PRESENT) : r.pick(TYPES_ABSENT)
  const cidrNet = fires && !unindexed ? '198.51.100' : `203.0.${r.int(250)}`
  let pattern
  if (lang === 'cwl-filter') {
    const terms = []
    if (!unindexed) terms.push(`($.eventSource = "${svc}.amazonaws.com")`, `($.eventName = "${name}")`)
    const x = unindexed ? 1 + (extra % 3) : extra
    if (x === 0) (terms.push(`($.requestParameters.${field} = "${value}*")`), (rec.requestParameters[field] = `${value}x`))
    if (x === 1) (terms.push(`($.errorCode = "${err}")`), (rec.errorCode = err))
    if (x === 2) (terms.push(`($.userIdentity.type = "${type}")`), (rec.userIdentity.type = type))
    if (x === 3) (terms.push(`($.sourceIPAddress = "${cidrNet}.*")`), (rec.sourceIPAddress = `${cidrNet}.7`))
    if (unindexed && r.chance(0.5)) terms.push(`($.eventSource = "${svc}.amazonaws.com")`)
    pattern = `{ ${terms.join(' && ')} }`
  } else {
    const detail = {}
    if (!unindexed) Object.assign(detail, { eventSource: [`${svc}.amazonaws.com`], eventName: [name] })
    const x = unindexed ? 1 + (extra % 3) : extra
    if (x === 0) ((detail.requestParameters = { [field]: [{ prefix: value }] }), (rec.requestParameters[field] = `${value}x`))
    if (x === 1) ((detail.errorCode = [err]), (rec.errorCode = err))
    if (x === 2) ((detail.userIdentity = { type: [type] }), (rec.userIdentity.type = type))
    if (x === 3) ((detail.sourceIPAddress = [{ cidr: `${cidrNet}.0/24` }]), (rec.sourceIPAddress = `${cidrNet}.7`))
    pattern = { source: [`aws.${svc}`], 'detail-type': ['AWS API Call via CloudTrail'], detail }
  }
  // The non-matching example differs in the discriminating field (or the event name when the rule has one).
  if (!unindexed) noMatch.eventName = 'BenchNeverHappens'
  else ((noMatch.errorCode = 'BenchNoSuchError'), (noMatch.userIdentity.type = 'BenchType'), (noMatch.sourceIPAddress = '192.0.2.1'))
  const id = `bench-${String(i).padStart(4, '0')}`
  return {
    id,
    title: `Generated benchmark rule ${i} (${lang}${unindexed ? ', no eventName' : `, ${name}`})`,
    severity: r.pick(['low', 'medium', 'high']),
    language: lang,
    pattern,
    examples: { match: [rec], noMatch: [noMatch] },
  }
}

/**
 * Block-style YAML for the plain data of a rule (mappings, lists, strings, numbers, booleans, null). Strings are
 * written double-quoted with JSON escapes, which YAML reads identically; empty collections as {} and [].
 */
export function toYaml(v, indent = '') {
  const scalar = (x) => (x === null ? 'null' : typeof x === 'string' ? JSON.stringify(x) : String(x))
  const isColl = (x) => x !== null && typeof x === 'object' && Object.keys(x).length > 0
  if (Array.isArray(v))
    return v
      .map((x) =>
        isColl(x)
          ? `${indent}- ${toYaml(x, `${indent}  `).trimStart()}`
          : `${indent}- ${Array.isArray(x) ? '[]' : x && typeof x === 'object' ? '{}' : scalar(x)}`,
      )
      .join('\n')
  return Object.entries(v)
    .map(([k, x]) => {
      const key = /^[A-Za-z_][\w.-]*$/.test(k) ? k : JSON.stringify(k)
      if (isColl(x)) return `${indent}${key}:\n${toYaml(x, `${indent}  `)}`
      return `${indent}${key}: ${Array.isArray(x) ? '[]' : x && typeof x === 'object' ? '{}' : scalar(x)}`
    })
    .join('\n')
}

/** Writes the rule directory (once per count/seed/share) and returns its path. */
export function writeRuleDir(root, { count = 1000, seed = '42', unindexedShare = 0.1 } = {}) {
  const dir = join(root, `rules-${count}-seed${seed}-u${unindexedShare}`)
  if (existsSync(join(dir, 'pack.yaml'))) return dir
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const r = rng(`rules:${seed}`)
  for (let i = 0; i < count; i++) {
    const spec = makeRule(r, i, unindexedShare)
    writeFileSync(join(dir, `${spec.id}.yaml`), `${toYaml(spec)}\n`)
  }
  // Written last: its presence means the directory is complete.
  writeFileSync(join(dir, 'pack.yaml'), `id: bench-generated\ntitle: ${count} generated rules for the rule-count scaling benchmark\n`)
  return dir
}
