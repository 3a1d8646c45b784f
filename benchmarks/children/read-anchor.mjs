// Benchmark-only "read only" with the unsafe anchor split (lib/anchor-split.mjs, as the engine split CloudTrail's
// compact layout until dcacfa4): the same listing, concurrency and engine gunzip (decodeObject, one-shot or
// streamed) as read-records.mjs, the same RecordText per record, but each record cut at the next
// `,{"eventVersion":` instead of walked. The difference in CPU time between the two is what the walk costs.
//   node read-anchor.mjs <corpusDir>   → prints {"objects","records","rawBytes","errors","chars"} on stdout
import { join } from 'node:path'
import { listLocalObjects } from '@trailscan/engine'
import { AnchorSplitter } from '../lib/anchor-split.mjs'
import { DECODE_DEFAULTS, decodeObject } from '../lib/engine-internals.mjs'
import { forEachLimit, SCAN_CONCURRENCY } from '../lib/pool.mjs'

const dir = process.argv[2]
const objects = []
for await (const o of listLocalObjects([join(dir, 'AWSLogs')])) objects.push(o)
let records = 0
let rawBytes = 0
let chars = 0
await forEachLimit(objects, SCAN_CONCURRENCY, async (o) => {
  const stats = { storedBytes: 0, decodedBytes: 0, gzip: false }
  const splitter = new AnchorSplitter((rt) => (chars += rt.end - rt.start), o.uri)
  for await (const chunk of decodeObject(o, DECODE_DEFAULTS, stats)) splitter.push(chunk)
  splitter.end()
  records += splitter.recordCount
  rawBytes += stats.decodedBytes
})
process.stdout.write(JSON.stringify({ objects: objects.length, records, rawBytes, errors: 0, chars }) + '\n')
