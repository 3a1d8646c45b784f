/**
 * The central test of scheduled scans (issue #14), with the state store as a parameter: a `StateWorld` says where
 * objects arrive (the SOURCE) and where state lives (`--state`). The local variant is cli-state-central.test.ts;
 * an S3 variant gives a world whose `put` writes to the loopback bucket and whose `state` is `s3://…`.
 *
 * The scenario: a seeded corpus of CloudTrail objects (records copied from fixtures/cis-controls with fresh
 * eventIDs, some events in two objects) arrives in shuffled order (never key order, late days after newer ones),
 * in batches between runs and during runs. At least `kills` runs are ended by SIGKILL at a random instant; one run
 * in between completes with objects arriving while it runs; a final run completes after everything has arrived.
 * Every run appends to one `--out` file. Its findings must be exactly those of one full scan of everything (by
 * finding id), each once.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { BIN } from '../run-cli.js'

export interface StateWorld {
  /** The SOURCE argument of every run. */
  source: string
  /** `--state LOCATION`. */
  state: string
  /** Further arguments every run gets (an S3 endpoint, a profile). */
  args: string[]
  /** Adds one object under the source; `key` starts at `AWSLogs/`. */
  put(key: string, body: Buffer): Promise<void>
}

export interface CorpusObject {
  key: string
  body: Buffer
}

/** Small, fast, seedable: the same seed gives the same corpus, order and kill instants. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FIXTURE = fileURLToPath(new URL('../../../../fixtures/cis-controls/AWSLogs', import.meta.url))
/** Exposures are held to the end of a run and carried across runs (h-carry's tests); these records stay out. */
const HELD = /Acl|Policy|PublicAccessBlock/

function templates(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n)
      if (statSync(p).isDirectory()) walk(p)
      else if (n.endsWith('.json.gz'))
        for (const r of (JSON.parse(gunzipSync(readFileSync(p)).toString('utf8')) as { Records: Record<string, unknown>[] }).Records)
          if (!HELD.test(String(r.eventName))) out.push(r)
    }
  }
  walk(FIXTURE)
  return out
}

const ACCOUNTS = ['111122223333', '444455556666']
const REGIONS = ['us-east-1', 'eu-west-1']

/**
 * `objects` CloudTrail objects over the last two delivery days (inside the default lookback), each with
 * `perObject` records; about one object in five repeats an event of an earlier one (CloudTrail delivers some
 * events twice).
 */
export function makeCorpus(seed: number, objects = 40, perObject = 60, now = new Date()): CorpusObject[] {
  const rnd = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const base = templates()
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('')
  const made: Record<string, unknown>[][] = []
  const out: CorpusObject[] = []
  for (let i = 0; i < objects; i++) {
    const account = pick(ACCOUNTS)
    const region = pick(REGIONS)
    const day = new Date(now.getTime() - Math.floor(rnd() * 2) * 86_400_000)
    const ymd = day.toISOString().slice(0, 10)
    const records: Record<string, unknown>[] = []
    for (let r = 0; r < perObject; r++) {
      const t = pick(base)
      const time = new Date(Date.parse(`${ymd}T00:00:00Z`) + Math.floor(rnd() * 86_400_000)).toISOString().replace(/\.\d+Z$/, 'Z')
      records.push({
        ...t,
        eventID: `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`,
        eventTime: time,
        recipientAccountId: account,
        awsRegion: region,
      })
    }
    if (made.length > 0 && rnd() < 0.2) records.push(pick(pick(made)))
    made.push(records)
    const [y, m, d] = ymd.split('-')
    const stamp = `${y}${m}${d}T${String(Math.floor(rnd() * 24)).padStart(2, '0')}${String(Math.floor(rnd() * 60)).padStart(2, '0')}Z`
    const key = `AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${d}/${account}_CloudTrail_${region}_${stamp}_${hex(16)}.json.gz`
    out.push({ key, body: gzipSync(JSON.stringify({ Records: records })) })
  }
  return out
}

/** A local directory as the SOURCE. */
export function localSource(dir: string): Pick<StateWorld, 'source' | 'put'> {
  mkdirSync(dir, { recursive: true })
  return {
    source: dir,
    put: async (key, body) => {
      const p = join(dir, key)
      mkdirSync(dirname(p), { recursive: true })
      // Written whole outside the tree, then renamed in: a scan never sees half an object (as S3 never shows one).
      const tmp = join(dirname(dir), `.incoming-${basename(p)}`)
      writeFileSync(tmp, body)
      renameSync(tmp, p)
    },
  }
}

