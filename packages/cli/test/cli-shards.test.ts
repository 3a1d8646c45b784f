import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uploadAll } from '../../engine/test/support/s3-fixtures.js'
import { startS3Stack, type S3Stack } from '../../engine/test/support/s3-stack.js'
import { S3RVER_ENV } from '../../engine/test/support/s3rver.js'
import { jsonLines, runCli } from './run-cli.js'

// Issue #16 "Many machines": plan once, each shard a process of its own against the S3-compatible server on
// loopback, then merge; the merged outputs must be what one scan of the same source writes.
const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const datasets = ['cis-controls', 'cis-org-trail', 'public-s3']
const env = S3RVER_ENV
// The call that makes a public bucket private again, delivered a day late: in another (account, region, day)
// group than the exposure it closes, so shards may split them.
const REMEDIATION =
  'public-s3/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/111122223333_CloudTrail_us-east-1_20240603T1105Z_4r2GHfKpCTcJBIaz.json.gz'
const LATE_REMEDIATION =
  'late/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/05/111122223333_CloudTrail_us-east-1_20240605T0005Z_LateDeliveryAbcd.json.gz'

let stack: S3Stack
let work: string
let single: { code: number | null; stdout: string }

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.gz'))
    .map((e) => join(e.parentPath, e.name))
}

const s3Opts = (): string[] => ['--endpoint-url', stack.proxy.endpoint]

beforeAll(async () => {
  stack = await startS3Stack(['trail-bucket'])
  const uploads = datasets.flatMap((d) =>
    filesUnder(join(fixtures, d))
      .map((f) => ({ key: `${d}/${relative(join(fixtures, d), f).split(sep).join('/')}`, body: readFileSync(f) }))
      .filter((u) => u.key !== REMEDIATION),
  )
  uploads.push({ key: LATE_REMEDIATION, body: readFileSync(join(fixtures, REMEDIATION.split('/').join(sep))) })
  await uploadAll(stack.s3.endpoint, 'trail-bucket', uploads)
  work = mkdtempSync(join(tmpdir(), 'trailscan-shards-'))
  single = await runCli(['scan', 's3://trail-bucket/', '--alarms', ...s3Opts()], { env })
}, 120_000)
afterAll(async () => {
  await stack?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

interface Plan {
  planId: string
  shards: { index: number; objects: { uri: string }[] }[]
}

async function plan(n: number, name: string): Promise<{ path: string; plan: Plan }> {
  const path = join(work, `${name}.json`)
  const r = await runCli(['plan', 's3://trail-bucket/', '--shards', String(n), '--out', path, ...s3Opts()], { env })
  expect(r.stderr).toMatch(new RegExp(`in ${n} shards`))
  expect(r.code).toBe(0)
  return { path, plan: JSON.parse(readFileSync(path, 'utf8')) as Plan }
}

/**
 * Every shard as its own process, at once, told its index by --shard or as Kubernetes or AWS Batch tell it; the
 * even shards share one --out-dir (as on a shared volume), the odd ones another.
 */
async function runShards(planPath: string, n: number, name: string): Promise<string[]> {
  const dirs = [join(work, name, 'even'), join(work, name, 'odd')]
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const dir = dirs[i % 2]!
      const how =
        i % 3 === 0
          ? { args: ['--shard', String(i)], env: {} }
          : { args: [], env: { [i % 3 === 1 ? 'JOB_COMPLETION_INDEX' : 'AWS_BATCH_JOB_ARRAY_INDEX']: String(i) } }
      return runCli(['scan', '--plan', planPath, '--out-dir', dir, '--alarms', ...how.args, ...s3Opts()], { env: { ...env, ...how.env } })
    }),
  )
  for (const r of results) expect(r.stderr).not.toMatch(/trailscan: /)
  return n === 1 ? dirs.slice(0, 1) : dirs
}

