// Scenario "memory": peak RSS (from /usr/bin/time) of `trailscan scan` with every shipped pack over
//   - one object of 1 GB uncompressed (BENCH_SINGLE_MB, default 1024), which the engine must stream, and
//   - a corpus of 10 GB uncompressed (BENCH_CORPUS_MB, default 10240) of typical ~20 KB objects.
// Both are generated on first use (the 10 GB corpus takes several minutes once). Set the env vars lower for a
// quick run; the table shows the size actually used. One run each by default (BENCH_MEM_REPS): RSS does not
// need a median, and each run is long. Baselines: gunzip floor on the same data; gunzip + JSON.parse on the
// corpus only with BENCH_MEM_PARSE=1 (~90 s more; impossible on the 1 GB object: a V8 string cannot hold it);
// jq only with BENCH_MEM_JQ=1 (~4 minutes more). They are off by default to keep `pnpm bench` near 10 minutes.
// Both run with BENCH_WORKERS worker threads (default 2), held to ≤ 150 MB + 100 MB per worker; the 10 GB corpus
// is also held to issue #16's throughput target against the gunzip floor with as many threads.
import { baselineVariants, benchWorkers, floorId, trailscan } from '../lib/commands.mjs'
import { ensureCorpus } from '../lib/corpus.mjs'
import { fmt, interleave, MB } from '../lib/measure.mjs'
import { check, rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'
import { scanId, targets } from './e2e.mjs'

export async function run({ log = defaultLog, env = process.env } = {}) {
  const out = { rows: [], checks: [], notes: [] }
  const n = Number(env.BENCH_MEM_REPS ?? 1)
  const workers = benchWorkers(env)
  const limit = 150 + 100 * workers
  for (const [shape, label] of [
    ['single', 'single object'],
    ['corpus', 'corpus'],
  ]) {
    const corpus = await ensureCorpus(shape, { log })
    const size = `${(corpus.rawBytes / 2 ** 30).toFixed(2)} GB raw`
    log(`memory — ${label}, ${size}`)
    const res = await interleave(
      [
        { id: scanId(workers), run: trailscan(corpus, { extraArgs: ['--workers', String(workers)] }) },
        ...baselineVariants(corpus, {
          jq: env.BENCH_MEM_JQ === '1',
          parse: shape !== 'single' && env.BENCH_MEM_PARSE === '1',
          threads: workers,
        }),
      ],
      n,
      log,
    )
    out.rows.push(...rows(`memory (${label})`, corpus, res, { floor: floorId(workers) }))
    const rss = res[scanId(workers)].rssMB
    out.checks.push(
      check(`peak RSS ≤ 150 MB + 100 MB × ${workers} workers, ${label} (${size})`, `${fmt(rss, 0)} MB`, `≤ ${limit} MB`, rss <= limit),
    )
    if (shape === 'corpus') out.checks.push(...targets(label, res, workers).filter((c) => c.pass !== null))
    if (corpus.rawBytes < (shape === 'single' ? 1024 : 10240) * MB * 0.99)
      out.notes.push(`memory (${label}): reduced size ${size} used (full target: ${shape === 'single' ? '1 GB' : '10 GB'})`)
  }
  return out
}

await standalone(import.meta.url, run)
