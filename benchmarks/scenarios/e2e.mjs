// Scenario "end to end": `trailscan scan <corpus>` with every shipped pack (the default), the real CLI in a child
// process, findings to /dev/null. Throughput is raw (uncompressed) MB over wall time, so it includes process
// start-up and rule loading; the scan's own duration (from --summary-json) is shown beside it.
import { baselineVariants, hasJq, trailscan } from '../lib/commands.mjs'
import { ensureCorpus } from '../lib/corpus.mjs'
import { fmt, interleave, reps } from '../lib/measure.mjs'
import { check, rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

export async function run({ log = defaultLog, shapes = ['small', 'large'] } = {}) {
  const out = { rows: [], checks: [], notes: [] }
  for (const shape of shapes) {
    const corpus = await ensureCorpus(shape, { log })
    log(`end to end — ${shape}`)
    const res = await interleave([{ id: 'trailscan scan (all packs)', run: trailscan(corpus) }, ...baselineVariants(corpus)], reps(), log)
    out.rows.push(...rows('end to end', corpus, res))
    const ts = res['trailscan scan (all packs)']
    const floor = res['gunzip floor'].seconds / ts.seconds
    const scanOnly = res['gunzip floor'].seconds / ts.last.scanSeconds
    out.checks.push(
      check(
        `throughput ≥ 0.7 × gunzip floor (${shape})`,
        `${fmt(floor, 2)}×`,
        '≥ 0.70×',
        floor >= 0.7,
        `scan() alone ${fmt(scanOnly, 2)}× — wall time includes ~start-up and rule loading`,
      ),
    )
    if (hasJq()) {
      const jq = res['zcat | jq'].seconds / ts.seconds
      out.checks.push(check(`throughput ≥ 10 × zcat | jq (${shape})`, `${fmt(jq, 1)}×`, '≥ 10×', jq >= 10))
    } else out.notes.push('jq not installed: the zcat | jq baseline was skipped')
  }
  return out
}

await standalone(import.meta.url, run)