export interface RunRecord {
  /** Exit code, or null when SIGKILL ended it. */
  code: number | null
  killedAfterMs?: number
  stderr: string
}

/** One CLI run; `killAfterMs` sends SIGKILL then (if it is still running); `during` runs while it does. */
export function runOnce(args: string[], opts: { killAfterMs?: number; during?: () => Promise<void> } = {}): Promise<RunRecord> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = opts.killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs) : undefined
    const during = opts.during?.()
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      void Promise.resolve(during).then(() =>
        resolve({
          code: signal === 'SIGKILL' ? null : code,
          ...(signal === 'SIGKILL' ? { killedAfterMs: opts.killAfterMs! } : {}),
          stderr,
        }),
      )
    })
  })
}

export interface ScenarioResult {
  runs: RunRecord[]
  /** Ids in the appended output, in order (duplicates kept, so a test can see them). */
  ids: string[]
  /** Ids of one full scan of everything, without state. */
  expected: string[]
  seed: number
}

/**
 * Runs the scenario. `fullDir`: a scratch directory for the reference scan; `out`: the appended output file.
 * Kill instants are drawn from [0, 1.2 × the reference scan's duration], so they fall before, inside and after
 * the scan and the commit; runs that finished before their kill do not count toward `kills`.
 */
export async function centralScenario(
  world: StateWorld,
  opts: { seed: number; fullDir: string; out: string; kills?: number; objects?: number },
): Promise<ScenarioResult> {
  const rnd = prng(opts.seed ^ 0x5eed)
  const corpus = makeCorpus(opts.seed, opts.objects ?? 40)
  // Arrival order: shuffled, so keys arrive out of key order and an older day's objects after newer ones.
  const arrivals = [...corpus]
  for (let i = arrivals.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[arrivals[i], arrivals[j]] = [arrivals[j]!, arrivals[i]!]
  }

  // The reference: one full scan of everything, no state.
  const full = localSource(opts.fullDir)
  for (const o of corpus) await full.put(o.key, o.body)
  const t0 = performance.now()
  const ref = await runOnce(['scan', full.source, '--out', join(opts.fullDir, '..', 'full.jsonl'), '--concurrency', '1'])
  const fullMs = performance.now() - t0
  if (ref.code !== 0) throw new Error(`reference scan failed (${ref.code}): ${ref.stderr}`)
  const expected = idsOf(join(opts.fullDir, '..', 'full.jsonl'))

  const args = ['scan', world.source, '--state', world.state, '--out', opts.out, '--append', '--concurrency', '1', ...world.args]
  const runs: RunRecord[] = []
  const arrive = async (n: number): Promise<void> => {
    for (const o of arrivals.splice(0, n)) await world.put(o.key, o.body)
  }
  const batch = (): number => 1 + Math.floor(rnd() * (corpus.length / 8))
  // Arrivals spread over the run: some land before the walk reaches their prefix, some after.
  const arriveDuring = async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, Math.floor(rnd() * fullMs)))
    await arrive(batch())
  }
  await arrive(batch())
  const kills = opts.kills ?? 5
  let killed = 0
  let completedWithArrivals = false
  for (let i = 0; killed < kills || !completedWithArrivals; i++) {
    if (i > 40) throw new Error(`seed ${opts.seed}: after 40 runs, ${killed} were killed mid-run (wanted ${kills})`)
    if (killed >= 2 && !completedWithArrivals) {
      runs.push(await runOnce(args, { during: arriveDuring }))
      completedWithArrivals = true
      continue
    }
    const r = await runOnce(args, { killAfterMs: Math.floor(rnd() * fullMs * 1.2), during: arriveDuring })
    runs.push(r)
    if (r.code === null) killed++
    if (arrivals.length === 0) await arrive(0)
  }
  await arrive(arrivals.length)
  runs.push(await runOnce(args))
  return { runs, ids: idsOf(opts.out), expected, seed: opts.seed }
}

function idsOf(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"kind":"finding"'))
    .map((l) => (JSON.parse(l) as { id: string }).id)
}
