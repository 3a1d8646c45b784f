// Baseline "gunzip + JSON.parse": what a straightforward tool does — inflate each object (same I/O shape as
// gunzip-floor.mjs), decode it to a string, JSON.parse the whole {"Records":[…]}, and touch every record.
// It does not evaluate rules, so it is a lower bound on the cost of any parse-everything design.
// Not usable on the 1 GB single object: V8 strings stop at ~512 MiB (that is one reason the engine splits).
//   node parse-whole.mjs <corpusDir>   → prints {"objects","records"} on stdout
import { createReadStream, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createGunzip, gunzipSync } from 'node:zlib'
import { forEachLimit, ONE_SHOT_BELOW, SCAN_CONCURRENCY } from '../lib/pool.mjs'

const dir = process.argv[2]
const files = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files.map((f) => join(dir, f))
let records = 0
let withError = 0
await forEachLimit(files, SCAN_CONCURRENCY, async (f) => {
  let buf
  if (statSync(f).size <= ONE_SHOT_BELOW) buf = gunzipSync(await readFile(f))
  else {
    const parts = []
    for await (const c of createReadStream(f, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }))) parts.push(c)
    buf = Buffer.concat(parts)
  }
  for (const r of JSON.parse(buf.toString('utf8')).Records) {
    records++
    if (r.errorCode !== undefined) withError++
  }
})
process.stdout.write(JSON.stringify({ objects: files.length, records, withError }) + '\n')
