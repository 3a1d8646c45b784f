// Scenario "read only": the engine's read stage (list, gunzip one-shot or streamed, split into record texts with
// readRecords) on both corpus shapes, against the three baselines on the same objects.
import { baselineVariants, readOnly } from '../lib/commands.mjs'
import { ensureCorpus } from '../lib/corpus.mjs'
import { interleave, reps } from '../lib/measure.mjs'
import { rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

export async function run({ log = defaultLog, shapes = ['small', 'large'] } = {}) {
  const out = { rows: [], checks: [], notes: [] }
  for (const shape of shapes) {
    const corpus = await ensureCorpus(shape, { log })
    log(`read only — ${shape}`)
    const res = await interleave([{ id: 'engine readRecords', run: readOnly(corpus) }, ...baselineVariants(corpus)], reps(), log)
    out.rows.push(...rows('read only', corpus, res))
  }
  return out
}

await standalone(import.meta.url, run)