describe('trailscan plan, scan --plan --shard, merge (S3)', () => {
  it.each([1, 3, 7])(
    'with %i shards, merges to what one scan writes: findings in order, alarms, remediations',
    async (n) => {
      const { path, plan: p } = await plan(n, `plan-${n}`)
      expect(p.shards).toHaveLength(n)
      const dirs = await runShards(path, n, `run-${n}`)
      const merged = await runCli(['merge', ...dirs, '--plan', path])
      expect(merged.code).toBe(single.code)
      expect(merged.stdout).toBe(single.stdout)
      const lines = jsonLines(merged.stdout)
      expect(lines.filter((l) => l.kind === 'alarm').length).toBeGreaterThan(0)
      const remediated = lines.filter((l) => (l.details as { remediated?: unknown } | null)?.remediated)
      expect(remediated.length).toBeGreaterThan(0)
      const ids = lines.filter((l) => l.kind === 'finding').map((l) => l.id)
      expect(new Set(ids).size).toBe(ids.length)
    },
    120_000,
  )

  it('has plans that put an exposure and its late remediation on different shards (what the merge must join)', async () => {
    const { plan: p } = await plan(3, 'plan-split-check')
    const shardOf = (needle: string): number => p.shards.findIndex((s) => s.objects.some((o) => o.uri.includes(needle)))
    expect(shardOf('LateDeliveryAbcd')).not.toBe(shardOf('us-east-1/2024/06/03/'))
  }, 60_000)

  it('reports an object changed between plan and scan, and does not scan it', async () => {
    const { path, plan: p } = await plan(2, 'plan-changed')
    const victim = p.shards[1]!.objects[0]!.uri.replace('s3://trail-bucket/', '')
    await uploadAll(stack.s3.endpoint, 'trail-bucket', [{ key: victim, body: Buffer.from('{"Records":[]}') }])
    try {
      const dirs = [join(work, 'changed', 'a'), join(work, 'changed', 'b')]
      const r0 = await runCli(['scan', '--plan', path, '--shard', '0', '--out-dir', dirs[0]!, ...s3Opts()], { env })
      const r1 = await runCli(['scan', '--plan', path, '--shard', '1', '--out-dir', dirs[1]!, ...s3Opts()], { env })
      expect(r0.code).not.toBe(3)
      expect(r1.code).toBe(3)
      expect(r1.stderr).toContain(`s3://trail-bucket/${victim} changed since it was planned`)
      const merged = await runCli(['merge', ...dirs, '--plan', path, '--summary-json', join(work, 'changed', 'summary.json')])
      expect(merged.code).toBe(3)
      const summary = JSON.parse(readFileSync(join(work, 'changed', 'summary.json'), 'utf8')) as {
        errors: { object?: string; message: string }[]
      }
      expect(summary.errors.map((e) => e.object)).toContain(`s3://trail-bucket/${victim}`)
    } finally {
      const original = victim === LATE_REMEDIATION ? REMEDIATION : victim
      await uploadAll(stack.s3.endpoint, 'trail-bucket', [
        { key: victim, body: readFileSync(join(fixtures, original.split('/').join(sep))) },
      ])
    }
  }, 60_000)
})

