import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uploadAll } from '../../engine/test/support/s3-fixtures.js'
import { startS3Stack, type S3Stack } from '../../engine/test/support/s3-stack.js'
import { S3RVER_CREDENTIALS } from '../../engine/test/support/s3rver.js'
import { jsonLines, runCli } from './run-cli.js'

// The real S3-compatible server (s3rver, a dev dependency) on loopback, with the fixture datasets uploaded
// under their real key layouts; the CLI under test is a child process using the SDK's default credential chain.
const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const datasets = ['cis-controls', 'cis-org-trail', 'public-s3']
const env = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
}

let stack: S3Stack

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile() && e.name.endsWith('.gz'))
    .map((e) => join(e.parentPath, e.name))
}

beforeAll(async () => {
  stack = await startS3Stack(['trail-bucket'])
  const uploads = datasets.flatMap((d) =>
    filesUnder(join(fixtures, d)).map((f) => ({ key: `${d}/${relative(join(fixtures, d), f).split(sep).join('/')}`, body: readFileSync(f) })),
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
      ['scan', 's3://trail-bucket/cis-controls/', '--endpoint-url', stack.proxy.endpoint, '--account', '111122223333', '--region', 'us-east-1'],
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
