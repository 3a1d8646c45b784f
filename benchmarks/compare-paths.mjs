#!/usr/bin/env node
// Correctness check for the fast path: runs the engine's scan() (raw eventName read, rule index, parse only
// candidates, its own splitter) and a general path (JSON.parse of every file, every compiled rule evaluated on
// every record, no index, no prefilter) over the real datasets, and reports every (ruleId, eventId) finding
// that one path has and the other lacks. Exits 1 on any difference.
//   pnpm --filter @trailscan/benchmarks compare [--generated-rules] [--corpus small]
//     --generated-rules  also load the 1,000 generated rules of the rule-scaling scenario
//     --corpus <shape>   also compare on a generated corpus (small, large), where rules fire far more often
// Always also compares on the crafted layouts of ../shared/reliability (nested `,{"eventVersion":` anchors,
// concatenated documents), written to a temporary directory and removed afterwards.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadRuleSet, localObject, recordContext, scan } from '@trailscan/engine'
import { ensureCorpus, seedOf } from './lib/corpus.mjs'
import { shippedPacks } from './lib/commands.mjs'
import { CACHE_DIR, RULES_DIR } from './lib/paths.mjs'
import { anchorCases, concatCases, layouts } from '../packages/engine/test/support/crafted-layouts.mjs'
import { datasetFiles, fileText, parseRecordsGeneral, recordSlices } from './lib/real-datasets.mjs'
import { writeRuleDir } from './lib/rulegen.mjs'

const args = process.argv.slice(2)
const ruleDirs = shippedPacks().map((p) => join(RULES_DIR, p))
if (args.includes('--generated-rules')) ruleDirs.push(writeRuleDir(CACHE_DIR, { seed: seedOf() }))
const loaded = await loadRuleSet(ruleDirs)
const bad = loaded.diagnostics.filter((d) => d.severity === 'error')
if (bad.length) {
  console.error(bad.map((d) => `${d.file}: ${d.message}`).join('\n'))
  process.exit(2)
}
const rules = loaded.rules

const key = (ruleId, eventId) => `${ruleId}\t${eventId ?? '(no eventID)'}`

/** Fast path: the engine's scan() over one object, exactly as the CLI runs it (minus output formatting). */
async function fastPath(path) {
  const found = new Set()
  const errors = []
  await scan({
    objects: [localObject(path, statSync(path).size)],
    rules,
    onFinding: (f) => found.add(key(f.ruleId, f.eventId)),
    onError: (e) => errors.push(e.message),
  })
  return { found, errors }
}

/** General path: whole-file JSON.parse, every rule on every record, dedup on (rule, eventID) like the engine. */
function generalPath(path) {
  const found = new Set()
  const errors = []
  let records
  try {
    records = parseRecordsGeneral(fileText(path))
  } catch (e) {
    return { found, errors: [`not JSON: ${e.message}`], records: 0 }
  }
  const slices = records.length ? recordSlices(fileText(path), records.length) : []
  if (slices.length !== records.length)
    errors.push(`raw slices ${slices.length} ≠ parsed records ${records.length}; using JSON.stringify text`)
  records.forEach((record, i) => {
    if (!record || typeof record !== 'object' || Array.isArray(record)) return
    const text = slices.length === records.length ? slices[i] : JSON.stringify(record)
    const ctx = recordContext(record, text)
    for (const rule of rules) {
      try {
        if (rule.match(ctx)) found.add(key(rule.id, record.eventID))
      } catch (e) {
        errors.push(`rule ${rule.id} threw on record ${i}: ${e.message}`)
      }
    }
  })
  return { found, errors, records: records.length }
}

const targets = datasetFiles().map((f) => ({ path: f.path, label: f.rel }))
const crafted = mkdtempSync(join(tmpdir(), 'trailscan-crafted-'))
process.on('exit', () => rmSync(crafted, { recursive: true, force: true }))
const craftedFiles = [
  ...Object.entries(anchorCases).flatMap(([name, records]) =>
    Object.entries(layouts(records)).map(([layout, bytes]) => [`${name}-${layout}`, bytes]),
  ),
  ...Object.entries(concatCases),
]
for (const [name, bytes] of craftedFiles) {
  const path = join(crafted, `${name.replace(/\.gz$/, '')}${name.endsWith('gz') ? '.json.gz' : '.json'}`)
  writeFileSync(path, bytes)
  targets.push({ path, label: `crafted: ${name}` })
}
const corpusArg = args.indexOf('--corpus')
if (corpusArg >= 0) {
  const corpus = await ensureCorpus(args[corpusArg + 1] ?? 'small')
  for (const f of corpus.files) targets.push({ path: join(corpus.dir, f), label: `generated ${corpus.shape}: ${f.split('/').pop()}` })
}

let differences = 0
let totalFast = 0
let totalGeneral = 0
let totalRecords = 0
const byRule = new Map()
for (const t of targets) {
  const fast = await fastPath(t.path)
  const gen = generalPath(t.path)
  totalFast += fast.found.size
  totalGeneral += gen.found.size
  totalRecords += gen.records
  for (const k of gen.found) byRule.set(k.split('\t')[0], (byRule.get(k.split('\t')[0]) ?? 0) + 1)
  const onlyFast = [...fast.found].filter((k) => !gen.found.has(k))
  const onlyGen = [...gen.found].filter((k) => !fast.found.has(k))
  for (const e of gen.errors) console.log(`note: ${t.label}: general path: ${e}`)
  for (const e of fast.errors) console.log(`note: ${t.label}: engine: ${e}`)
  if (onlyFast.length + onlyGen.length === 0) continue
  differences += onlyFast.length + onlyGen.length
  console.log(`DIFF ${t.label}`)
  for (const k of onlyFast) console.log(`  only fast path:    ${k}`)
  for (const k of onlyGen) console.log(`  only general path: ${k}`)
}

console.log(`\n${targets.length} files, ${totalRecords} records, ${rules.length} rules (${ruleDirs.length} rule dirs)`)
console.log(`findings: fast path ${totalFast}, general path ${totalGeneral}`)
console.log(
  `by rule (general path): ${
    [...byRule]
      .sort()
      .map(([r, n]) => `${r} ${n}`)
      .join(', ') || 'none'
  }`,
)
console.log(differences === 0 ? 'no differences' : `${differences} differing (ruleId, eventId) findings`)
process.exit(differences === 0 ? 0 : 1)
