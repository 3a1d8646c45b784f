import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { uploadAll } from '../../engine/test/support/s3-fixtures.js'
import { startS3Stack, type S3Stack } from '../../engine/test/support/s3-stack.js'
import { S3RVER_ENV } from '../../engine/test/support/s3rver.js'
import { jsonLines, runCli } from './run-cli.js'

// The real S3-compatible server (s3rver, a dev dependency) on loopback, with the fixture datasets uploaded
// under their real key layouts; the CLI under test is a child process using the SDK's default credential chain.
const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const datasets = ['cis-controls', 'cis-org-trail', 'public-s3']
const env = S3RVER_ENV

let stack: S3Stack

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.gz'))
    .map((e) => join(e.parentPath, e.name))
}

beforeAll(async () => {
  stack = await startS3Stack(['trail-bucket'])
  const uploads = datasets.flatMap((d) =>
    filesUnder(join(fixtures, d)).map((f) => ({
      key: `${d}/${relative(join(fixtures, d), f).split(sep).join('/')}`,
      body: readFileSync(f),
    })),
  )
  await uploadAll(stack.s3.endpoint, 'trail-bucket', uploads)
}, 60_000)
afterAll(() => stack?.stop())

/** Findings without their source uri, which differs by design (s3:// vs a path), in output order. */
function comparable(stdout: string): unknown[] {
  return jsonLines(stdout)
    .filter((f) => f.kind === 'finding')
    .map((f) => ({ ...f, source: { recordIndex: (f.source as { recordIndex: number }).recordIndex } }))
}

