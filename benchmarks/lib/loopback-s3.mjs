// A corpus served over loopback S3: the tests' s3rver (packages/engine/test/support/s3rver.mjs), filled through
// the AWS SDK the engine depends on. The CLI reaches it with --endpoint-url and s3rver's keys in the environment.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_DIR } from './paths.mjs'
import { S3RVER_CREDENTIALS, S3RVER_ENV, startS3rver } from '../../packages/engine/test/support/s3rver.mjs'

// The SDK's multi-line notice about Node 20 would land in the middle of the progress lines.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
// The SDK is the engine's dependency, not the benchmarks': resolved from the engine's package.
const sdk = createRequire(join(REPO_DIR, 'packages/engine/package.json'))('@aws-sdk/client-s3')

/** Environment for a child CLI: s3rver's keys, no profile, no instance metadata lookups. */
export const S3_ENV = { ...S3RVER_ENV, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }

export { startS3rver }

/** PUTs `files` (paths relative to `dir`) as `key(rel)`, a few requests in flight. */
export async function uploadFiles(endpoint, bucket, dir, files, key = (rel) => rel, inFlight = 16) {
  const client = new sdk.S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  })
  try {
    let next = 0
    const worker = async () => {
      while (next < files.length) {
        const rel = files[next++]
        await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key(rel), Body: readFileSync(join(dir, rel)) }))
      }
    }
    await Promise.all(Array.from({ length: inFlight }, worker))
  } finally {
    client.destroy()
  }
}

/**
 * The generated corpora are dated 2024; a stateful run only lists the days inside its lookback. This moves a
 * key's delivery day (path and file name) to `today - (its day's offset from the corpus's first day) mod 3`,
 * so every object sits in the default lookback (today and the two days before).
 */
export function redater(files, today = new Date()) {
  const dayOf = (rel) => /\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(rel)
  const first = Math.min(
    ...files.map((f) =>
      Date.UTC(
        ...dayOf(f)
          .slice(1)
          .map((x, i) => Number(x) - (i === 1 ? 1 : 0)),
      ),
    ),
  )
  const base = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())
  return (rel) => {
    const m = dayOf(rel)
    const old = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
    const offset = Math.round((old - first) / 86_400_000) % 3
    const d = new Date(base - offset * 86_400_000).toISOString().slice(0, 10).split('-')
    return rel
      .replace(`/${m[1]}/${m[2]}/${m[3]}/`, `/${d[0]}/${d[1]}/${d[2]}/`)
      .replace(`_${m[1]}${m[2]}${m[3]}T`, `_${d[0]}${d[1]}${d[2]}T`)
  }
}
