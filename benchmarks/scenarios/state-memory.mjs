// Scenario "state-memory": peak RSS of scheduled runs that track 100,000 keys (BENCH_STATE_KEYS), which must
// stay under the 300 MB that scans already meet. The source is a local directory of that many tiny CloudTrail
// objects (one record each) spread over 50 accounts × 17 regions × the 3 days of the default lookback, so the
// state holds every key, and each key's finding ids, in ~2,550 account/region/day groups. Two runs:
//   - first run: lists and scans every object, then commits a state of 100,000 keys;
//   - incremental, nothing new: loads that state, lists the 100,000 objects again, reads none, commits.
// The corpus is dated relative to today (it must sit inside the lookback), so it is regenerated on another day.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { fmt, interleave, run as runCmd } from '../lib/measure.mjs'
import { CACHE_DIR, CLI_BIN } from '../lib/paths.mjs'
import { check, rows } from '../lib/report.mjs'
import { log as defaultLog, standalone } from '../lib/scenario.mjs'

const ACCOUNTS = Array.from({ length: 50 }, (_, i) => String(100000000000 + i * 7919))
const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
].concat(['ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'sa-east-1', 'me-south-1'])

/** `n` one-record objects in the lookback; returns { dir, objects, records }. Cached per size and day. */
function ensureKeysCorpus(n, log) {
  const today = new Date()
  const day = (k) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - k * 86_400_000).toISOString()
  const dir = join(CACHE_DIR, 'corpus', `state-keys-${n}-${day(0).slice(0, 10)}`)
  const manifest = join(dir, 'manifest.json')
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8'))
  rmSync(dir, { recursive: true, force: true })
  log(`generating ${n.toLocaleString('en-US')} one-record objects in ${dir}`)
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const account = ACCOUNTS[i % ACCOUNTS.length]
    const region = REGIONS[Math.floor(i / ACCOUNTS.length) % REGIONS.length]
    const when = day(Math.floor(i / (ACCOUNTS.length * REGIONS.length)) % 3)
    const [y, m, d] = when.slice(0, 10).split('-')
    const slot = Math.floor(i / (ACCOUNTS.length * REGIONS.length * 3)) % 288
    const hhmm = `${String(Math.floor(slot / 12)).padStart(2, '0')}${String((slot % 12) * 5).padStart(2, '0')}`
    const sub = join(dir, 'AWSLogs', account, 'CloudTrail', region, y, m, d)
    if (i < ACCOUNTS.length * REGIONS.length * 3) mkdirSync(sub, { recursive: true })
    const record = {
      eventVersion: '1.09',
      userIdentity: { type: 'IAMUser', accountId: account, userName: 'bench' },
      eventTime: `${when.slice(0, 10)}T${hhmm.slice(0, 2)}:${hhmm.slice(2)}:00Z`,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      awsRegion: region,
      sourceIPAddress: '203.0.113.9',
      userAgent: 'aws-cli/2.15.0',
      eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      recipientAccountId: account,
    }
    const name = `${account}_CloudTrail_${region}_${y}${m}${d}T${hhmm}Z_${String(i).padStart(16, '0')}.json.gz`
    writeFileSync(join(sub, name), gzipSync(JSON.stringify({ Records: [record] })))
  }
  const out = { dir, objects: n, records: n, rawBytes: 0, gzBytes: 0, shape: 'state-keys' }
  writeFileSync(manifest, JSON.stringify(out))
  log(`  generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  return out
}

export async function run({ log = defaultLog, env = process.env } = {}) {
  const out = { rows: [], checks: [], notes: [] }
  const n = Number(env.BENCH_STATE_KEYS ?? 100_000)
  const corpus = ensureKeysCorpus(n, log)
  const stateDir = join(CACHE_DIR, 'tmp', `state-memory-${process.pid}`)
  const summaryFile = join(CACHE_DIR, 'tmp', `summary-state-memory-${process.pid}.json`)
  mkdirSync(join(CACHE_DIR, 'tmp'), { recursive: true })
  const scan = (fresh, expectRecords) => async () => {
    if (fresh) rmSync(stateDir, { recursive: true, force: true })
    const args = [CLI_BIN, 'scan', join(corpus.dir, 'AWSLogs'), '--state', stateDir, '--summary-json', summaryFile, '--log-level', 'warn']
    const res = await runCmd(process.execPath, [...args, '--progress=false'])
    const s = JSON.parse(readFileSync(summaryFile, 'utf8'))
    if (s.records.read !== expectRecords) throw new Error(`read ${s.records.read} records, expected ${expectRecords}`)
    return { ...res, scanSeconds: s.durationMs / 1000 }
  }
  try {
    log(`state-memory — ${n.toLocaleString('en-US')} tracked keys`)
    // One at a time, in this order: the incremental run needs the state the first run commits.
    const first = await interleave([{ id: `first run, commits ${n} keys`, run: scan(true, n) }], 1, log)
    const again = await interleave(
      [{ id: `incremental, nothing new, ${n} keys tracked`, run: scan(false, 0) }],
      Number(env.BENCH_MEM_REPS ?? 1),
      log,
    )
    const res = { ...first, ...again }
    out.rows.push(...rows(`state (${n.toLocaleString('en-US')} keys)`, corpus, res))
    for (const r of Object.values(res))
      out.checks.push(check(`peak RSS ≤ 300 MB, ${r.id}`, `${fmt(r.rssMB, 0)} MB`, '≤ 300 MB', r.rssMB <= 300))
    if (n < 100_000) out.notes.push(`state-memory: reduced size ${n} keys used (target: 100,000)`)
  } finally {
    rmSync(stateDir, { recursive: true, force: true })
    rmSync(summaryFile, { force: true })
  }
  return out
}

await standalone(import.meta.url, run)
