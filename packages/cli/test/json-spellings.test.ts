import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listLocalObjects, scan, type CompiledRule } from '@trailscan/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compiledRulesOrExit } from '../src/load-rules.js'
import { generalPathHits, type Hit } from './general-path.js'

/**
 * JSON spellings CloudTrail never writes but a parser accepts (re-serialised or forged logs, ../shared/reliability
 * README §14): escaped keys and values, duplicate keys, a key nested before the record's own, whitespace before a
 * colon. The fast path (raw fields, literal prefilter) must find exactly what JSON.parse and every rule find, in
 * CloudTrail's compact layout, pretty-printed and as JSON Lines.
 */
let rules: CompiledRule[]
let dir: string
beforeAll(async () => {
  rules = (await compiledRulesOrExit(undefined)).rules
  dir = mkdtempSync(join(tmpdir(), 'trailscan-spellings-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Rec = Record<string, unknown>
const IAM_USER = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLE',
  arn: 'arn:aws:iam::111122223333:user/mallory',
  accountId: '111122223333',
  userName: 'mallory',
}

/** A record in CloudTrail's key order, with `extra` keys replacing or following the usual ones. */
function rec(eventName: string, id: number, extra: Rec = {}, eventSource = 'cloudtrail.amazonaws.com'): Rec {
  return {
    eventVersion: '1.08',
    userIdentity: IAM_USER,
    eventTime: '2024-05-14T16:05:37Z',
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main' },
    responseElements: null,
    eventID: `spelling-${id}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  }
}

const root = rec(
  'ConsoleLogin',
  6,
  {
    userIdentity: { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
    eventType: 'AwsConsoleSignIn',
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'Yes' },
  },
  'signin.amazonaws.com',
)
const denied = rec('RunInstances', 7, { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'x' }, 'ec2.amazonaws.com')
const policy = {
  bucketName: 'victim',
  bucketPolicy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::victim/*' }],
  },
}

const same = (t: string): string => t
/** name → records, and the rewrite of their JSON text (applied to every layout; `same` when the records say it all). */
const cases: [string, Rec[], (t: string) => string][] = [
  ['escaped eventName key', [rec('StopLogging', 1)], (t) => t.replaceAll('"eventName"', '"eventN\\u0061me"')],
  [
    'duplicate eventName, the last one counts',
    [rec('DescribeInstances', 2, { zzz: 1 })],
    (t) => t.replace(/"zzz": ?1/, '"eventName":"StopLogging"'),
  ],
  [
    'eventName nested in userIdentity, before the own one',
    [rec('StopLogging', 3, { userIdentity: { ...IAM_USER, eventName: 'DescribeInstances' } })],
    same,
  ],
  ['escaped eventName value', [rec('StopLogging', 4)], (t) => t.replace('"StopLogging"', '"Stop\\u004cogging"')],
  [
    'whitespace before the colon',
    [rec('StopLogging', 5)],
    (t) => t.replaceAll(/"eventName":/g, '"eventName" :').replaceAll('"eventName" : ', '"eventName"\n: '),
  ],
  ['escaped Root (CIS 4.3 literal)', [root], (t) => t.replace('"Root"', '"R\\u006fot"')],
  ['escaped errorCode key', [denied], (t) => t.replace('"errorCode"', '"err\\u006frCode"')],
  ['escaped errorCode value', [denied], (t) => t.replace('"Client.UnauthorizedOperation"', '"Client.Unauthorized\\u004fperation"')],
  [
    'escaped eventSource key',
    [rec('PutBucketPolicy', 8, { requestParameters: policy }, 's3.amazonaws.com')],
    (t) => t.replace('"eventSource"', '"eventS\\u006furce"'),
  ],
  [
    'duplicate userIdentity.type',
    [root],
    (t) => t.replace('"type":"Root"', '"type":"IAMUser","type":"Root"').replace('"type": "Root"', '"type": "IAMUser", "type": "Root"'),
  ],
  [
    'duplicate userIdentity, the last one counts',
    [{ ...root, eventID: 'spelling-9', userIdentity: IAM_USER, zzz: 1 }],
    (t) => t.replace(/"zzz": ?1/, '"userIdentity":{"type":"Root","accountId":"111122223333"}'),
  ],
  [
    'type after other userIdentity keys, with a nested type before it',
    [
      {
        ...root,
        eventID: 'spelling-10',
        userIdentity: { accountId: '111122223333', sessionContext: { sessionIssuer: { type: 'Role' } }, type: 'Root' },
      },
    ],
    same,
  ],
]

const layouts: [string, (rs: Rec[]) => string][] = [
  ['compact', (rs) => `{"Records":[${rs.map((r) => JSON.stringify(r)).join(',')}]}`],
  ['pretty', (rs) => JSON.stringify({ Records: rs }, null, 2)],
  ['JSON Lines', (rs) => rs.map((r) => JSON.stringify(r)).join('\n') + '\n'],
]

async function fastPathHits(path: string): Promise<Hit[]> {
  const out = new Map<string, Hit>()
  await scan({
    objects: listLocalObjects([path]),
    rules,
    onFinding: (f) => out.set(`${f.ruleId} ${f.eventId}`, { ruleId: f.ruleId, eventId: String(f.eventId), severity: f.severity }),
  })
  return [...out.values()].sort((a, b) => (`${a.ruleId} ${a.eventId}` < `${b.ruleId} ${b.eventId}` ? -1 : 1))
}

describe.each(layouts)('the fast path reads JSON spellings as JSON.parse does (%s)', (layout, write) => {
  it.each(cases)('%s', async (name, records, rewrite) => {
    const sub = join(dir, `${layout}-${name}`.replace(/[^A-Za-z0-9]+/g, '-'))
    mkdirSync(sub, { recursive: true })
    const text = rewrite(write(records))
    if (rewrite !== same) expect(text).not.toBe(write(records))
    writeFileSync(join(sub, layout === 'JSON Lines' ? 'a.jsonl' : 'a.json'), text)
    const general = generalPathHits(sub, rules)
    expect(general.length).toBeGreaterThan(0)
    expect(await fastPathHits(sub)).toEqual(general)
  })
})