describe('trailscan merge refuses what is not one whole plan', () => {
  let planPath: string
  let dirs: string[]
  beforeAll(async () => {
    planPath = join(work, 'local-plan.json')
    const r = await runCli(['plan', join(fixtures, 'cis-controls'), join(fixtures, 'public-s3'), '--shards', '3', '--out', planPath])
    expect(r.code).toBe(0)
    dirs = [0, 1, 2].map((i) => join(work, 'local', `s${i}`))
    for (const [i, dir] of dirs.entries()) {
      const s = await runCli(['scan', '--plan', planPath, '--out-dir', dir], { env: { AWS_BATCH_JOB_ARRAY_INDEX: String(i) } })
      expect(s.code).toBe(0)
    }
  }, 60_000)

  it('merges a local plan to what one scan writes', async () => {
    const one = await runCli(['scan', join(fixtures, 'cis-controls'), join(fixtures, 'public-s3')])
    const merged = await runCli(['merge', ...dirs, '--plan', planPath])
    expect(merged.code).toBe(0)
    expect(merged.stdout).toBe(one.stdout)
  })

  it('logs at the --log-level given, as scan and plan do', async () => {
    // Port 9 is one fetch refuses at once: every finding fails delivery, each logged as an error.
    const to = ['--to', 'webhook:http://127.0.0.1:9/hook']
    const loud = await runCli(['merge', ...dirs, '--plan', planPath, ...to])
    const quiet = await runCli(['merge', ...dirs, '--plan', planPath, ...to, '--log-level', 'fatal'])
    expect(loud.code).toBe(5)
    expect(quiet.code).toBe(5)
    expect(loud.stderr).toContain('not delivered')
    expect(quiet.stderr).not.toContain('not delivered')
    expect(quiet.stdout).toBe(loud.stdout)
  })

  it('names a missing shard', async () => {
    const r = await runCli(['merge', dirs[0]!, dirs[2]!, '--plan', planPath])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('shard 1 of 3 missing')
    expect(r.stdout).toBe('')
  })

  it('names a shard directory that never finished', async () => {
    mkdirSync(join(work, 'local', 'never-ran'), { recursive: true })
    const r = await runCli(['merge', dirs[0]!, dirs[1]!, join(work, 'local', 'never-ran'), '--plan', planPath])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${join(work, 'local', 'never-ran')}: no finished shard`)
  })

  it('names a shard given twice', async () => {
    const r = await runCli(['merge', dirs[0]!, dirs[1]!, dirs[2]!, dirs[1]!, '--plan', planPath])
    expect(r.code).toBe(2)
    const manifest = join(dirs[1]!, 'shard-1.json')
    expect(r.stderr).toContain(`shard 1 is given twice: ${manifest} and ${manifest}`)
  })

  it('refuses shards of another plan', async () => {
    const other = join(work, 'other-plan.json')
    await runCli(['plan', join(fixtures, 'cis-controls'), '--shards', '3', '--out', other])
    const r = await runCli(['merge', ...dirs, '--plan', other])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/made from another plan/)
  })

  it('refuses a shard whose run was interrupted', async () => {
    const manifest = join(dirs[2]!, 'shard-2.json')
    const saved = readFileSync(manifest, 'utf8')
    writeFileSync(manifest, saved.replace('"complete": true', '"complete": false'))
    try {
      const r = await runCli(['merge', ...dirs, '--plan', planPath])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('shard 2 was interrupted')
    } finally {
      writeFileSync(manifest, saved)
    }
  })

  it('reports a local file changed between plan and scan, and does not scan it', async () => {
    const copy = join(work, 'local-copy')
    cpSync(join(fixtures, 'public-s3'), copy, { recursive: true })
    const planned = join(work, 'local-copy-plan.json')
    expect((await runCli(['plan', copy, '--shards', '1', '--out', planned])).code).toBe(0)
    const victim = filesUnder(copy)[0]!
    utimesSync(victim, new Date(), new Date(Date.now() + 60_000))
    const r = await runCli(['scan', '--plan', planned, '--shard', '0', '--out-dir', join(work, 'local-copy-out')])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain(`${victim} changed since it was planned`)
  })

  it('refuses a shard index outside the plan, and a plan scan given paths or a window', async () => {
    const r1 = await runCli(['scan', '--plan', planPath, '--shard', '3', '--out-dir', join(work, 'x')])
    expect(r1.code).toBe(2)
    expect(r1.stderr).toContain('--shard is "3": the plan has shards 0 to 2')
    const r2 = await runCli(['scan', join(fixtures, 'benign'), '--plan', planPath, '--shard', '0', '--out-dir', join(work, 'x')])
    expect(r2.code).toBe(2)
    const r3 = await runCli(['scan', '--plan', planPath, '--shard', '0', '--start', '2024-01-01T00:00:00Z', '--out-dir', join(work, 'x')])
    expect(r3.code).toBe(2)
    expect(r3.stderr).toContain('--start cannot be given with --plan')
    const r4 = await runCli(['scan', '--plan', planPath, '--out-dir', join(work, 'x')], {
      env: { JOB_COMPLETION_INDEX: '', AWS_BATCH_JOB_ARRAY_INDEX: '' },
    })
    expect(r4.code).toBe(2)
    expect(r4.stderr).toContain('--plan needs the shard to scan')
  })
})
