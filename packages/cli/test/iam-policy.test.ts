/**
 * The IAM policy the README gives for a scheduled run (deploy/trailscan-iam-policy.json) must allow every S3
 * request a run makes, so it cannot silently fall behind the code. Runs go against the loopback S3 with the
 * policy's own bucket names; every request the proxy saw becomes the IAM actions S3 authorizes it with, on its
 * resource, and each must be allowed by a statement of the policy (actions, resource ARN, the s3:prefix condition).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { globMatcher } from '../../engine/src/match/glob.js'
import { uploadAll } from '../../engine/test/support/s3-fixtures.js'
import type { SeenRequest } from '../../engine/test/support/fault-proxy.js'
import { startS3Stack, type S3Stack } from '../../engine/test/support/s3-stack.js'
import { S3RVER_ENV } from '../../engine/test/support/s3rver.js'
import { runCli } from './run-cli.js'
import { makeCorpus } from './support/state-harness.js'

const POLICY = fileURLToPath(new URL('../../../deploy/trailscan-iam-policy.json', import.meta.url))
const TRAIL = 'org-trail-bucket'
const STATE = 'org-trail-bucket-trailscan'
const env = S3RVER_ENV

interface Statement {
  Sid?: string
  Effect: string
  Action: string | string[]
  Resource: string | string[]
  Condition?: { StringLike?: Record<string, string | string[]> }
}

const list = (x: string | string[] | undefined): string[] => (x === undefined ? [] : Array.isArray(x) ? x : [x])

/** The actions S3 authorizes a request with, on its resource and with its condition keys (S3 user guide). */
function authorizations(r: SeenRequest): { action: string; resource: string; prefix?: string }[] {
  if (r.key === undefined) {
    if (r.method === 'GET' && r.query['list-type'] === '2')
      return [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${r.bucket}`, prefix: r.query['prefix'] ?? '' }]
    throw new Error(`a bucket-level request the policy test does not know: ${r.method} ${JSON.stringify(r.query)}`)
  }
  const object = `arn:aws:s3:::${r.bucket}/${r.key}`
  // The SDK names the operation in `x-id`; any other parameter (uploadId, acl, tagging…) is another operation.
  const plain = Object.keys(r.query).every((k) => k === 'x-id')
  // A conditional write or delete on an ETag also needs s3:GetObject (S3: "conditional writes", "conditional deletes").
  const read = r.ifMatch !== undefined ? [{ action: 's3:GetObject', resource: object }] : []
  if ((r.method === 'GET' || r.method === 'HEAD') && plain) return [{ action: 's3:GetObject', resource: object }]
  if (r.method === 'PUT' && plain) return [{ action: 's3:PutObject', resource: object }, ...read]
  if (r.method === 'DELETE' && plain) return [{ action: 's3:DeleteObject', resource: object }, ...read]
  throw new Error(`an object request the policy test does not know: ${r.method} ${r.key} ${JSON.stringify(r.query)}`)
}

function allowed(policy: Statement[], a: { action: string; resource: string; prefix?: string }): boolean {
  return policy.some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).some((p) => globMatcher(p, '?')(a.action)) &&
      list(s.Resource).some((p) => globMatcher(p, '?')(a.resource)) &&
      Object.entries(s.Condition?.StringLike ?? {}).every(
        ([k, ps]) => k === 's3:prefix' && a.prefix !== undefined && list(ps).some((p) => globMatcher(p, '?')(a.prefix!)),
      ),
  )
}

let stack: S3Stack
let dir: string

beforeAll(async () => {
  stack = await startS3Stack([TRAIL, STATE])
  dir = mkdtempSync(join(tmpdir(), 'trailscan-iam-'))
}, 60_000)

afterAll(async () => {
  await stack?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('deploy/trailscan-iam-policy.json', () => {
  it('allows every S3 request of scheduled runs, sharded cycles, state show and state reset (action, resource ARN and s3:prefix)', async () => {
    const policy = (JSON.parse(readFileSync(POLICY, 'utf8')) as { Statement: Statement[] }).Statement
    const corpus = makeCorpus(21, 8, 10)
    await uploadAll(stack.s3.endpoint, TRAIL, corpus.slice(0, 4))
    const s3 = ['--endpoint-url', stack.proxy.endpoint]
    const scan = ['scan', `s3://${TRAIL}/AWSLogs/`, '--state', `s3://${STATE}/state/`, '--out', join(dir, 'f.jsonl'), '--append', ...s3]
    const runs: { code: number | null; stderr: string }[] = []
    runs.push(await runCli(scan, { env })) // first run: creates state and lease
    await uploadAll(stack.s3.endpoint, TRAIL, corpus.slice(4, 6))
    runs.push(await runCli(scan, { env })) // later run: If-Match on state, new objects
    // A run killed outright leaves its lease; the next one takes it over once expired (If-Match on the lease).
    await uploadAll(stack.s3.endpoint, STATE, [
      {
        key: 'state/lease.json',
        body: Buffer.from(
          JSON.stringify({ runId: 'dead', host: 'h', pid: 1, startedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T00:10:00Z' }),
        ),
      },
    ])
    runs.push(await runCli(scan, { env }))
    // A sharded cycle on the same state, as deploy/'s CronJob and Batch jobs run it: plan and shard read, merge commits.
    await uploadAll(stack.s3.endpoint, TRAIL, corpus.slice(6))
    const plan = join(dir, 'plan.json')
    runs.push(
      await runCli(['plan', `s3://${TRAIL}/AWSLogs/`, '--state', `s3://${STATE}/state/`, '--shards', '1', '--out', plan, ...s3], { env }),
    )
    runs.push(await runCli(['scan', '--plan', plan, '--shard', '0', '--out-dir', join(dir, 'shards'), ...s3], { env }))
    runs.push(await runCli(['merge', join(dir, 'shards'), '--plan', plan, '--out', join(dir, 'm.jsonl'), ...s3], { env }))
    runs.push(await runCli(['state', 'show', `s3://${STATE}/state/`, ...s3], { env }))
    runs.push(await runCli(['state', 'reset', `s3://${STATE}/state/`, '--yes', ...s3], { env }))
    expect(
      runs.map((r) => r.code),
      runs.map((r) => r.stderr).join('\n'),
    ).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
    expect(runs[3]!.stderr).toContain('2 new, 0 changed, 6 already processed')

    const seen = stack.proxy.requests
    // The runs did write and delete state conditionally, so those requests are part of what is checked.
    expect(seen.some((r) => r.method === 'PUT' && r.ifNoneMatch === '*')).toBe(true)
    expect(seen.some((r) => r.method === 'PUT' && r.ifMatch !== undefined)).toBe(true)
    expect(seen.some((r) => r.method === 'DELETE')).toBe(true)
    const denied = seen.flatMap((r) => authorizations(r).filter((a) => !allowed(policy, a)))
    expect(denied).toEqual([])
  }, 120_000)

  it('is the policy the README prints', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
    const at = readme.indexOf('**The IAM policy**')
    const block = /```json\n([\s\S]*?)```/.exec(readme.slice(at))
    // The README leaves out the statement ids.
    const withoutSids = (p: { Statement: Statement[] }): unknown => ({ ...p, Statement: p.Statement.map(({ Sid: _, ...s }) => s) })
    expect(JSON.parse(block![1]!)).toEqual(withoutSids(JSON.parse(readFileSync(POLICY, 'utf8')) as { Statement: Statement[] }))
  })
})
