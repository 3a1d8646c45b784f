// Engine "read only": list the corpus with listLocalObjects and run the engine's readRecords over every object
// (sniff, gunzip one-shot or streamed, RecordSplitter walking every record on the bytes) with the scan's
// concurrency, counting records and their bytes.
// No rule work, no JSON.parse: this is the engine's read stage alone.
//   node read-records.mjs <corpusDir>   → prints {"objects","records","rawBytes","errors"} on stdout
import { join } from 'node:path'
import { listLocalObjects } from '@trailscan/engine'
import { DECODE_DEFAULTS, readRecords } from '../lib/engine-internals.mjs'
import { forEachLimit, SCAN_CONCURRENCY } from '../lib/pool.mjs'

const dir = process.argv[2]
const objects = []
for await (const o of listLocalObjects([join(dir, 'AWSLogs')])) objects.push(o)
let records = 0
let rawBytes = 0
let errors = 0
// Only each record's span is taken: asking for `raw` would decode it, which the scan does only for candidates.
let chars = 0
await forEachLimit(objects, SCAN_CONCURRENCY, async (o) => {
  const res = await readRecords(
    o,
    DECODE_DEFAULTS,
    (rt) => (chars += rt.end - rt.start),
    () => errors++,
  )
  records += res.records
  rawBytes += res.stats.decodedBytes
})
process.stdout.write(JSON.stringify({ objects: objects.length, records, rawBytes, errors, chars }) + '\n')
