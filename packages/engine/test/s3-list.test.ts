import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { listS3Objects, type ListS3Options, type S3ListRequest } from '../src/source/s3.js'
import { cloudTrailKey, gzipRecords, records, uploadAll, type KeySpec, type Upload } from './support/s3-fixtures.js'
import { collect, listed, startS3Stack, stubS3rverCredentials, type S3Stack } from './support/s3-stack.js'

const A = '111111111111'
const B = '222222222222'
const ORG = 'o-abcdefghij'
const C = '333333333333'
const D = '444444444444'

/** Every fixture key, by the name the assertions use. */
const keys = new Map<string, string>()
const uploads = new Map<string, Upload[]>()

function put(name: string, spec: KeySpec | string, bucket = 'trail'): void {
  const key = typeof spec === 'string' ? spec : cloudTrailKey(spec)
  keys.set(name, key)
  const body = gzipRecords(records(2, typeof spec === 'string' ? A : spec.account, 'us-east-1', '2024-03-05'))
  uploads.set(bucket, [...(uploads.get(bucket) ?? []), { key, body }])
}

function logs(...names: string[]): string[] {
  return names.map((n) => keys.get(n)!).sort()
}

// Bucket `trail`: standard and organization layouts, digests, insights, and keys outside the trail layout.
for (const day of ['2024-03-03', '2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07']) {
  put(`A/use1/${day}`, { account: A, region: 'us-east-1', day })
}
put('A/euw1/2024-03-05', { account: A, region: 'eu-west-1', day: '2024-03-05' })
put('A/use1/2023-12-31', { account: A, region: 'us-east-1', day: '2023-12-31' })
put('B/use1/2024-03-05', { account: B, region: 'us-east-1', day: '2024-03-05' })
put('C/use1/2024-03-05', { org: ORG, account: C, region: 'us-east-1', day: '2024-03-05' })
put('D/euw1/2024-03-06', { org: ORG, account: D, region: 'eu-west-1', day: '2024-03-06' })
put('A/digest', { account: A, region: 'us-east-1', day: '2024-03-05', product: 'CloudTrail-Digest' })
put('A/insight', { account: A, region: 'us-east-1', day: '2024-03-05', product: 'CloudTrail-Insight' })
put('A/config', `AWSLogs/${A}/Config/us-east-1/2024/3/5/ConfigSnapshot/x.json.gz`)
put('loose', 'readme.txt')
// Bucket `prefixed`: a trail with a two-level S3 prefix. Bucket `dump`: copies of files, no layout.
put('P/use1', { prefix: 'team/prod/', account: B, region: 'us-east-1', day: '2024-03-05' }, 'prefixed')
put('dump/log', `exports/${A}_CloudTrail_us-east-1_20240305T0000Z_abcdefghijklmnop.json.gz`, 'dump')
put('dump/digest', `exports/${A}_CloudTrail-Digest_us-east-1_t_us-east-1_20240305T000000Z.json.gz`, 'dump')
put('dump/other', 'exports/notes/records.json', 'dump')

const ALL_LOGS = logs(
  ...['03', '04', '05', '06', '07'].map((d) => `A/use1/2024-03-${d}`),
  'A/euw1/2024-03-05',
  'A/use1/2023-12-31',
  'B/use1/2024-03-05',
  'C/use1/2024-03-05',
  'D/euw1/2024-03-06',
)

let stack: S3Stack

