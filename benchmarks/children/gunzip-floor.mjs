// Baseline "gunzip floor": decompress every object of a corpus and throw the bytes away, reading them the way
// the engine does (packages/engine/src/read/decompress.ts): objects up to 8 MiB stored are read whole and
// inflated in one gunzipSync call, larger ones are streamed through createGunzip (1 MiB chunks, on the libuv
// pool); 8 objects in flight, the CLI's default for local paths. Nothing is decoded to text or split.
//   node gunzip-floor.mjs <corpusDir>   → prints {"objects","rawBytes"} on stdout
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createGunzip, gunzipSync } from 'node:zlib'
import { readFileSync, statSync } from 'node:fs'
import { forEachLimit, ONE_SHOT_BELOW, SCAN_CONCURRENCY } from '../lib/pool.mjs'

const dir = process.argv[2]
const files = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files.map((f) => join(dir, f))
let rawBytes = 0
await forEachLimit(files, SCAN_CONCURRENCY, async (f) => {
  if (statSync(f).size <= ONE_SHOT_BELOW) {
    // Read first, then add: `rawBytes += await …` would read rawBytes before the await and lose updates.
    const n = gunzipSync(await readFile(f)).length
    rawBytes += n
    return
  }
  for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 })))
    rawBytes += chunk.length
})
process.stdout.write(JSON.stringify({ objects: files.length, rawBytes }) + '\n')
