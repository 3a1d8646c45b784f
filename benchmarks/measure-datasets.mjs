#!/usr/bin/env node
// Prints the figures the corpus generator is modelled on (record sizes, eventSource/eventName mix, errorCode
// share, userIdentity types, requestParameters nesting, key order), measured from the real datasets.
// The numbers are copied, with their source, into lib/profile.mjs; rerun this to check them.
//   node measure-datasets.mjs [--json]
import { gzipSync } from 'node:zlib'
import { datasetFiles, fileText, parseRecordsGeneral } from './lib/real-datasets.mjs'

const all = []
const delivered = [] // files as CloudTrail delivers them: {"Records":[…]}
for (const f of datasetFiles()) {
  const text = fileText(f.path)
  let recs
  try {
    recs = parseRecordsGeneral(text)
  } catch {
    continue
  }
  const source = f.rel.split('/')[0]
  for (const r of recs) all.push({ r, source })
  if (text.startsWith('{"Records":['))
    delivered.push({ rel: f.rel, raw: Buffer.byteLength(text), gz: gzipSync(text).length, n: recs.length })
}

const pct = (a, q) => a[Math.min(a.length - 1, Math.floor(q * a.length))]
const count = (xs) => {
  const m = new Map()
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1)
  return [...m].sort((a, b) => b[1] - a[1])
}
const share = (entries, n, total) =>
  entries
    .slice(0, n)
    .map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`)
    .join(', ')
const depth = (v) => (v && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0)

const recs = all.map((x) => x.r).filter((r) => r && r.eventName)
const n = recs.length
const sizes = recs.map((r) => JSON.stringify(r).length).sort((a, b) => a - b)
const withErr = recs.filter((r) => r.errorCode !== undefined)
const rp = recs.map((r) => r.requestParameters)
const rpObj = rp.filter((v) => v && typeof v === 'object')
const order = count(recs.filter((r) => 'eventVersion' in r).map((r) => Object.keys(r).join(',')))
const bySource = count(all.map((x) => x.source))

const out = {
  records: n,
  recordsBySource: Object.fromEntries(bySource),
  recordBytes: {
    mean: Math.round(sizes.reduce((a, b) => a + b, 0) / n),
    p10: pct(sizes, 0.1),
    p50: pct(sizes, 0.5),
    p90: pct(sizes, 0.9),
    p99: pct(sizes, 0.99),
    max: sizes.at(-1),
  },
  eventSource: share(count(recs.map((r) => r.eventSource)), 15, n),
  eventName: share(count(recs.map((r) => r.eventName)), 30, n),
  errorShare: +((100 * withErr.length) / n).toFixed(1),
  errorCodes: share(count(withErr.map((r) => r.errorCode)), 10, withErr.length),
  userIdentityType: share(count(recs.map((r) => r.userIdentity?.type)), 8, n),
  eventVersion: share(count(recs.map((r) => r.eventVersion)), 5, n),
  readOnlyShare: +((100 * recs.filter((r) => r.readOnly === true).length) / n).toFixed(1),
  requestParameters: {
    nullShare: +((100 * rp.filter((v) => v === null || v === undefined).length) / n).toFixed(1),
    meanDepth: +(rpObj.reduce((a, v) => a + depth(v), 0) / rpObj.length).toFixed(2),
    depthOver2Share: +((100 * rpObj.filter((v) => depth(v) > 2).length) / rpObj.length).toFixed(1),
  },
  responseElementsNullShare: +((100 * recs.filter((r) => r.responseElements == null).length) / n).toFixed(1),
  optionalFieldShare: Object.fromEntries(
    ['tlsDetails', 'additionalEventData', 'resources', 'sessionCredentialFromConsole', 'vpcEndpointId', 'apiVersion', 'errorMessage'].map(
      (k) => [k, +((100 * recs.filter((r) => r[k] !== undefined).length) / n).toFixed(1)],
    ),
  ),
  commonKeyOrder: order[0]?.[0],
  deliveredFiles: {
    files: delivered.length,
    recordsPerFile: {
      p50: pct(
        delivered.map((d) => d.n).sort((a, b) => a - b),
        0.5,
      ),
      max: Math.max(...delivered.map((d) => d.n)),
    },
    gzipRatio: +(delivered.reduce((a, d) => a + d.raw, 0) / delivered.reduce((a, d) => a + d.gz, 0)).toFixed(2),
  },
}
if (process.argv.includes('--json')) console.log(JSON.stringify(out, null, 2))
else for (const [k, v] of Object.entries(out)) console.log(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
