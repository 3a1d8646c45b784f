// Scenario "split cost": what the record walk (every record walked as a JSON parser walks it, ARCHITECTURE.md
// "Splitting") costs over the unsafe anchor split the engine used until dcacfa4, in the same build. The engine's
// read (children/read-records.mjs) against the same read with the anchor split (children/read-anchor.mjs, a
// benchmark-only reference): same listing, gunzip, records and RecordText, so their difference in CPU time
// (user + system) is the walk's. Next to them the end-to-end scan with every pack, on one thread like the reads,
// to put that difference in proportion. At least 5 interleaved runs each (BENCH_REPS if more); CPU time, since
// on a shared machine it moves less than wall time; the figure is the median of each round's difference.
import { readAnchor, readOnly, trailscan } from '../lib/commands.mjs'
import { ensureCorpus } from '../lib/corpus.mjs'
import { interleave, median, reps } from '../lib/measure.mjs'
import { rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

const WALK = 'read, record walk (engine)'
const ANCHOR = 'read, anchor split (dcacfa4, benchmark only)'
const E2E = 'trailscan scan (all packs, --workers 1)'

export async function run({ log = defaultLog, shapes = ['small', 'large'] } = {}) {
  const out = { rows: [], checks: [], notes: [] }
  for (const shape of shapes) {
    const corpus = await ensureCorpus(shape, { log })
    log(`split cost — ${shape}`)
    const walk = readOnly(corpus)
    const anchor = readAnchor(corpus)
    const variants = [
      { id: WALK, run: walk },
      { id: ANCHOR, run: anchor },
      { id: E2E, run: trailscan(corpus, { extraArgs: ['--workers', '1'] }) },
    ]
    const res = await interleave(variants, Math.max(5, reps()), log)
    if (res[WALK].last.chars !== res[ANCHOR].last.chars) throw new Error(`the anchor split and the walk disagree on ${shape}`)
    out.rows.push(...rows('split cost', corpus, res))
    const cpu = (id) => res[id].all.map((x) => x.cpuSeconds)
    if ([WALK, ANCHOR, E2E].some((id) => cpu(id).includes(null))) {
      out.notes.push(`split cost, ${shape}: no CPU time without /usr/bin/time; the wall times above are all there is`)
      continue
    }
    const diffs = cpu(WALK).map((w, i) => w - cpu(ANCHOR)[i])
    const extra = median(diffs)
    const e2e = median(cpu(E2E))
    const per100 = extra / (corpus.rawBytes / 1e8)
    out.notes.push(
      `split cost, ${shape} (${(corpus.rawBytes / 1e6).toFixed(0)} MB inflated): CPU s, median of ${diffs.length} — walk ${median(cpu(WALK)).toFixed(2)}, ` +
        `anchor ${median(cpu(ANCHOR)).toFixed(2)}, walk − anchor ${extra.toFixed(3)} (per round ${diffs.map((d) => d.toFixed(2)).join(' ')}) = ` +
        `${per100.toFixed(3)} s per 100 MB; scan with every pack ${e2e.toFixed(2)} s, of which the walk is ${((100 * extra) / e2e).toFixed(1)} %`,
    )
  }
  return out
}

await standalone(import.meta.url, run)