beforeAll(async () => {
  stubS3rverCredentials()
  stack = await startS3Stack(['trail', 'prefixed', 'dump', 'many'])
  const many = Array.from({ length: 1100 }, (_, i) => ({
    key: `AWSLogs/${A}/CloudTrail/us-east-1/2024/01/01/${A}_CloudTrail_us-east-1_20240101T0000Z_${String(i).padStart(16, '0')}.json.gz`,
    body: Buffer.from(`{"Records":[]}`),
  }))
  uploads.set('many', many)
  for (const [bucket, list] of uploads) await uploadAll(stack.s3.endpoint, bucket, list, 32)
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(() => stack.proxy.clear())

async function list(opts: Partial<ListS3Options> = {}): Promise<string[]> {
  const objects = await collect(listS3Objects({ client: stack.client(), bucket: 'trail', ...opts }))
  return objects.map((o) => o.uri.slice(`s3://${opts.bucket ?? 'trail'}/`.length)).sort()
}

describe('listS3Objects pruning', () => {
  it('walks to the CloudTrail/ directories with delimiter listings, then lists each flat', async () => {
    const seen: S3ListRequest[] = []
    expect(await list({ onList: (r) => seen.push(r) })).toEqual(ALL_LOGS)
    expect(listed(stack.proxy).sort()).toEqual(
      [
        '|/',
        'AWSLogs/|/',
        `AWSLogs/${ORG}/|/`,
        `AWSLogs/${A}/CloudTrail/`,
        `AWSLogs/${B}/CloudTrail/`,
        `AWSLogs/${ORG}/${C}/CloudTrail/`,
        `AWSLogs/${ORG}/${D}/CloudTrail/`,
      ].sort(),
    )
    expect(seen.map((r) => r.prefix + (r.delimiter === undefined ? '' : `|${r.delimiter}`)).sort()).toEqual(listed(stack.proxy).sort())
    expect(stack.proxy.gets()).toEqual([])
  })

  it('fills in account, org and region from the key, and never yields digest, insight or non-trail keys by default', async () => {
    const objects = await collect(listS3Objects({ client: stack.client(), bucket: 'trail', accounts: [C] }))
    expect(objects).toHaveLength(1)
    expect(objects[0]!.key).toMatchObject({ kind: 'log', org: ORG, account: C, region: 'us-east-1', deliveryDate: '2024-03-05' })
    expect(objects[0]!.size).toBeGreaterThan(0)
    expect(objects[0]!.etag).toMatch(/^[0-9a-f]{32}$/)
  })

  it('goes straight to the named accounts, in and out of organizations', async () => {
    expect(await list({ accounts: [A, C] })).toEqual(ALL_LOGS.filter((k) => k.includes(`/${A}/`) || k.includes(`/${C}/`)))
    // The org directory is not listed: the wanted accounts under it are known.
    expect(listed(stack.proxy).sort()).toEqual(
      ['|/', 'AWSLogs/|/', `AWSLogs/${A}/CloudTrail/`, `AWSLogs/${ORG}/${A}/CloudTrail/`, `AWSLogs/${ORG}/${C}/CloudTrail/`].sort(),
    )
  })

  it('lists only the named regions, without listing the region level', async () => {
    expect(await list({ regions: ['eu-west-1'] })).toEqual(logs('A/euw1/2024-03-05', 'D/euw1/2024-03-06'))
    const requests = listed(stack.proxy)
    expect(requests).toContain(`AWSLogs/${A}/CloudTrail/eu-west-1/`)
    expect(requests).toContain(`AWSLogs/${ORG}/${D}/CloudTrail/eu-west-1/`)
    expect(requests.filter((r) => r.includes('us-east-1'))).toEqual([])
    expect(requests.filter((r) => r.includes('/CloudTrail/|'))).toEqual([])
  })

  it('turns the time window into delivery-day prefixes, the end widened by the margin', async () => {
    const start = new Date('2024-03-05T10:00:00Z')
    const end = new Date('2024-03-05T12:00:00Z')
    expect(await list({ accounts: [A], regions: ['us-east-1'], start, end })).toEqual(logs('A/use1/2024-03-05', 'A/use1/2024-03-06'))
    const day = `AWSLogs/${A}/CloudTrail/us-east-1/2024/03/`
    expect(listed(stack.proxy).filter((r) => r.startsWith(`AWSLogs/${A}/`))).toEqual([`${day}05/`, `${day}06/`])

    stack.proxy.clear()
    expect(await list({ accounts: [A], regions: ['us-east-1'], start, end, marginDays: 0 })).toEqual(logs('A/use1/2024-03-05'))
    expect(listed(stack.proxy).filter((r) => r.startsWith(`AWSLogs/${A}/`))).toEqual([`${day}05/`])
  })

  it('lists regions by delimiter when only a window is given, and crosses year boundaries', async () => {
    const start = new Date('2023-12-31T23:00:00Z')
    const end = new Date('2024-01-01T01:00:00Z')
    expect(await list({ accounts: [A], start, end, marginDays: 0 })).toEqual(logs('A/use1/2023-12-31'))
    const mine = listed(stack.proxy).filter((r) => r.startsWith(`AWSLogs/${A}/`))
    expect(mine).toContain(`AWSLogs/${A}/CloudTrail/|/`)
    expect(mine).toContain(`AWSLogs/${A}/CloudTrail/us-east-1/2023/12/31/`)
    expect(mine).toContain(`AWSLogs/${A}/CloudTrail/eu-west-1/2024/01/01/`)
    expect(mine.some((r) => r.includes('/2024/03/'))).toBe(false)
  })

  it('with only a start, lists the years present and takes whole months flat', async () => {
    expect(await list({ accounts: [A], regions: ['us-east-1'], start: new Date('2024-02-10T00:00:00Z') })).toEqual(
      logs(...['03', '04', '05', '06', '07'].map((d) => `A/use1/2024-03-${d}`)),
    )
    const mine = listed(stack.proxy).filter((r) => r.startsWith(`AWSLogs/${A}/`))
    expect(mine).toContain(`AWSLogs/${A}/CloudTrail/us-east-1/|/`)
    expect(mine).toContain(`AWSLogs/${A}/CloudTrail/us-east-1/2024/03/`)
    expect(mine).toContain(`AWSLogs/${A}/CloudTrail/us-east-1/2024/02/10/`)
    expect(mine.some((r) => r.includes('/2023/'))).toBe(false)
  })

  it('yields digest and insight objects only when asked, with their kind', async () => {
    const objects = await collect(
      listS3Objects({
        client: stack.client(),
        bucket: 'trail',
        accounts: [A],
        regions: ['us-east-1'],
        includeDigest: true,
        includeInsight: true,
      }),
    )
    const kinds = new Map(objects.map((o) => [o.uri.slice('s3://trail/'.length), o.key.kind]))
    expect(kinds.get(keys.get('A/digest')!)).toBe('digest')
    expect(kinds.get(keys.get('A/insight')!)).toBe('insight')
    expect(listed(stack.proxy)).toContain(`AWSLogs/${A}/CloudTrail-Digest/us-east-1/`)
    expect(listed(stack.proxy).some((r) => r.includes('Config'))).toBe(false)
  })

  it('starts inside the layout when the prefix points there, partial segment included', async () => {
    const prefix = `AWSLogs/${A}/CloudTrail/us-east-1/2024/03/0`
    expect(await list({ prefix })).toEqual(logs(...['03', '04', '05', '06', '07'].map((d) => `A/use1/2024-03-${d}`)))
    expect(listed(stack.proxy)).toEqual([prefix])

    stack.proxy.clear()
    expect(await list({ prefix: `AWSLogs/${ORG}/` })).toEqual(logs('C/use1/2024-03-05', 'D/euw1/2024-03-06'))
    expect(listed(stack.proxy)[0]).toBe(`AWSLogs/${ORG}/|/`)

    stack.proxy.clear()
    expect(await list({ prefix: `AWSLogs/${A}/`, accounts: [B] })).toEqual([])
    expect(listed(stack.proxy)).toEqual([])
  })

  it('finds AWSLogs/ below a trail prefix', async () => {
    expect(await list({ bucket: 'prefixed' })).toEqual(logs('P/use1'))
    expect(listed(stack.proxy).slice(0, 3)).toEqual(['|/', 'team/|/', 'team/prod/|/'])
    stack.proxy.clear()
    expect(await list({ bucket: 'prefixed', prefix: 'team/prod' })).toEqual(logs('P/use1'))
  })

  it('lists a prefix without any AWSLogs/ plainly, holding back digests unless asked', async () => {
    const skipped: string[] = []
    const onSkip = (uri: string, reason: string): number => skipped.push(`${uri} ${reason}`)
    expect(await list({ bucket: 'dump', prefix: 'exports/', onSkip })).toEqual(logs('dump/log', 'dump/other'))
    expect(skipped).toEqual([`s3://dump/${keys.get('dump/digest')!} digest file`])
    expect(listed(stack.proxy)).toEqual(['exports/|/', 'exports/notes/|/', 'exports/'])
    expect(await list({ bucket: 'dump', prefix: 'exports/', includeDigest: true })).toEqual(logs('dump/digest', 'dump/log', 'dump/other'))
  })

  it('rejects malformed filters before any request', async () => {
    await expect(list({ accounts: ['1234'] })).rejects.toThrow(/12 digits/)
    await expect(list({ start: new Date('2024-03-02'), end: new Date('2024-03-01') })).rejects.toThrow(/after end/)
    expect(stack.proxy.requests).toEqual([])
  })
})

describe('listS3Objects pagination', () => {
  it('follows continuation tokens past 1,000 keys', async () => {
    const objects = await collect(listS3Objects({ client: stack.client(), bucket: 'many' }))
    expect(objects).toHaveLength(1100)
    expect(new Set(objects.map((o) => o.uri)).size).toBe(1100)
    const flat = stack.proxy.listings().filter((r) => r.query['delimiter'] === undefined)
    expect(flat).toHaveLength(2)
    expect(flat[1]!.query['continuation-token']).toBeDefined()
  })

  it('stops listing when the consumer stops', async () => {
    for await (const _ of listS3Objects({ client: stack.client(), bucket: 'many' })) break
    await new Promise((resolve) => setTimeout(resolve, 50))
    // The lookahead may have asked for the second page already, but nothing runs on after the break.
    expect(stack.proxy.listings().filter((r) => r.query['delimiter'] === undefined).length).toBeLessThanOrEqual(2)
  })
})
