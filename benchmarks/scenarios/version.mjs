// Scenario "start-up": `trailscan --version`, median of several runs, next to a bare `node -e ""` so the
// Node start-up share is visible.
import { fmt, interleave, run as runCmd } from '../lib/measure.mjs'
import { CLI_BIN } from '../lib/paths.mjs'
import { check, rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

export async function run({ log = defaultLog, env = process.env } = {}) {
  const n = Number(env.BENCH_VERSION_RUNS ?? 9)
  log('start-up — trailscan --version')
  const res = await interleave(
    [
      { id: 'trailscan --version', run: () => runCmd(process.execPath, [CLI_BIN, '--version']) },
      { id: 'node -e "" (Node start-up)', run: () => runCmd(process.execPath, ['-e', '']) },
    ],
    n,
    log,
  )
  const ms = res['trailscan --version'].seconds * 1000
  return {
    rows: rows('start-up', undefined, res, { floor: 'none' }),
    checks: [check('trailscan --version ≤ 300 ms', `${fmt(ms, 0)} ms`, '≤ 300 ms', ms <= 300)],
  }
}

await standalone(import.meta.url, run)
