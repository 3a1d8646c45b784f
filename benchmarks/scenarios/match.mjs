// Scenario "match only": see children/match-only.mjs. Runs the child on the small corpus (matching cost per
// record does not depend on object size) and reports each variant against the in-process gunzip of the same data.
import { join } from 'node:path'
import { ensureCorpus } from '../lib/corpus.mjs'
import { fmt, median, reps, run as runCmd } from '../lib/measure.mjs'
import { BENCH_DIR } from '../lib/paths.mjs'
import { check, rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

export async function run({ log = defaultLog, shape = 'small' } = {}) {
  const corpus = await ensureCorpus(shape, { log })
  log(`match only — ${shape}`)
  const res = await runCmd(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', join(BENCH_DIR, 'children/match-only.mjs'), corpus.dir, String(Math.max(3, reps()))],
    { captureStdout: true },
  )
  const out = JSON.parse(res.stdout)
  const results = {}
  for (const [id, secs] of Object.entries(out.samples)) {
    results[id] = {
      id,
      runs: secs.length,
      seconds: median(secs),
      min: Math.min(...secs),
      max: Math.max(...secs),
      rssMB: null,
      last: { findings: out.found[id] },
    }
    log(`  ${id}: ${fmt(median(secs), 3)} s`)
  }
  const r = rows('match only (in memory)', corpus, results, { floor: 'gunzip floor (in-process, from memory)' })
  const eng = results['engine scan() over in-memory objects'].seconds
  const brute = results['brute force (parse all + every rule)'].seconds
  return {
    rows: r,
    checks: [
      check(
        'match: engine scan() vs brute force (same findings)',
        `${fmt(brute / eng, 1)}× faster`,
        'findings equal',
        out.found['engine scan() over in-memory objects'] === out.found['brute force (parse all + every rule)'],
        `${out.found['engine scan() over in-memory objects']} vs ${out.found['brute force (parse all + every rule)']} findings`,
      ),
    ],
    notes: [
      `match only: ${out.rules} shipped rules, ${out.indexedNames} indexed eventNames; rules with no eventName index (keyed by a field test or guarded by literals, see ARCHITECTURE.md): ${out.unindexed.join(', ') || 'none'}`,
    ],
  }
}

await standalone(import.meta.url, run)
