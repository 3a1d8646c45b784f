#!/usr/bin/env node
// `pnpm bench`: generate the corpora if missing, run every scenario, print one markdown table, and write it as
// JSON to .cache/results.json. Scenarios can be chosen: BENCH_SCENARIOS=version,read,split-cost,match,e2e,rules,memory,state,state-memory.
// Other knobs: BENCH_REPS (3), corpus sizes (see generate.mjs), BENCH_STRICT=1 to exit 1 when a target fails.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ensureCorpus } from './lib/corpus.mjs'
import { CACHE_DIR, CLI_BIN, REPO_DIR } from './lib/paths.mjs'
import { machine, markdown, writeResults } from './lib/report.mjs'
import { log } from './lib/scenario.mjs'
import { ONE_SHOT_BELOW } from './lib/pool.mjs'

const ALL = ['version', 'read', 'split-cost', 'match', 'e2e', 'rules', 'memory', 'state', 'state-memory']
const chosen = (process.env.BENCH_SCENARIOS ?? ALL.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)

if (!existsSync(CLI_BIN) || !existsSync(join(REPO_DIR, 'packages/engine/dist/match/eventbridge/index.js'))) {
  console.error(`The CLI is not built (${CLI_BIN}). Build it first from the repo root: npx tsc -b packages/cli`)
  process.exit(2)
}
// The baselines copy the engine's one-shot threshold; make sure they still agree.
const { DECODE_DEFAULTS } = await import('./lib/engine-internals.mjs')
if (DECODE_DEFAULTS.oneShotBelow !== ONE_SHOT_BELOW)
  log(`warning: engine one-shot threshold is ${DECODE_DEFAULTS.oneShotBelow} B, the baselines use ${ONE_SHOT_BELOW} B`)

const t0 = performance.now()
const corpora = {}
for (const s of ['small', 'large']) corpora[s] = await ensureCorpus(s, { log })

const all = { rows: [], checks: [], notes: [] }
for (const name of chosen) {
  if (!ALL.includes(name)) throw new Error(`unknown scenario ${name} (${ALL.join(', ')})`)
  const mod = await import(`./scenarios/${name}.mjs`)
  const res = await mod.run({ log })
  all.rows.push(...res.rows)
  all.checks.push(...res.checks)
  all.notes.push(...(res.notes ?? []))
}
for (const s of ['single', 'corpus']) if (chosen.includes('memory')) corpora[s] = await ensureCorpus(s, { log })

const m = machine()
// The numbers belong to one build of the engine: say which.
try {
  const git = (...a) => execFileSync('git', ['-C', REPO_DIR, ...a], { encoding: 'utf8' }).trim()
  m.commit = git('rev-parse', '--short', 'HEAD')
  m.engineDirty = git('status', '--porcelain', 'packages/engine', 'packages/cli', 'packages/rules') !== ''
  // tsc -b leaves unchanged outputs alone, so the newest file of the engine's and CLI's builds dates the build.
  m.cliBuiltAt = newestMtime([join(REPO_DIR, 'packages/engine/dist'), join(REPO_DIR, 'packages/cli/dist')])
} catch {}
const table = markdown(all.rows, all.checks, m)
console.log(table)
for (const n of all.notes) console.log(`- ${n}`)
const strip = ({ files, dir, ...rest }) => rest
writeResults(join(CACHE_DIR, 'results.json'), {
  machine: m,
  totalSeconds: +((performance.now() - t0) / 1000).toFixed(1),
  corpora: Object.fromEntries(Object.entries(corpora).map(([k, v]) => [k, strip(v)])),
  rows: all.rows,
  checks: all.checks,
  notes: all.notes,
  markdown: table,
})
log(`results written to ${join(CACHE_DIR, 'results.json')} (${((performance.now() - t0) / 1000).toFixed(0)} s in all)`)
if (process.env.BENCH_STRICT === '1' && all.checks.some((c) => c.pass === false)) process.exit(1)

function newestMtime(dirs) {
  let newest = 0
  for (const dir of dirs)
    for (const f of readdirSync(dir, { recursive: true }))
      if (String(f).endsWith('.js')) newest = Math.max(newest, statSync(join(dir, String(f))).mtimeMs)
  return new Date(newest).toISOString()
}
