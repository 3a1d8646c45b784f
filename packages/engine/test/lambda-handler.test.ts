/**
 * An embedder's view: an AWS Lambda handler that scans the object an S3 event notification names, written
 * against `@trailscan/engine`'s public API only (the S3 store here is the loopback s3rver; the handler does not
 * know). It must not build a LogObject by hand: `s3Object` is the factory for one named object.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadRuleSet, localObject, s3Object, scan, type Finding, type ScanSummary } from '@trailscan/engine'
import { uploadAll } from './support/s3-fixtures.js'
import { startS3Stack, stubS3rverCredentials, type S3Stack } from './support/s3-stack.js'

/** The part of an S3 event notification the handler reads (aws-lambda's S3Event). */
interface S3Event {
  Records: { s3: { bucket: { name: string }; object: { key: string; size: number; eTag: string } } }[]
}

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const packs = ['cis-aws-foundations', 'public-s3'].map((p) => join(repo, 'packages/rules/rules', p))

/** The handler, as an embedder writes it: rules loaded once per container, one scan per notification. */
function makeHandler(client: S3Client): (event: S3Event) => Promise<{ findings: Finding[]; summary: ScanSummary }> {
  const ruleSet = loadRuleSet(packs)
  return async (event) => {
    const { rules, diagnostics } = await ruleSet
    if (diagnostics.length > 0) throw new Error(`rule errors: ${diagnostics.map((d) => d.message).join('; ')}`)
    const findings: Finding[] = []
    const objects = event.Records.map(({ s3 }) =>
      s3Object({
        client,
        bucket: s3.bucket.name,
        // Notification keys are URL-encoded, with `+` for a space.
        key: decodeURIComponent(s3.object.key.replace(/\+/g, ' ')),
        size: s3.object.size,
        etag: s3.object.eTag,
      }),
    )
    const summary = await scan({ objects, rules, onFinding: (f) => findings.push(f) })
    return { findings, summary }
  }
}

const fixture = join(repo, 'fixtures/public-s3/AWSLogs')
const file = readdirSync(fixture, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json.gz'))
  .sort()[0]!
const body = readFileSync(join(fixture, file))
// Where CloudTrail would deliver it, under a prefix with a space, so the key arrives encoded.
const key = `trail logs/AWSLogs/${file.split('/').slice(0, -1).join('/')}/${file.split('/').pop()}`

let stack: S3Stack

beforeAll(async () => {
  stubS3rverCredentials()
  stack = await startS3Stack(['trail'])
  await uploadAll(stack.s3.endpoint, 'trail', [{ key, body }])
})

afterAll(async () => {
  await stack?.stop()
})

describe('a Lambda-style handler on the public API', () => {
  it('scans the object an S3 notification names and finds what a local scan of the same file finds', async () => {
    const handler = makeHandler(stack.client())
    const event: S3Event = {
      Records: [
        {
          s3: {
            bucket: { name: 'trail' },
            object: {
              key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'),
              size: body.length,
              eTag: createHash('md5').update(body).digest('hex'),
            },
          },
        },
      ],
    }
    const { findings, summary } = await handler(event)
    expect(summary.errors).toEqual([])
    expect(summary.objects.read).toBe(1)
    expect(findings.length).toBeGreaterThan(0)

    const local: Finding[] = []
    const { rules } = await loadRuleSet(packs)
    await scan({ objects: [localObject(join(fixture, file), statSync(join(fixture, file)).size)], rules, onFinding: (f) => local.push(f) })
    const strip = (fs: Finding[]) => fs.map(({ source: _s, ...f }) => f)
    expect(strip(findings)).toEqual(strip(local))
    expect(findings[0]!.source.uri).toBe(`s3://trail/${key}`)
  })
})
