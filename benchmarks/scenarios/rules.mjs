// Scenario "rule-count scaling": the same scan with the shipped packs alone and with 1,000 generated rules
// (cwl-filter and eventbridge; see lib/rulegen.mjs) loaded alongside them with --rules. The target compares
// wall times: 1,000 extra rules may cost at most 1.5× the shipped packs' time.
import { baselineVariants, shippedPacks, trailscan } from '../lib/commands.mjs'
import { ensureCorpus, seedOf } from '../lib/corpus.mjs'
import { fmt, interleave, reps } from '../lib/measure.mjs'
import { relative } from 'node:path'
import { CACHE_DIR } from '../lib/paths.mjs'
import { check, rows } from '../lib/report.mjs'
import { writeRuleDir } from '../lib/rulegen.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

export async function run({ log = defaultLog, shapes = ['small', 'large'], env = process.env } = {}) {
  const out = { rows: [], checks: [], notes: [] }
  const count = Number(env.BENCH_RULES ?? 1000)
  const unindexedShare = Number(env.BENCH_RULES_UNINDEXED_SHARE ?? 0.1)
  const ruleDir = writeRuleDir(CACHE_DIR, { count, seed: seedOf(env), unindexedShare })
  out.notes.push(
    `rule scaling: ${count} generated rules in ${relative(process.cwd(), ruleDir)} (${Math.round(unindexedShare * 100)} % without an eventName condition)`,
  )
  const packs = shippedPacks()
  for (const shape of shapes) {
    const corpus = await ensureCorpus(shape, { log })
    log(`rule scaling — ${shape}`)
    const base = `shipped packs (${packs.length})`
    const big = `shipped + ${count} rules`
    const res = await interleave(
      [
        { id: base, run: trailscan(corpus, { rules: packs }) },
        { id: big, run: trailscan(corpus, { rules: [...packs, ruleDir] }) },
        ...baselineVariants(corpus),
      ],
      reps(),
      log,
    )
    out.rows.push(...rows('rule scaling', corpus, res))
    const ratio = res[big].seconds / res[base].seconds
    const scanRatio = res[big].last.scanSeconds / res[base].last.scanSeconds
    out.checks.push(
      check(
        `${count} rules ≤ 1.5 × shipped packs' time (${shape})`,
        `${fmt(ratio, 2)}×`,
        '≤ 1.50×',
        ratio <= 1.5,
        `scan() alone ${fmt(scanRatio, 2)}×`,
      ),
    )
  }
  return out
}

await standalone(import.meta.url, run)
