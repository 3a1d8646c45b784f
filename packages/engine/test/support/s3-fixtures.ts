/**
 * Small gzipped CloudTrail files in real key layouts, and an uploader that PUTs them straight into s3rver
 * (not through the fault proxy, so uploads never show up in the proxy's request log).
 */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { S3RVER_CREDENTIALS } from './s3rver.js'

export interface KeySpec {
  /** Trail prefix before AWSLogs/, with its trailing slash, or ''. */
  prefix?: string
  org?: string
  account: string
  region: string
  /** Delivery day, YYYY-MM-DD. */
  day: string
  /** Delivery time HHmm. */
  time?: string
  product?: 'CloudTrail' | 'CloudTrail-Digest' | 'CloudTrail-Insight'
}

let counter = 0

function uniqueString(): string {
  return (randomBytes(12).toString('base64url') + 'xxxxxxxxxxxxxxxx').slice(0, 16)
}

/** A key as CloudTrail delivers it. */
export function cloudTrailKey(spec: KeySpec): string {
  const product = spec.product ?? 'CloudTrail'
  const [y, m, d] = spec.day.split('-')
  const stamp = `${y}${m}${d}T${spec.time ?? String(counter++ % 2400).padStart(4, '0')}Z`
  const dir = `${spec.prefix ?? ''}AWSLogs/${spec.org === undefined ? '' : `${spec.org}/`}${spec.account}/${product}/${spec.region}/${y}/${m}/${d}/`
  const name =
    product === 'CloudTrail-Digest'
      ? `${spec.account}_CloudTrail-Digest_${spec.region}_trail_${spec.region}_${stamp.slice(0, -1)}00Z.json.gz`
      : `${spec.account}_${product}_${spec.region}_${stamp}_${uniqueString()}.json.gz`
  return dir + name
}

/** `n` CloudTrail records for one account and region, on the given day. */
export function records(n: number, account: string, region: string, day: string): object[] {
  return Array.from({ length: n }, (_, i) => ({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', accountId: account, userName: `user-${i}` },
    eventTime: `${day}T00:${String(i % 60).padStart(2, '0')}:00Z`,
    eventSource: 's3.amazonaws.com',
    eventName: i % 2 === 0 ? 'GetObject' : 'PutBucketAcl',
    awsRegion: region,
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { bucketName: `bucket-${i}` },
    responseElements: null,
    eventID: `${account}-${region}-${day}-${i}-${randomBytes(4).toString('hex')}`,
    eventType: 'AwsApiCall',
    recipientAccountId: account,
  }))
}

export function gzipRecords(recs: object[]): Buffer {
  return gzipSync(JSON.stringify({ Records: recs }))
}

export interface Upload {
  key: string
  body: Buffer
}

export function uploaderClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  })
}

/** PUTs the objects with a few requests in flight. */
export async function uploadAll(endpoint: string, bucket: string, uploads: Upload[], inFlight = 16): Promise<void> {
  const client = uploaderClient(endpoint)
  try {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < uploads.length) {
        const u = uploads[next++]!
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: u.key, Body: u.body }))
      }
    }
    await Promise.all(Array.from({ length: inFlight }, worker))
  } finally {
    client.destroy()
  }
}

/** An object's body as text straight from s3rver, or null when there is none (tests outside the engine lack the SDK). */
export async function readObjectText(endpoint: string, bucket: string, key: string): Promise<string | null> {
  const client = uploaderClient(endpoint)
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    return (await out.Body?.transformToString()) ?? ''
  } catch (e) {
    if ((e as Error).name === 'NoSuchKey') return null
    throw e
  } finally {
    client.destroy()
  }
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}
