// Corpus shapes and their lazy generation. A corpus is a directory of CloudTrail-layout objects plus a
// manifest.json written last, so a half-written corpus (interrupted run) is never mistaken for a complete one.
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { constants, createGzip, gzipSync } from 'node:zlib'
import { once } from 'node:events'
import { ACCOUNTS, REGIONS, RULE_EVENTS } from './profile.mjs'
import { makeRecord, rng } from './records.mjs'
import { CACHE_DIR } from './paths.mjs'

const MB = 1024 * 1024
const num = (v, d) => (v === undefined || v === '' ? d : Number(v))

/**
 * Sizes are in MB of uncompressed JSON (what the throughput figures divide by). Defaults keep `pnpm bench` under
 * ~10 minutes on 2 cores; the memory corpora are large on purpose and can be shrunk for quick runs.
 */
export function shapes(env = process.env) {
  return {
    // The typical CloudTrail object: one account/region, ~5 minutes, ~20 KB gzipped.
    small: { objectGzBytes: num(env.BENCH_SMALL_OBJECT_KB, 20) * 1024, totalRawBytes: num(env.BENCH_SMALL_MB, 100) * MB },
    // A few busy-trail objects of ~5 MB gzipped (~38 MB raw), still under the engine's 8 MB one-shot threshold.
    large: { objectGzBytes: num(env.BENCH_LARGE_OBJECT_MB, 5) * MB, totalRawBytes: num(env.BENCH_LARGE_MB, 120) * MB },
    // Memory: one object of 1 GB uncompressed (streamed by the engine since it is far above 8 MB stored).
    single: { objects: 1, totalRawBytes: num(env.BENCH_SINGLE_MB, 1024) * MB },
    // Memory: a 10 GB corpus of typical small objects (~70k objects).
    corpus: { objectGzBytes: num(env.BENCH_SMALL_OBJECT_KB, 20) * 1024, totalRawBytes: num(env.BENCH_CORPUS_MB, 10240) * MB },
  }
}

export const seedOf = (env = process.env) => env.BENCH_SEED ?? '42'

export function corpusDir(name, spec, seed) {
  return join(CACHE_DIR, 'corpus', `${name}-${Math.round(spec.totalRawBytes / MB)}mb-seed${seed}`)
}

export function readManifest(dir) {
  const p = join(dir, 'manifest.json')
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : undefined
}

const BASE_TIME = Date.UTC(2024, 4, 1) // 2024-05-01T00:00Z
const SLOT_MS = 5 * 60 * 1000 // CloudTrail delivers about every 5 minutes per account and region

function regionOf(r) {
  const total = REGIONS.reduce((a, x) => a + x[1], 0)
  let x = r.float() * total
  for (const [name, w] of REGIONS) if ((x -= w) < 0) return name
  return REGIONS[0][0]
}

