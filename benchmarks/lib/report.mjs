// Turns interleaved measurements into table rows and pass/fail checks, prints markdown, writes results.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, availableParallelism, totalmem } from 'node:os'
import { join } from 'node:path'
import { CACHE_DIR } from './paths.mjs'
import { MB, fmt } from './measure.mjs'

/**
 * One row per variant: median seconds (min–max), raw MB/s, ratio to the gunzip floor (`floor`: with as many threads
 * as the scan's workers) and to the single-thread floor, peak RSS.
 */
export function rows(scenario, corpus, results, { floor = 'gunzip floor' } = {}) {
  const floorSec = results[floor]?.seconds
  const floor1Sec = results['gunzip floor']?.seconds
  return Object.values(results).map((r) => ({
    scenario,
    corpus: corpus
      ? `${corpus.shape} (${corpus.objects} obj, ${(corpus.rawBytes / MB).toFixed(0)} MB raw, ${(corpus.gzBytes / MB).toFixed(1)} MB gz)`
      : '',
    variant: r.id,
    runs: r.runs,
    seconds: r.seconds,
    min: r.min,
    max: r.max,
    rawMBps: corpus ? corpus.rawBytes / MB / r.seconds : null,
    recordsPerSec: corpus ? corpus.records / r.seconds : null,
    vsFloor: floorSec ? floorSec / r.seconds : null,
    vsFloor1: floor1Sec ? floor1Sec / r.seconds : null,
    rssMB: r.rssMB,
    findings: r.last?.findings ?? r.last?.matches ?? null,
    scanOnlyMBps: r.last?.scanSeconds && corpus ? corpus.rawBytes / MB / r.last.scanSeconds : null,
  }))
}

export const check = (target, value, limit, pass, note = '') => ({ target, value, limit, pass, note })

export function machine() {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    date: new Date().toISOString(),
  }
}

/** Table cells cannot hold a bare pipe (zcat | jq). */
const cell = (x) => String(x).replaceAll('|', '\\|')

export function markdown(allRows, checks, m) {
  const lines = []
  lines.push(
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGB} GB RAM, Node ${m.node}, ${m.date.slice(0, 10)}${m.commit ? `; commit ${m.commit}${m.engineDirty ? ' + uncommitted engine/cli changes' : ''}, CLI built ${m.cliBuiltAt}` : ''}`,
  )
  lines.push('')
  lines.push(
    '| scenario | corpus | variant | runs | median s (min–max) | raw MB/s | records/s | × gunzip floor, same threads | × 1-thread floor | peak RSS MB | findings/matches |',
  )
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of allRows)
    lines.push(
      `| ${r.scenario} | ${r.corpus} | ${cell(r.variant)} | ${r.runs} | ${fmt(r.seconds, 3)} (${fmt(r.min, 2)}–${fmt(r.max, 2)}) | ${fmt(r.rawMBps, 0)}${r.scanOnlyMBps ? ` (scan only ${fmt(r.scanOnlyMBps, 0)})` : ''} | ${r.recordsPerSec ? Math.round(r.recordsPerSec).toLocaleString('en-US') : '—'} | ${fmt(r.vsFloor, 2)} | ${fmt(r.vsFloor1, 2)} | ${fmt(r.rssMB, 0)} | ${r.findings ?? '—'} |`,
    )
  lines.push('')
  lines.push('| target | measured | limit | result |')
  lines.push('|---|---|---|---|')
  for (const c of checks)
    lines.push(
      `| ${cell(c.target)} | ${c.value} | ${c.limit} | ${c.pass === null ? 'n/a' : c.pass ? 'PASS' : 'FAIL'}${c.note ? ` (${c.note})` : ''} |`,
    )
  return lines.join('\n')
}

export function writeResults(file, payload) {
  mkdirSync(CACHE_DIR, { recursive: true })
  writeFileSync(file ?? join(CACHE_DIR, 'results.json'), JSON.stringify(payload, null, 2))
}
