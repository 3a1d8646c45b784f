// Baseline "gunzip floor": decompress every object of a corpus and throw the bytes away, reading them the way
// the engine does (packages/engine/src/read/decompress.ts): objects up to 8 MiB stored are read whole and
// inflated in one gunzipSync call, larger ones are streamed through createGunzip (1 MiB chunks, on the libuv
// pool); 8 objects in flight, the CLI's default for local paths. Nothing is decoded to text or split.
// With THREADS > 1, as `trailscan scan --workers THREADS`: that many worker threads each take the next object
// (a shared counter) and inflate it, the 8 objects in flight shared among them.
//   node gunzip-floor.mjs <corpusDir> [THREADS]   → prints {"objects","rawBytes"} on stdout
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { createGunzip, gunzipSync } from 'node:zlib'
import { readFileSync, statSync } from 'node:fs'
import { forEachLimit, ONE_SHOT_BELOW, SCAN_CONCURRENCY } from '../lib/pool.mjs'

async function inflate(f) {
  if (statSync(f).size <= ONE_SHOT_BELOW) return gunzipSync(await readFile(f)).length
  let n = 0
  for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }))) n += chunk.length
  return n
}

if (isMainThread) {
  const dir = process.argv[2]
  const threads = Math.max(1, Number(process.argv[3] ?? 1))
  const files = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files.map((f) => join(dir, f))
  let rawBytes = 0
  if (threads === 1) {
    await forEachLimit(files, SCAN_CONCURRENCY, async (f) => {
      // Read first, then add: `rawBytes += await …` would read rawBytes before the await and lose updates.
      const n = await inflate(f)
      rawBytes += n
    })
  } else {
    const next = new Int32Array(new SharedArrayBuffer(4))
    const inFlight = Math.ceil(SCAN_CONCURRENCY / threads)
    const counts = await Promise.all(
      Array.from(
        { length: threads },
        () =>
          new Promise((resolve, reject) => {
            const w = new Worker(new URL(import.meta.url), { workerData: { files, next, inFlight } })
            w.once('message', resolve)
            w.once('error', reject)
          }),
      ),
    )
    rawBytes = counts.reduce((a, b) => a + b, 0)
  }
  process.stdout.write(JSON.stringify({ objects: files.length, rawBytes }) + '\n')
} else {
  const { files, next, inFlight } = workerData
  let rawBytes = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1)) {
        const n = await inflate(files[i])
        rawBytes += n
      }
    }),
  )
  parentPort.postMessage(rawBytes)
}