/** Object i of a corpus: where it lives and what its records are made from. Pure function of (seed, name, i). */
function objectPlan(name, seed, i) {
  const r = rng(`${seed}:${name}:${i}`)
  const acct = ACCOUNTS[i % ACCOUNTS.length]
  const region = regionOf(r)
  const end = BASE_TIME + Math.floor(i / ACCOUNTS.length + 1) * SLOT_MS
  const d = new Date(end).toISOString() // 2024-05-01T00:05:00.000Z
  const stamp = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}T${d.slice(11, 13)}${d.slice(14, 16)}Z`
  const suffix = r.alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
  const rel = `AWSLogs/${acct}/CloudTrail/${region}/${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${acct}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`
  return { r, acct, region, end, rel }
}

const RULE_NAMES = new Set(RULE_EVENTS.map((e) => e[1]))

function* recordTexts(plan, count, counts) {
  const { r, acct, region, end } = plan
  for (let k = 0; k < count; k++) {
    const rec = makeRecord(r, acct, region, end - SLOT_MS + r.int(SLOT_MS))
    if (RULE_NAMES.has(rec.eventName)) counts[rec.eventName] = (counts[rec.eventName] ?? 0) + 1
    if (rec.errorCode) counts.errorCode = (counts.errorCode ?? 0) + 1
    if (rec.userIdentity.type === 'Root') counts.Root = (counts.Root ?? 0) + 1
    yield JSON.stringify(rec)
  }
}

/** Writes one object. Whole-string gzip for ordinary sizes; a gzip stream for the 1 GB object. */
export async function writeObject(dir, name, seed, i, records) {
  const plan = objectPlan(name, seed, i)
  const path = join(dir, plan.rel)
  mkdirSync(dirname(path), { recursive: true })
  const counts = {}
  let raw = 0
  if (records < 200_000) {
    const text = `{"Records":[${[...recordTexts(plan, records, counts)].join(',')}]}`
    const gz = gzipSync(text)
    writeFileSync(path, gz)
    return { rel: plan.rel, raw: Buffer.byteLength(text), gz: gz.length, records, counts }
  }
  const gzip = createGzip({ level: constants.Z_DEFAULT_COMPRESSION })
  const out = createWriteStream(path)
  gzip.pipe(out)
  let gzBytes = 0
  gzip.on('data', (c) => (gzBytes += c.length))
  const write = async (s) => {
    raw += Buffer.byteLength(s)
    if (!gzip.write(s)) await once(gzip, 'drain')
  }
  await write('{"Records":[')
  let batch = []
  let first = true
  for (const t of recordTexts(plan, records, counts)) {
    batch.push(t)
    if (batch.length === 2000) {
      await write((first ? '' : ',') + batch.join(','))
      first = false
      batch = []
    }
  }
  if (batch.length) await write((first ? '' : ',') + batch.join(','))
  await write(']}')
  gzip.end()
  await once(out, 'finish')
  return { rel: plan.rel, raw, gz: gzBytes, records, counts }
}

/** Mean record size and gzip ratio of this generator, from a probe; used to size objects deterministically. */
export function calibrate(seed) {
  const plan = objectPlan('probe', seed, 0)
  const text = `{"Records":[${[...recordTexts(plan, 3000, {})].join(',')}]}`
  let gz = 0
  for (let i = 0; i < text.length; i += 150_000) gz += gzipSync(text.slice(i, i + 150_000)).length
  return { meanRecordBytes: text.length / 3000, gzipRatio: text.length / gz }
}

/** Generates a corpus unless a complete one (manifest present) exists. Returns the manifest. */
export async function ensureCorpus(name, { env = process.env, log = (m) => process.stderr.write(`${m}\n`), force = false } = {}) {
  const spec = shapes(env)[name]
  if (!spec) throw new Error(`unknown corpus shape ${name} (small, large, single, corpus)`)
  const seed = seedOf(env)
  const dir = corpusDir(name, spec, seed)
  const existing = readManifest(dir)
  if (existing && !force) return { ...existing, dir }
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const cal = calibrate(seed)
  const perObject =
    spec.objects === 1
      ? Math.ceil(spec.totalRawBytes / cal.meanRecordBytes)
      : Math.max(1, Math.round((spec.objectGzBytes * cal.gzipRatio) / cal.meanRecordBytes))
  const objects = spec.objects ?? Math.max(1, Math.ceil(spec.totalRawBytes / (perObject * cal.meanRecordBytes)))
  log(
    `generating ${name}: ${objects} object(s) × ${perObject} records (~${Math.round((objects * perObject * cal.meanRecordBytes) / MB)} MB raw) in ${dir}`,
  )
  const t0 = performance.now()
  // Objects are independent (each seeded by its index), so workers split them without changing the output.
  const workers = Math.min(objects, Number(env.BENCH_GEN_WORKERS ?? availableParallelism()))
  const parts = await Promise.all(
    Array.from(
      { length: workers },
      (_, w) =>
        new Promise((resolve, reject) => {
          const wk = new Worker(new URL('./corpus-worker.mjs', import.meta.url), {
            workerData: { dir, name, seed, perObject, from: w, step: workers, objects },
          })
          wk.once('message', resolve)
          wk.once('error', reject)
        }),
    ),
  )
  const rows = parts.flat().sort((a, b) => (a.rel < b.rel ? -1 : 1))
  const counts = {}
  for (const row of rows) for (const [k, v] of Object.entries(row.counts)) counts[k] = (counts[k] ?? 0) + v
  const manifest = {
    shape: name,
    seed,
    objects: rows.length,
    records: rows.reduce((a, x) => a + x.records, 0),
    rawBytes: rows.reduce((a, x) => a + x.raw, 0),
    gzBytes: rows.reduce((a, x) => a + x.gz, 0),
    meanObjectGzBytes: Math.round(rows.reduce((a, x) => a + x.gz, 0) / rows.length),
    generator: { meanRecordBytes: Math.round(cal.meanRecordBytes), gzipRatio: +cal.gzipRatio.toFixed(2) },
    ruleRelevantCounts: counts,
    generatedInSec: +((performance.now() - t0) / 1000).toFixed(1),
    files: rows.map((x) => x.rel),
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
  log(
    `generated ${name}: ${manifest.objects} objects, ${manifest.records} records, ${(manifest.rawBytes / MB).toFixed(0)} MB raw, ${(manifest.gzBytes / MB).toFixed(1)} MB gz in ${manifest.generatedInSec}s`,
  )
  return { ...manifest, dir }
}