describe('trailscan scan s3://', () => {
  it.each(datasets)('gives the same findings from S3 as from disk (%s)', async (d) => {
    const disk = await runCli(['scan', join(fixtures, d)])
    const s3 = await runCli(['scan', `s3://trail-bucket/${d}/`, '--endpoint-url', stack.proxy.endpoint], { env })
    expect(s3.stderr).toMatch(/\n  errors\s+0\n/)
    expect(s3.stderr).not.toMatch(/Warning/)
    expect(comparable(s3.stdout)).toEqual(comparable(disk.stdout))
    expect(comparable(s3.stdout).length).toBeGreaterThan(0)
    expect(s3.code).toBe(disk.code)
  })

  it('prunes the listing by account and region through --endpoint-url', async () => {
    const r = await runCli(
      [
        'scan',
        's3://trail-bucket/cis-controls/',
        '--endpoint-url',
        stack.proxy.endpoint,
        '--account',
        '111122223333',
        '--region',
        'us-east-1',
      ],
      { env },
    )
    expect(r.code).toBe(0)
    for (const f of jsonLines(r.stdout)) {
      expect(f.account).toBe('111122223333')
      expect(f.region).toBe('us-east-1')
    }
  })

  it('exits 2 when a prefix lists nothing, and 0 with --allow-empty', async () => {
    const args = ['scan', 's3://trail-bucket/no-such-prefix/', '--endpoint-url', stack.proxy.endpoint]
    const r = await runCli(args, { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/trailscan: no CloudTrail log object was read \(nothing listed\)/)
    expect((await runCli([...args, '--allow-empty'], { env })).code).toBe(0)
  })

  it('stops at once with exit 2 when the bucket does not exist', async () => {
    const r = await runCli(['scan', 's3://no-such-bucket/', '--endpoint-url', stack.proxy.endpoint], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/bucket does not exist|NoSuchBucket/)
  })

  it('stops at once with exit 2 on bad credentials', async () => {
    const r = await runCli(['scan', 's3://trail-bucket/', '--endpoint-url', stack.proxy.endpoint], {
      env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0', AWS_SECRET_ACCESS_KEY: 'wrong' },
    })
    expect(r.code).toBe(2)
  })
})

describe('trailscan scan s3:// against a store that never ends', () => {
  // The flat listing of one account's logs (the walk lists each account's CloudTrail/ directory flat).
  const flat = 'cis-controls/AWSLogs/111122223333/CloudTrail/'
  const objectKey =
    'cis-controls/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/13/111122223333_CloudTrail_us-east-1_20240513T0915Z_9IgeOTHfxzvgocVY.json.gz'
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trailscan-cli-s3-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  beforeEach(() => stack.proxy.clear())

  async function scanS3(
    extra: string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string; summary: Record<string, unknown> }> {
    const summaryFile = join(dir, `summary-${Math.random().toString(36).slice(2)}.json`)
    const r = await runCli(
      ['scan', 's3://trail-bucket/cis-controls/', '--endpoint-url', stack.proxy.endpoint, '--summary-json', summaryFile, ...extra],
      { env },
    )
    return { ...r, summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as Record<string, unknown> }
  }

  it('reports a listing whose continuation tokens cycle, naming the prefix, and exits 3 with the findings of what was listed', async () => {
    stack.proxy.addRule({ listPrefix: flat, action: { type: 'tokens', tokens: 'cycle' } })
    const r = await scanS3([])
    expect(r.code).toBe(3)
    expect(r.summary.errors).toEqual([
      expect.objectContaining({
        object: `s3://trail-bucket/${flat}`,
        message: expect.stringMatching(/continuation token it had sent before/),
      }),
    ])
    expect(jsonLines(r.stdout).length).toBeGreaterThan(0)
    expect(r.summary.retries).toEqual({ used: 0, budget: 1000, exhausted: false })
    expect(r.stderr).toMatch(/\n  retries   0 of 1000 \(S3 retry budget\)\n/)
  })

  it('stops retrying once --s3-retry-budget is spent and reports it in the summary', async () => {
    stack.proxy.addRule({ key: objectKey, action: { type: 'slowdown' } })
    const r = await scanS3(['--s3-retry-budget', '0'])
    expect(r.code).toBe(3)
    expect(r.summary.errors).toEqual([
      expect.objectContaining({
        object: `s3://trail-bucket/${objectKey}`,
        message: expect.stringMatching(/SlowDown.*not retried: the run's retry budget of 0 is spent/),
      }),
    ])
    expect(r.summary.retries).toEqual({ used: 0, budget: 0, exhausted: true })
    expect(r.stderr).toMatch(/retries   0 of 0 \(S3 retry budget\), exhausted: later failures were not retried/)
    expect(stack.proxy.gets().filter((g) => g.key === objectKey)).toHaveLength(1)
  })

  it('gives up on a dripping object after --s3-object-timeout and its retries; the scan goes on', async () => {
    stack.proxy.addRule({ key: objectKey, action: { type: 'drip', bytes: 1, everyMs: 50 } })
    const r = await scanS3(['--s3-object-timeout', '0.3', '--s3-retry-budget', '1'])
    expect(r.code).toBe(3)
    expect(r.summary.errors).toEqual([
      expect.objectContaining({
        object: `s3://trail-bucket/${objectKey}`,
        message: expect.stringMatching(/object timeout of 0\.3 s.*retry budget of 1 is spent/),
      }),
    ])
    expect(stack.proxy.gets().filter((g) => g.key === objectKey)).toHaveLength(2)
    expect(r.summary.retries).toEqual({ used: 1, budget: 1, exhausted: true })
    expect(jsonLines(r.stdout).length).toBeGreaterThan(0)
  })

  it('gives up on a silent connection after --s3-idle-timeout', async () => {
    stack.proxy.addRule({ key: objectKey, action: { type: 'stall', afterBytes: 100 } })
    const r = await scanS3(['--s3-idle-timeout', '0.3', '--s3-retry-budget', '0'])
    expect(r.code).toBe(3)
    expect(r.summary.errors).toEqual([
      expect.objectContaining({
        object: `s3://trail-bucket/${objectKey}`,
        message: expect.stringMatching(/timed out after 300 ms of inactivity/),
      }),
    ])
  })

  it('stops a listing at --s3-max-list-keys and --s3-max-list-pages', async () => {
    const keys = await scanS3(['--s3-max-list-keys', '2'])
    expect(keys.code).toBe(3)
    // Both accounts of the dataset have more than two log objects: each listing stops at two.
    const accounts = ['111122223333', '444455556666'].map((a) => `s3://trail-bucket/cis-controls/AWSLogs/${a}/CloudTrail/`)
    expect(keys.summary.errors).toEqual(
      accounts.map((object) => ({
        code: 'TRAILSCAN_SOURCE_READ',
        object,
        message: `listing ${object}: more than 2 keys (raise the bound with --s3-max-list-keys)`,
      })),
    )
    expect((keys.summary.objects as { listed: number }).listed).toBe(4)

    stack.proxy.addRule({ listPrefix: flat, action: { type: 'tokens', tokens: 'fresh' } })
    const pages = await scanS3(['--s3-max-list-pages', '3'])
    expect(pages.code).toBe(3)
    expect(pages.summary.errors).toEqual([
      expect.objectContaining({ object: `s3://trail-bucket/${flat}`, message: expect.stringMatching(/more than 3 pages/) }),
    ])
  })

  it.each([
    ['--s3-idle-timeout', 'abc', /^trailscan: --s3-idle-timeout must be a number of seconds above 0 \(at most 24 days\), not "abc"\n$/],
    ['--s3-object-timeout', '0', /^trailscan: --s3-object-timeout must be a number of seconds above 0/],
    ['--s3-max-list-pages', '0', /^trailscan: --s3-max-list-pages must be a whole number of at least 1, not "0"\n$/],
    ['--s3-max-list-keys', '1.5', /^trailscan: --s3-max-list-keys must be a whole number of at least 1, not "1.5"\n$/],
    ['--s3-retry-budget', '-1', /^trailscan: --s3-retry-budget must be a whole number of at least 0, not "-1"\n$/],
  ])('refuses %s %s with exit 2 and one line, before scanning', async (flag, value, message) => {
    const r = await runCli(['scan', 's3://trail-bucket/cis-controls/', '--endpoint-url', stack.proxy.endpoint, `${flag}=${value}`], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(stack.proxy.requests).toHaveLength(0)
  })
})
