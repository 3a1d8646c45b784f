import { gunzipSync, gzipSync } from 'node:zlib'

/**
 * The crafted layouts of ../shared/reliability (relsec gen_evasion.py E1–E8, gen_trunc.py concatenated documents),
 * rebuilt as test inputs: records that nest `,{"eventVersion":` where the old byte splitter cut, and documents
 * written one after another. Shared by the splitter tests and the CLI's fast-vs-general comparison.
 */
export function cloudTrailRecord(name, id, extra = {}) {
  const source = name === 'StopLogging' ? 'cloudtrail.amazonaws.com' : name === 'PutBucketPolicy' ? 's3.amazonaws.com' : 'ec2.amazonaws.com'
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: 'arn:aws:iam::111122223333:user/mallory',
      accountId: '111122223333',
      userName: 'mallory',
    },
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

export const compactBody = (records) => `{"Records":[${records.map((r) => JSON.stringify(r)).join(',')}]}`

const nested = [{ name: 'x' }, { eventVersion: '1.08', eventName: 'DescribeInstances', eventID: 'nested-1' }]
const nestedStop = [{ name: 'x' }, { eventVersion: '1.08', eventName: 'StopLogging', eventID: 'nested-2' }]
const policy = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::victim/*' },
    { eventVersion: '1.08', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::victim/*' },
  ],
}
const fabricated = cloudTrailRecord('StopLogging', 'FABRICATED-0001', {
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/innocent-admin' },
})

/** The nested-anchor shapes, by the relsec names. */
export const anchorCases = {
  'E1-nested-in-benign-then-real': [
    cloudTrailRecord('DescribeInstances', 'e1', { requestParameters: { filterSet: { items: nested } } }),
    cloudTrailRecord('StopLogging', 'e2'),
  ],
  'E2-nested-in-real': [cloudTrailRecord('StopLogging', 'e3', { requestParameters: { name: 'trail/main', tags: nested } })],
  'E3-public-policy-with-anchor': [
    cloudTrailRecord('PutBucketPolicy', 'e4', { requestParameters: { bucketName: 'victim', bucketPolicy: policy, policy: [''] } }),
    cloudTrailRecord('DescribeInstances', 'e5'),
  ],
  'E4-phantom-stoplogging': [
    cloudTrailRecord('DescribeInstances', 'e6', { requestParameters: { items: nestedStop } }),
    cloudTrailRecord('DescribeInstances', 'e7'),
  ],
  'E5-anchor-last-in-A': [cloudTrailRecord('DescribeInstances', 'e8', { zz: nested }), cloudTrailRecord('StopLogging', 'e9')],
  'E6-nested-full-record': [
    cloudTrailRecord('DescribeInstances', 'e10', {
      tlsDetails: [
        { a: 1 },
        {
          eventVersion: '1.08',
          eventName: 'StopLogging',
          eventID: 'e99',
          eventSource: 'cloudtrail.amazonaws.com',
          userIdentity: { type: 'IAMUser' },
        },
      ],
    }),
    cloudTrailRecord('StopLogging', 'e11'),
  ],
  // Not in relsec: a record whose first key is not eventVersion, right after one that has no array. Any split on
  // `,{"eventVersion":` glues it to the record before, whose eventName then stands for both.
  'E9-glued-record': [
    cloudTrailRecord('DescribeInstances', 'e40'),
    Object.fromEntries(Object.entries(cloudTrailRecord('StopLogging', 'e41')).filter(([k]) => k !== 'eventVersion')),
    cloudTrailRecord('DescribeInstances', 'e42'),
  ],
  'E8-invent-at-end': [
    cloudTrailRecord('StopLogging', 'e31'),
    cloudTrailRecord('DescribeInstances', 'e30', {
      responseElements: undefined,
      requestParameters: { filterSet: [{ name: 'x' }, { eventVersion: '1' }], Records: [fabricated] },
    }),
  ],
}

/** Every layout of each case the readers accept, as bytes: compact, compact with a spaced top level, pretty, JSON Lines. */
export function layouts(records) {
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
export const concatCases = {
  'concat-docs-gz': Buffer.concat([gzipSync(compactBody(d1)), gzipSync(compactBody(d2))]),
  'concat-docs-plain': Buffer.from(compactBody(d1) + compactBody(d2)),
  'concat-docs-nl': Buffer.from(`${compactBody(d1)}\n${compactBody(d2)}\n`),
  'concat-docs-pretty': Buffer.from(JSON.stringify({ Records: d1 }, null, 2) + JSON.stringify({ Records: d2 }, null, 2)),
}

/** The whole text as one JSON value, else each top-level value in turn (JSON Lines, documents written back to back). */
export function topLevelValues(text) {
  try {
    return [JSON.parse(text)]
  } catch {
    // Not one document: cut it at depth 0, outside strings, and parse each piece on its own.
  }
  const out = []
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
    } else if ((c === '}' || c === ']') && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)))
  }
  if (depth !== 0) throw new Error('unbalanced JSON')
  return out
}

/** The records a JSON parser sees in a file's bytes (gzip or not): Records arrays, bare arrays, single objects. */
export function parsedRecords(bytes) {
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8')
  return topLevelValues(text).flatMap((doc) => (Array.isArray(doc) ? doc : Array.isArray(doc?.Records) ? doc.Records : [doc]))
}
