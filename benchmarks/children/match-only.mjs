// Scenario "match only", run in its own process for a clean heap: the compiled shipped rules over record texts
// already split and held in memory (read once up front with the engine's readRecords), so neither I/O nor
// gunzip nor splitting is timed. Variants, interleaved in this process:
//   engine path  — what scan() does per record when records arrive as text (any layout but CloudTrail's compact
//                  one, which scan() reads on the bytes): eventName read from the raw text, RuleIndex lookup (plus
//                  the literal test for rules with no eventName), JSON.parse only when some rule may fire,
//                  rule.match, buildFinding for hits. Mirrors scan.ts onRecord's text path with the public
//                  RuleIndex API; the exposure tracker's extra parses of closing events are not included
//   engine scan()— the real scan() over the same objects held uncompressed in memory: adds the splitter, the
//                  exposure tracker and finding order/dedup, and keeps this scenario honest if the mirror drifts
//   brute force  — JSON.parse every record and run every compiled rule on it (no index, no prefilter)
//   parse only   — JSON.parse every record, no rules (the cost any parse-everything design starts from)
//   gunzip       — gunzipSync of the same objects from memory: the decompression floor, for the ratio
//   node match-only.mjs <corpusDir> <reps>   → prints {rows:[...]} JSON on stdout
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Readable } from 'node:stream'
import * as engine from '@trailscan/engine'
const { buildFinding, compileRule, listLocalObjects, loadRules, parseCloudTrailKey, readRecords, RuleIndex, scan, toEventBridgeEnvelope, DECODE_DEFAULTS } = engine
import { RULES_DIR } from '../lib/paths.mjs'

const [dir, repsArg = '3'] = process.argv.slice(2)
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
const packs = readdirSync(RULES_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(RULES_DIR, e.name))
const loaded = await loadRules(packs)
if (loaded.diagnostics.some((d) => d.severity === 'error')) throw new Error(`rule errors: ${JSON.stringify(loaded.diagnostics.slice(0, 3))}`)
const rules = loaded.rules.map((l) => compileRule(l.spec))
const index = new RuleIndex(rules)

const stored = manifest.files.map((f) => readFileSync(join(dir, f)))
const inflated = stored.map((b) => gunzipSync(b))
const memObjects = () =>
  manifest.files.map((f, i) => ({ uri: f, size: inflated[i].length, key: parseCloudTrailKey(f), open: async () => Readable.from([inflated[i]]) }))
// The reader hands over each record's bytes as latin1 text (`raw`); rules see it decoded (`decodeRecord`).
const raws = []
const texts = []
for await (const o of listLocalObjects([join(dir, 'AWSLogs')]))
  await readRecords(o, DECODE_DEFAULTS, (rt) => (raws.push(rt.raw), texts.push(engine.decodeRecord(rt.raw))), (e) => { throw e })

const NAME_KEY = '"eventName":"'
/** Same contract as the engine's read/top-level-string.ts for eventName: the first occurrence in a record CloudTrail wrote. */
function eventNameOf(text) {
  const i = text.indexOf(NAME_KEY)
  if (i < 0) return undefined
  const start = i + NAME_KEY.length
  const end = text.indexOf('"', start)
  if (end < 0) return undefined
  if (!text.startsWith('{"eventVersion":') && text.indexOf(NAME_KEY, end) >= 0) return undefined
  const name = text.slice(start, end)
  return name.includes('\\') ? undefined : name
}

const ctxOf = (record, text) => {
  let env
  return { record, text, envelope: () => (env ??= toEventBridgeEnvelope(record)) }
}

const KEY = { kind: 'log' }

const variants = {
  'engine path (index + parse candidates)': () => {
    let hits = 0
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i]
      const name = eventNameOf(raw)
      const unindexed = index.unindexed(raw)
      if (name !== undefined && unindexed.length === 0 && index.named(name).length === 0) continue
      const text = engine.decodeRecord(raw)
      const record = JSON.parse(text)
      const ctx = ctxOf(record, text)
      const fire = (rule) => {
        const hit = rule.match(ctx)
        if (hit) hits += buildFinding(rule, hit, record, { uri: 'mem', recordIndex: i }, KEY) ? 1 : 0
      }
      for (const rule of index.named(name ?? record.eventName)) fire(rule)
      for (const rule of unindexed) fire(rule)
    }
    return hits
  },
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
process.stdout.write(JSON.stringify({ records: texts.length, rules: rules.length, indexedNames: [...index.names()].length, unindexed: rules.filter((r) => r.indexKeys.eventName === null).map((r) => r.id), samples, found }) + '\n')
