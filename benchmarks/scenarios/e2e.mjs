// Scenario "end to end": `trailscan scan <corpus>` with every shipped pack (the default), the real CLI in a child
// process, findings to /dev/null. Throughput is raw (uncompressed) MB over wall time, so it includes process
// start-up and rule loading; the scan's own duration (from --summary-json) is shown beside it.
// The scan runs with BENCH_WORKERS worker threads (default 2) and again with one (the scaling from 1 to N); the
// floor it is held to is gunzip with the same number of worker threads, the single-thread floor beside it.
import { baselineVariants, benchWorkers, floorId, hasJq, trailscan } from '../lib/commands.mjs'
import { ensureCorpus } from '../lib/corpus.mjs'
import { fmt, interleave, reps } from '../lib/measure.mjs'
import { check, rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

export const scanId = (workers) => `trailscan scan (all packs, ${workers} worker${workers === 1 ? '' : 's'})`

export async function run({ log = defaultLog, shapes = ['small', 'large'], env = process.env } = {}) {
  const out = { rows: [], checks: [], notes: [] }
  const n = benchWorkers(env)
  for (const shape of shapes) {
    const corpus = await ensureCorpus(shape, { log })
    log(`end to end — ${shape}, ${n} workers`)
    const scans = [...new Set([n, 1])].map((w) => ({ id: scanId(w), run: trailscan(corpus, { extraArgs: ['--workers', String(w)] }) }))
    const res = await interleave([...scans, ...baselineVariants(corpus, { threads: n })], reps(env), log)
    out.rows.push(...rows('end to end', corpus, res, { floor: floorId(n) }))
    out.checks.push(...targets(shape, res, n))
    if (!hasJq()) out.notes.push('jq not installed: the zcat | jq baseline was skipped')
  }
  return out
}

/** Issue #16's targets on one corpus: ≥ 0.8 × the N-thread floor, the scaling from 1 to N, ≥ 10 × zcat | jq. */
export function targets(label, res, n) {
  const ts = res[scanId(n)]
  const floor = res[floorId(n)].seconds / ts.seconds
  const scanOnly = res[floorId(n)].seconds / ts.last.scanSeconds
  const checks = [
    check(
      `throughput ≥ 0.8 × ${floorId(n)} (${label}, --workers ${n})`,
      `${fmt(floor, 2)}×`,
      '≥ 0.80×',
      floor >= 0.8,
      `scan() alone ${fmt(scanOnly, 2)}×; 1-thread floor ${fmt(res[floorId(1)].seconds / ts.seconds, 2)}× — wall time includes start-up and rule loading`,
    ),
  ]
  if (n > 1 && res[scanId(1)]) {
    const one = res[scanId(1)]
    const floors = res[floorId(1)].seconds / res[floorId(n)].seconds
    checks.push(
      check(
        `scaling 1 → ${n} workers (${label})`,
        `${fmt(one.seconds / ts.seconds, 2)}×`,
        'reported',
        null,
        `scan() alone ${fmt(one.last.scanSeconds / ts.last.scanSeconds, 2)}×; the gunzip floor scales ${fmt(floors, 2)}× from 1 to ${n} threads`,
      ),
    )
  }
  if (res['zcat | jq']) {
    const jq = res['zcat | jq'].seconds / ts.seconds
    checks.push(check(`throughput ≥ 10 × zcat | jq (${label})`, `${fmt(jq, 1)}×`, '≥ 10×', jq >= 10))
  }
  return checks
}

await standalone(import.meta.url, run)
