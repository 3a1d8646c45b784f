// Scenario "state": a scheduled run in which nothing new arrived, against a full rescan of the same lookback, on
// the small corpus served over loopback S3 (s3rver in this process; the CLI in a child process, as for e2e).
// The corpus's keys are moved into the default lookback (today and the two days before; lib/loopback-s3.mjs).
//   - full rescan: `trailscan scan s3://bench/AWSLogs/ --start <first day of the lookback>`, no state;
//   - incremental, nothing new: `trailscan scan s3://bench/AWSLogs/ --state s3://bench-state/run/` after one
//     unmeasured run that processed everything: it lists the same day prefixes, reads no object, and commits.
// Both include process start-up and rule loading; the incremental one also reads and writes the state object.
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ensureCorpus } from '../lib/corpus.mjs'
import { S3_ENV, redater, startS3rver, uploadFiles } from '../lib/loopback-s3.mjs'
import { fmt, interleave, reps, run as runCmd } from '../lib/measure.mjs'
import { CACHE_DIR, CLI_BIN } from '../lib/paths.mjs'
import { check, rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

export async function run({ log = defaultLog } = {}) {
  const out = { rows: [], checks: [], notes: [] }
  const corpus = await ensureCorpus('small', { log })
  const s3 = await startS3rver(['bench', 'bench-state'])
  try {
    log(`state — uploading the small corpus (${corpus.objects} objects) to loopback S3`)
    const t0 = performance.now()
    await uploadFiles(s3.endpoint, 'bench', corpus.dir, corpus.files, redater(corpus.files))
    log(`  uploaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const firstDay = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10)
    const common = ['--endpoint-url', s3.endpoint, '--log-level', 'warn', '--progress=false']
    mkdirSync(join(CACHE_DIR, 'tmp'), { recursive: true })

    const scan = (extra, expectRecords) => async () => {
      const summaryFile = join(CACHE_DIR, 'tmp', `summary-${process.pid}-${Math.random().toString(36).slice(2)}.json`)
      const res = await runCmd(
        process.execPath,
        [CLI_BIN, 'scan', 's3://bench/AWSLogs/', '--summary-json', summaryFile, ...common, ...extra],
        {
          env: S3_ENV,
        },
      )
      const s = JSON.parse(readFileSync(summaryFile, 'utf8'))
      rmSync(summaryFile, { force: true })
      if (s.records.read !== expectRecords) throw new Error(`read ${s.records.read} records, expected ${expectRecords}`)
      return { ...res, findings: s.findings.total, scanSeconds: s.durationMs / 1000, objectsRead: s.objects.read }
    }
    const state = ['--state', 's3://bench-state/run/']
    log('state — priming the state with one complete run')
    await scan(state, corpus.records)()

    log('state — incremental (nothing new) vs full rescan of the lookback')
    const res = await interleave(
      [
        { id: 'full rescan of the lookback (--start, no state)', run: scan(['--start', firstDay], corpus.records) },
        { id: 'incremental, nothing new (--state s3://)', run: scan(state, 0) },
      ],
      reps(),
      log,
    )
    out.rows.push(...rows('state over loopback S3', corpus, res))
    const full = res['full rescan of the lookback (--start, no state)']
    const inc = res['incremental, nothing new (--state s3://)']
    const ratio = inc.seconds / full.seconds
    out.checks.push(
      check(
        'incremental run with nothing new vs full rescan (small corpus, loopback S3)',
        `${fmt(inc.seconds, 2)} s vs ${fmt(full.seconds, 2)} s (${fmt(ratio, 2)}×)`,
        'reported',
        null,
        `scan() alone ${fmt(inc.last.scanSeconds, 2)} s vs ${fmt(full.last.scanSeconds, 2)} s; the incremental run read ${inc.last.objectsRead} objects`,
      ),
    )
  } finally {
    await s3.stop()
  }
  return out
}

await standalone(import.meta.url, run)
