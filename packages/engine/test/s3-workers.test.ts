import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileRule } from '../src/match/compile.js'
import type { RuleSpec } from '../src/rules/spec.js'
import { scanWith } from '../src/scan.js'
import type { Finding } from '../src/emit/finding.js'
import { listS3Objects, RetryBudget } from '../src/source/s3.js'
import { cloudTrailKey, gzipRecords, records, uploadAll } from './support/s3-fixtures.js'
import { startS3Stack, stubS3rverCredentials, type S3Stack } from './support/s3-stack.js'

const rule = compileRule({
  id: 'acl-change',
  title: 'Bucket ACL changed',
  description: 'PutBucketAcl',
  severity: 'medium',
  language: 'cwl-filter',
  pattern: '{ $.eventName = "PutBucketAcl" }',
  examples: { match: [], noMatch: [] },
} as unknown as RuleSpec)

let stack: S3Stack
const keys: string[] = []
beforeAll(async () => {
  stubS3rverCredentials()
  stack = await startS3Stack(['trail'])
  for (let i = 0; i < 6; i++) keys.push(cloudTrailKey({ account: '111122223333', region: 'eu-west-1', day: '2024-05-01', time: `10${i}0` }))
  await uploadAll(
    stack.s3.endpoint,
    'trail',
    keys.map((key, i) => ({ key, body: gzipRecords(records(40 + i, '111122223333', 'eu-west-1', '2024-05-01')) })),
  )
}, 60_000)
afterAll(() => stack.stop())

async function scanBucket(workers: number) {
  stack.proxy.clear()
  // A body cut once (resumed with a ranged GET, one retry from the run's budget) and an object that is denied.
  stack.proxy.addRule({ key: keys[1]!, ranged: false, times: 1, action: { type: 'reset', afterBytes: 200 } })
  stack.proxy.addRule({ key: keys[4]!, action: { type: 'error', status: 403, code: 'AccessDenied' } })
  const retryBudget = new RetryBudget(10)
  const client = stack.client({ retryBudget, maxAttempts: 1 })
  const findings: Finding[] = []
  const summary = await scanWith({
    objects: listS3Objects({ client, bucket: 'trail', prefix: '', retryBudget }),
    rules: [rule],
    workers,
    retries: retryBudget,
    onFinding: (f) => findings.push(f),
  })
  const gets = stack.proxy.gets().map((g) => `${g.key} ${g.range ?? ''}`)
  const { durationMs: _d, throughput: _t, startedAt: _s, ...rest } = summary
  return { findings, summary: rest, gets }
}

describe('S3 objects scanned in worker threads', () => {
  it('travel as bucket, key, size and ETag with the client options: the same findings, errors and retries as on one thread', async () => {
    const one = await scanBucket(1)
    const two = await scanBucket(2)
    expect(one.findings.length).toBeGreaterThan(0)
    expect(two.findings).toEqual(one.findings)
    expect(two.summary).toEqual(one.summary)
    // The cut body was resumed in a worker, and that retry was spent from the main thread's budget.
    expect(two.summary.retries).toEqual({ used: 1, budget: 10, exhausted: false })
    expect(two.gets.filter((g) => g.startsWith(`${keys[1]!} bytes=`))).toHaveLength(1)
    expect(two.summary.errors.map((e) => e.object)).toEqual([`s3://trail/${keys[4]!}`])
  }, 60_000)
})
