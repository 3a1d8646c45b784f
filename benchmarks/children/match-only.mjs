// Scenario "match only", run in its own process for a clean heap: the compiled shipped rules over objects
// already inflated and held in memory, so neither I/O nor gunzip is timed. Variants, interleaved in this process:
//   engine scan()— the real scan() over the objects held uncompressed in memory: splitting, the index and
//                  field tests, literal prefilters, parsing only candidates, the exposure tracker, findings
//   brute force  — JSON.parse every record and run every compiled rule on it (no index, no prefilter)
//   parse only   — JSON.parse every record, no rules (the cost any parse-everything design starts from)
//   gunzip       — gunzipSync of the same objects from memory: the decompression floor, for the ratio
//   node match-only.mjs <corpusDir> <reps>   → prints {rows:[...]} JSON on stdout
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Readable } from 'node:stream'
import { listLocalObjects, loadRuleSet, recordContext, scan } from '@trailscan/engine'
import { buildFinding, DECODE_DEFAULTS, parseCloudTrailKey, readRecords } from '../lib/engine-internals.mjs'
import { RULES_DIR } from '../lib/paths.mjs'

const [dir, repsArg = '3'] = process.argv.slice(2)
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
const packs = readdirSync(RULES_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => join(RULES_DIR, e.name))
const loaded = await loadRuleSet(packs)
if (loaded.diagnostics.some((d) => d.severity === 'error'))
  throw new Error(`rule errors: ${JSON.stringify(loaded.diagnostics.slice(0, 3))}`)
const rules = loaded.rules

const stored = manifest.files.map((f) => readFileSync(join(dir, f)))
const inflated = stored.map((b) => gunzipSync(b))
const memObjects = () =>
  manifest.files.map((f, i) => ({
    uri: f,
    size: inflated[i].length,
    key: parseCloudTrailKey(f),
    open: async () => Readable.from([inflated[i]]),
  }))
// Each record's text as rules see it, for the brute-force and parse-only variants.
const texts = []
for await (const o of listLocalObjects([join(dir, 'AWSLogs')]))
  await readRecords(
    o,
    DECODE_DEFAULTS,
    (rt) => texts.push(rt.json()),
    (e) => {
      throw e
    },
  )

const ctxOf = (record, text) => recordContext(record, text)

const KEY = { kind: 'log' }

const variants = {
  'engine scan() over in-memory objects': async () => {
    let hits = 0
    await scan({ objects: memObjects(), rules, onFinding: () => hits++ })
    return hits
  },
  'brute force (parse all + every rule)': () => {
    let hits = 0
    for (let i = 0; i < texts.length; i++) {
      const record = JSON.parse(texts[i])
      const ctx = ctxOf(record, texts[i])
      for (const rule of rules) {
        const hit = rule.match(ctx)
        if (hit) hits += buildFinding(rule, hit, record, { uri: 'mem', recordIndex: i }, KEY) ? 1 : 0
      }
    }
    return hits
  },
  'JSON.parse every record, no rules': () => {
    let n = 0
    for (const t of texts) n += JSON.parse(t).eventName ? 1 : 0
    return null
  },
  'gunzip floor (in-process, from memory)': () => {
    let n = 0
    for (const b of stored) n += gunzipSync(b).length
    return null
  },
}

const ids = Object.keys(variants)
const samples = Object.fromEntries(ids.map((id) => [id, []]))
const found = {}
for (let rep = 0; rep < Number(repsArg); rep++) {
  for (let k = 0; k < ids.length; k++) {
    const id = ids[(k + rep) % ids.length]
    globalThis.gc?.()
    const t0 = performance.now()
    found[id] = await variants[id]()
    samples[id].push((performance.now() - t0) / 1000)
  }
}
process.stdout.write(
  JSON.stringify({
    records: texts.length,
    rules: rules.length,
    indexedNames: new Set(rules.flatMap((r) => r.indexKeys.eventName ?? [])).size,
    unindexed: rules.filter((r) => r.indexKeys.eventName === null).map((r) => r.id),
    samples,
    found,
  }) + '\n',
)
