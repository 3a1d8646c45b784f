import { Readable } from 'node:stream'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { TrailscanError } from '../errors.js'
import type { LogObject } from '../source/log-object.js'
import { DECODE_DEFAULTS } from './decompress.js'
import { readRecords } from './records.js'

/**
 * The crafted layouts of ../shared/reliability (relsec gen_evasion.py E1–E8, gen_trunc.py concatenated documents),
 * rebuilt here: whatever the layout, chunking or inflate path, the records read must be the records a JSON parser
 * sees, at the indexes it gives them.
 */
type Rec = Record<string, unknown>

export function cloudTrailRecord(name: string, id: string, extra: Rec = {}): Rec {
  const source = name === 'StopLogging' ? 'cloudtrail.amazonaws.com' : name === 'PutBucketPolicy' ? 's3.amazonaws.com' : 'ec2.amazonaws.com'
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333', userName: 'mallory' },
    eventTime: '2024-05-14T16:05:37Z',
    eventSource: source,
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: name === 'StopLogging' ? { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main' } : null,
    responseElements: null,
    requestID: `req-${id}`,
    eventID: id,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    ...extra,
  }
}

export const compactBody = (records: Rec[]): string => `{"Records":[${records.map((r) => JSON.stringify(r)).join(',')}]}`

const nested = [{ name: 'x' }, { eventVersion: '1.08', eventName: 'DescribeInstances', eventID: 'nested-1' }]
const nestedStop = [{ name: 'x' }, { eventVersion: '1.08', eventName: 'StopLogging', eventID: 'nested-2' }]
const policy = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::victim/*' },
    { eventVersion: '1.08', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::victim/*' },
  ],
}
const fabricated = cloudTrailRecord('StopLogging', 'FABRICATED-0001', { userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/innocent-admin' } })

/** The nested-anchor shapes, by the relsec names. */
export const anchorCases: Record<string, Rec[]> = {
  'E1-nested-in-benign-then-real': [
    cloudTrailRecord('DescribeInstances', 'e1', { requestParameters: { filterSet: { items: nested } } }),
    cloudTrailRecord('StopLogging', 'e2'),
  ],
  'E2-nested-in-real': [cloudTrailRecord('StopLogging', 'e3', { requestParameters: { name: 'trail/main', tags: nested } })],
  'E3-public-policy-with-anchor': [
    cloudTrailRecord('PutBucketPolicy', 'e4', { requestParameters: { bucketName: 'victim', bucketPolicy: policy, policy: [''] } }),
    cloudTrailRecord('DescribeInstances', 'e5'),
  ],
  'E4-phantom-stoplogging': [cloudTrailRecord('DescribeInstances', 'e6', { requestParameters: { items: nestedStop } }), cloudTrailRecord('DescribeInstances', 'e7')],
  'E5-anchor-last-in-A': [cloudTrailRecord('DescribeInstances', 'e8', { zz: nested }), cloudTrailRecord('StopLogging', 'e9')],
  'E6-nested-full-record': [
    cloudTrailRecord('DescribeInstances', 'e10', {
      tlsDetails: [{ a: 1 }, { eventVersion: '1.08', eventName: 'StopLogging', eventID: 'e99', eventSource: 'cloudtrail.amazonaws.com', userIdentity: { type: 'IAMUser' } }],
    }),
    cloudTrailRecord('StopLogging', 'e11'),
  ],
  'E8-invent-at-end': [
    cloudTrailRecord('StopLogging', 'e31'),
    cloudTrailRecord('DescribeInstances', 'e30', { responseElements: undefined, requestParameters: { filterSet: [{ name: 'x' }, { eventVersion: '1' }], Records: [fabricated] } }),
  ],
}

/** Every layout of each case the readers accept, as bytes: compact, compact with a spaced top level, pretty, JSON Lines. */
export function layouts(records: Rec[]): Record<string, Buffer> {
  const compact = compactBody(records)
  return {
    compact: Buffer.from(compact),
    'compact.gz': gzipSync(compact),
    generalfast: Buffer.from(`{ "Records":${compact.slice('{"Records":'.length)}`),
    pretty: Buffer.from(JSON.stringify({ Records: records }, null, 2)),
    lines: Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n'),
  }
}

const d1 = [cloudTrailRecord('StopLogging', 'e900'), cloudTrailRecord('DescribeInstances', 'e901')]
const d2 = [cloudTrailRecord('StopLogging', 'e902'), cloudTrailRecord('StopLogging', 'e903')]
/** Concatenated documents (relsec gen_trunc.py concat-docs-*). */
export const concatCases: Record<string, Buffer> = {
  'concat-docs-gz': Buffer.concat([gzipSync(compactBody(d1)), gzipSync(compactBody(d2))]),
  'concat-docs-plain': Buffer.from(compactBody(d1) + compactBody(d2)),
  'concat-docs-nl': Buffer.from(`${compactBody(d1)}\n${compactBody(d2)}\n`),
  'concat-docs-pretty': Buffer.from(JSON.stringify({ Records: d1 }, null, 2) + JSON.stringify({ Records: d2 }, null, 2)),
}

/** What a JSON parser sees: the whole text, else each top-level value (JSON Lines, concatenated documents). */
function parsedRecords(bytes: Buffer): unknown[] {
  const text = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8')
  const docs: unknown[] = []
  let depth = 0
  let inString = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i
    } else if ((c === '}' || c === ']') && --depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)))
  }
  return docs.flatMap((d) => (Array.isArray(d) ? d : Array.isArray((d as Rec).Records) ? ((d as Rec).Records as unknown[]) : [d]))
}

function objectOf(bytes: Buffer, chunk: number): LogObject {
  const parts: Buffer[] = []
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk))
  return { uri: 'mem://crafted', size: bytes.length, key: { kind: 'other' }, open: async () => Readable.from(parts) }
}

async function readAll(bytes: Buffer, oneShotBelow: number, chunk: number): Promise<{ records: [number, unknown][]; errors: TrailscanError[] }> {
  const records: [number, unknown][] = []
  const errors: TrailscanError[] = []
  await readRecords(objectOf(bytes, chunk), { ...DECODE_DEFAULTS, oneShotBelow }, (r) => records.push([r.index, JSON.parse(r.json())]), (e) => errors.push(e))
  return { records, errors }
}

const paths: [string, number, number][] = [
  ['one-shot', DECODE_DEFAULTS.oneShotBelow, 1 << 20],
  ['streamed in 7-byte chunks', 0, 7],
  ['streamed in 100-byte chunks', 0, 100],
]

describe.each(paths)('records a JSON parser sees, read %s', (_name, oneShotBelow, chunk) => {
  const cases = [
    ...Object.entries(anchorCases).flatMap(([name, records]) => Object.entries(layouts(records)).map(([layout, bytes]) => [`${name} ${layout}`, bytes] as const)),
    ...Object.entries(concatCases),
  ]
  it.each(cases)('%s', async (_case, bytes) => {
    const { records, errors } = await readAll(bytes, oneShotBelow, chunk)
    expect(errors).toEqual([])
    const expected = parsedRecords(bytes)
    expect(records).toEqual(expected.map((r, i) => [i, r]))
  })
})
