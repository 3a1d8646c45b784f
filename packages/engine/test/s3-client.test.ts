import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { SourceReadError, UsageError } from '../src/errors.js'
import { FatalS3Error, createS3Client, isFatalS3Error, listS3Objects, parseS3Uri } from '../src/source/s3.js'
import { cloudTrailKey, gzipRecords, records, uploadAll } from './support/s3-fixtures.js'
import { collect, startS3Stack, stubS3rverCredentials, type S3Stack } from './support/s3-stack.js'

const A = '111111111111'
const key = cloudTrailKey({ account: A, region: 'us-east-1', day: '2024-03-05' })

let stack: S3Stack
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-aws-config-'))
  stack = await startS3Stack(['trail'])
  await uploadAll(stack.s3.endpoint, 'trail', [{ key, body: gzipRecords(records(2, A, 'us-east-1', '2024-03-05')) }])
})

afterAll(async () => {
  await stack?.stop()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

beforeEach(() => {
  stubS3rverCredentials()
  // Keep the developer's own AWS setup out of these tests.
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'missing-config'))
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'missing-credentials'))
  for (const name of [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_ROLE_ARN',
  ]) {
    vi.stubEnv(name, undefined)
  }
  stack.proxy.clear()
})

afterEach(() => {
  vi.unstubAllEnvs()
})

function listAll(client = stack.client(), bucket = 'trail'): Promise<unknown> {
  return collect(listS3Objects({ client, bucket })).catch((e: unknown) => e)
}

describe('fatal S3 errors', () => {
  it('classifies a missing bucket as fatal, naming the bucket', async () => {
    const err = await listAll(stack.client(), 'no-such-bucket')
    expect(err).toBeInstanceOf(FatalS3Error)
    expect(isFatalS3Error(err)).toBe(true)
    expect((err as SourceReadError).location?.object).toBe('s3://no-such-bucket/')
    expect((err as Error).message).toMatch(/bucket does not exist.*NoSuchBucket/)
  })

  it('classifies an unknown access key (answered by the server) as fatal', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAWRONGWRONGWRONG1')
    const err = await listAll()
    expect(isFatalS3Error(err)).toBe(true)
    expect((err as Error).message).toMatch(/InvalidAccessKeyId/)
  })

  it.for([
    [403, 'InvalidAccessKeyId'],
    [403, 'SignatureDoesNotMatch'],
    [400, 'ExpiredToken'],
  ] as const)('classifies %i %s on an object as fatal', async ([status, code]) => {
    const [obj] = await collect(listS3Objects({ client: stack.client(), bucket: 'trail' }))
    stack.proxy.addRule({ key, action: { type: 'error', status, code } })
    const err = await obj!.open().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FatalS3Error)
    expect((err as SourceReadError).location?.object).toBe(`s3://trail/${key}`)
    expect((err as Error).message).toContain(code)
  })

  it('classifies "no credentials anywhere" as fatal without sending a request', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined)
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined)
    const err = await listAll(stack.client({ maxAttempts: 1 }))
    expect(isFatalS3Error(err)).toBe(true)
    expect(stack.proxy.requests).toEqual([])
  })

  it('does not call ordinary errors fatal', () => {
    expect(isFatalS3Error(new Error('boom'))).toBe(false)
    expect(isFatalS3Error(new SourceReadError('gunzip failed'))).toBe(false)
    expect(isFatalS3Error(undefined)).toBe(false)
  })
})

describe('createS3Client', () => {
  it('falls back to us-east-1 when no region is configured anywhere', async () => {
    expect(await createS3Client({}).config.region()).toBe('us-east-1')
    vi.stubEnv('AWS_REGION', 'ap-south-1')
    expect(await createS3Client({}).config.region()).toBe('ap-south-1')
    expect(await createS3Client({ region: 'eu-west-3' }).config.region()).toBe('eu-west-3')
  })

  it('takes region and credentials from a named profile', async () => {
    await writeFile(join(dir, 'config'), '[profile scan]\nregion = eu-central-1\n')
    await writeFile(join(dir, 'credentials'), '[scan]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n')
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'))
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'))
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined)
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined)
    const client = stack.client({ profile: 'scan', region: undefined })
    expect(await client.config.region()).toBe('eu-central-1')
    expect(await collect(listS3Objects({ client, bucket: 'trail' }))).toHaveLength(1)
  })
})

describe('parseS3Uri', () => {
  it('splits bucket and prefix', () => {
    expect(parseS3Uri('s3://trail')).toEqual({ bucket: 'trail', prefix: '' })
    expect(parseS3Uri('s3://trail/')).toEqual({ bucket: 'trail', prefix: '' })
    expect(parseS3Uri('s3://trail/org/AWSLogs/')).toEqual({ bucket: 'trail', prefix: 'org/AWSLogs/' })
  })

  it('rejects what is not an S3 URI', () => {
    expect(() => parseS3Uri('/tmp/logs')).toThrow(UsageError)
    expect(() => parseS3Uri('s3:///prefix')).toThrow(UsageError)
    expect(() => parseS3Uri('https://trail.s3.amazonaws.com/x')).toThrow(UsageError)
  })
})
