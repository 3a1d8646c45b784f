/**
 * Issue #16 with issue #14: a nightly sharded cycle (plan --state, each shard its own process, merge --state) has
 * the exactly-once guarantees of `scan --state`. Run on a local state and on an S3 state behind the loopback proxy
 * that enforces If-None-Match / If-Match as AWS does; the trail on local disk and on the loopback S3 alike.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReceiver } from '../../engine/test/support/loopback-http.js'
import { readObjectText, uploadAll } from '../../engine/test/support/s3-fixtures.js'
import { startS3Stack, type S3Stack } from '../../engine/test/support/s3-stack.js'
import { S3RVER_ENV } from '../../engine/test/support/s3rver.js'
import { jsonLines, runCli, type CliResult } from './run-cli.js'

const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const env = S3RVER_ENV
// The fixtures are from 2024: a lookback that keeps their days open, so late objects into them are still found.
const LOOKBACK = ['--lookback', '3650d']

/** Held back from the first cycle: the call that closes an exposure (delivered in a day of its own, later)… */
const REMEDIATION =
  'public-s3/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/111122223333_CloudTrail_us-east-1_20240603T1105Z_4r2GHfKpCTcJBIaz.json.gz'
const LATE_REMEDIATION =
  'late/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/05/111122223333_CloudTrail_us-east-1_20240605T0005Z_LateDeliveryAbcd.json.gz'
/** …an object of a day the first cycle scanned (its other object was there)… */
const LATE_INTO_SCANNED_DAY = /cis-controls\/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/2024\/05\/13\//
/** …and an object rewritten with more records after the first cycle scanned it. */
const CHANGED = /public-s3\/AWSLogs\/444455556666\/CloudTrail\/eu-west-1\/2024\/06\/04\//

interface Obj {
  key: string
  body: Buffer
}

function dataset(name: string): Obj[] {
  const root = join(fixtures, name)
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.gz'))
    .map((e) => join(e.parentPath, e.name))
    .map((f) => ({ key: `${name}/${relative(root, f).split(sep).join('/')}`, body: readFileSync(f) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1))
}

/** The same records, and each once more with another eventID: the changed object gives new findings as well. */
function grown(body: Buffer): Buffer {
  const { Records } = JSON.parse(gunzipSync(body).toString('utf8')) as { Records: { eventID: string }[] }
  return gzipSync(JSON.stringify({ Records: [...Records, ...Records.map((r) => ({ ...r, eventID: `${r.eventID}-again` }))] }))
}

interface World {
  name: string
  source: string
  state: string
  /** A second state, for `scan --state` runs at the same points: what a sharded cycle must equal. */
  refState: string
  args: string[]
  put(objects: Obj[]): Promise<void>
  /** The state document's text, or null when there is none. */
  stateDoc(): Promise<string | null>
}

let stack: S3Stack
let work: string
let n = 0

beforeAll(async () => {
  stack = await startS3Stack(['trail', 'state'])
  work = mkdtempSync(join(tmpdir(), 'trailscan-shards-state-'))
}, 60_000)
afterAll(async () => {
  await stack?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

function localWorld(): World {
  const base = join(work, `local-${++n}`)
  const source = join(base, 'trail')
  const state = join(base, 'state')
  mkdirSync(source, { recursive: true })
  return {
    name: base,
    source,
    state,
    refState: join(base, 'ref-state'),
    args: [],
    put: async (objects) => {
      for (const o of objects) {
        const p = join(source, ...o.key.split('/'))
        mkdirSync(dirname(p), { recursive: true })
        writeFileSync(p, o.body)
      }
    },
    // The local store writes numbered generations (state/local-store.ts): all of them, by name and content.
    stateDoc: async () => {
      let names: string[]
      try {
        names = readdirSync(state)
          .filter((f) => f.endsWith('.json'))
          .sort()
      } catch {
        return null
      }
      return names.length === 0 ? null : names.map((f) => `${f}\n${readFileSync(join(state, f), 'utf8')}`).join('\n')
    },
  }
}

function s3World(): World {
  const i = ++n
  const base = join(work, `s3-${i}`)
  mkdirSync(base, { recursive: true })
  return {
    name: base,
    source: `s3://trail/t${i}/`,
    state: `s3://state/s${i}/`,
    refState: `s3://state/r${i}/`,
    args: ['--endpoint-url', stack.proxy.endpoint],
    put: (objects) =>
      uploadAll(
        stack.s3.endpoint,
        'trail',
        objects.map((o) => ({ key: `t${i}/${o.key}`, body: o.body })),
      ),
    stateDoc: () => readObjectText(stack.s3.endpoint, 'state', `s${i}/state.json`),
  }
}

interface PlanJson {
  planId: string
  state?: { location: string; version: string | null }
  shards: { objects: { uri: string }[] }[]
}

const planned = (p: PlanJson): string[] => p.shards.flatMap((s) => s.objects.map((o) => o.uri))

async function makePlan(w: World, name: string, shards: number): Promise<{ path: string; plan: PlanJson; r: CliResult }> {
  const path = join(w.name, name, 'plan.json')
  const r = await runCli(['plan', w.source, '--shards', String(shards), '--out', path, '--state', w.state, ...LOOKBACK, ...w.args], { env })
  expect(r.code, r.stderr).toBe(0)
  return { path, plan: JSON.parse(readFileSync(path, 'utf8')) as PlanJson, r }
}

/** Every shard as its own process, at once, each into its own --out-dir. */
async function runShards(w: World, planPath: string, shards: number, name: string): Promise<{ dirs: string[]; runs: CliResult[] }> {
  const dirs = Array.from({ length: shards }, (_, i) => join(w.name, name, `shard-${i}`))
  const runs = await Promise.all(
    dirs.map((dir, i) => runCli(['scan', '--plan', planPath, '--shard', String(i), '--out-dir', dir, '--alarms', ...w.args], { env })),
  )
  return { dirs, runs }
}

function merge(w: World, planPath: string, dirs: string[], union: string): Promise<CliResult> {
  return runCli(['merge', ...dirs, '--plan', planPath, '--state', w.state, '--out', union, '--append', ...w.args], { env })
}

/** One nightly cycle: plan, the shards, merge; every shard and the merge must succeed. */
async function cycle(w: World, name: string, union: string, shards = 3): Promise<PlanJson> {
  const { path, plan } = await makePlan(w, name, shards)
  const { dirs, runs } = await runShards(w, path, shards, name)
  for (const r of runs) expect(r.code, r.stderr).toBe(0)
  const m = await merge(w, path, dirs, union)
  expect(m.code, m.stderr).toBe(0)
  return plan
}

interface Outcome {
  ids: string[]
  alarms: string[]
  remediated: string[]
}

/** Finding ids (each as often as written), alarm periods with their counts, and the exposures seen remediated. */
function outcome(lines: Record<string, unknown>[]): Outcome {
  const findings = lines.filter((l) => l.kind === 'finding')
  const remediated = new Set<string>()
  for (const f of findings) if ((f.details as { remediated?: unknown } | null)?.remediated) remediated.add(f.id as string)
  for (const r of lines.filter((l) => l.kind === 'remediation')) remediated.add(r.findingId as string)
  return {
    ids: findings.map((f) => f.id as string),
    alarms: lines
      .filter((l) => l.kind === 'alarm')
      .map((a) => `${a.id as string}:${a.count as number}`)
      .sort(),
    remediated: [...remediated].sort(),
  }
}

async function fullScan(w: World): Promise<Outcome> {
  const r = await runCli(['scan', w.source, '--alarms', ...w.args], { env })
  expect(r.code === 0 || r.code === 1, r.stderr).toBe(true)
  return outcome(jsonLines(r.stdout))
}

/** The same point of the schedule, as one `scan --state` run instead of a sharded cycle. */
async function scanRun(w: World, out: string): Promise<void> {
  const r = await runCli(['scan', w.source, '--state', w.refState, ...LOOKBACK, '--alarms', '--out', out, '--append', ...w.args], { env })
  expect(r.code, r.stderr).toBe(0)
}

function readLines(path: string): Record<string, unknown>[] {
  return jsonLines(readFileSync(path, 'utf8'))
}

const worlds: [string, () => World][] = [
  ['a local state', localWorld],
  ['an S3 state', s3World],
]

describe.each(worlds)('plan --state, scan --plan --shard, merge --state with %s', (_, makeWorld) => {
  it('three cycles with late, changed and new objects give what one scan of the final source gives, each finding once', async () => {
    const w = makeWorld()
    const union = join(w.name, 'union.jsonl')
    const ref = join(w.name, 'ref.jsonl')
    const all = [...dataset('cis-controls'), ...dataset('public-s3')]
    const late = all.filter((o) => LATE_INTO_SCANNED_DAY.test(o.key)).slice(-1)
    const changed = all.find((o) => CHANGED.test(o.key))!
    const first = all.filter((o) => o.key !== REMEDIATION && !late.includes(o))
    expect(late).toHaveLength(1)
    expect(first.some((o) => LATE_INTO_SCANNED_DAY.test(o.key))).toBe(true)

    await w.put(first)
    const p1 = await cycle(w, 'c1', union)
    await scanRun(w, ref)
    expect(planned(p1)).toHaveLength(first.length)
    expect(p1.state?.version).toBeNull()

    // Late into a scanned day, a late day, and an object rewritten: exactly these three are planned next.
    await w.put([...late, { key: LATE_REMEDIATION, body: readFileSync(join(fixtures, ...REMEDIATION.split('/'))) }])
    await w.put([{ key: changed.key, body: grown(changed.body) }])
    const p2 = await cycle(w, 'c2', union)
    await scanRun(w, ref)
    for (const key of [late[0]!.key, LATE_REMEDIATION, changed.key])
      expect(
        planned(p2).some((u) => u.endsWith(key)),
        key,
      ).toBe(true)
    expect(planned(p2)).toHaveLength(3)
    expect(p2.state?.version).not.toBeNull()
    // The exposure found in cycle 1 is remediated by a call scanned in cycle 2: a remediation record names it.
    expect(readLines(union).filter((l) => l.kind === 'remediation').length).toBeGreaterThan(0)

    const org = dataset('cis-org-trail')
    await w.put(org)
    const p3 = await cycle(w, 'c3', union, 2)
    await scanRun(w, ref)
    expect(planned(p3)).toHaveLength(org.length)

    // Nothing new: a plan of nothing, whose shards and merge succeed and write nothing.
    const before = readFileSync(union, 'utf8')
    const { plan: p4, r } = await makePlan(w, 'c4', 2)
    expect(planned(p4)).toHaveLength(0)
    expect(r.stderr).toContain('0 new, 0 changed')
    const { dirs, runs } = await runShards(w, join(w.name, 'c4', 'plan.json'), 2, 'c4')
    for (const s of runs) expect(s.code, s.stderr).toBe(0)
    expect((await merge(w, join(w.name, 'c4', 'plan.json'), dirs, union)).code).toBe(0)
    expect(readFileSync(union, 'utf8')).toBe(before)

    const got = outcome(readLines(union))
    const want = await fullScan(w)
    expect(new Set(got.ids).size).toBe(got.ids.length)
    expect([...got.ids].sort()).toEqual([...want.ids].sort())
    expect(got.remediated).toEqual(want.remediated)
    expect(got.remediated.length).toBeGreaterThan(0)
    // Every alarm period once. A period an earlier cycle reported is frozen at the count it was reported with
    // (emit/carry-settle.ts, as for `scan --state`): the changed object's extra events land in two such periods,
    // so the counts are compared with `scan --state` runs at the same points, the ids with the full scan.
    const periods = (o: Outcome): string[] => o.alarms.map((a) => a.slice(0, a.indexOf(':')))
    expect(periods(got)).toEqual(periods(want))
    expect(got.alarms.length).toBeGreaterThan(0)
    const single = outcome(readLines(ref))
    expect(got.alarms).toEqual(single.alarms)
    expect([...got.ids].sort()).toEqual([...single.ids].sort())
    expect(got.remediated).toEqual(single.remediated)
  }, 240_000)

  it('a scan --state committing between plan and merge makes the shards and the merge refuse, the state unchanged; a new plan works', async () => {
    const w = makeWorld()
    const union = join(w.name, 'union.jsonl')
    const objects = dataset('cis-controls')
    await w.put(objects.slice(0, 4))
    await cycle(w, 'c1', union)
    await w.put(objects.slice(4))
    const { path, plan } = await makePlan(w, 'c2', 2)
    const early = await runShards(w, path, 2, 'c2')
    for (const r of early.runs) expect(r.code, r.stderr).toBe(0)

    const own = join(w.name, 'own.jsonl')
    const scan = await runCli(['scan', w.source, '--state', w.state, ...LOOKBACK, '--out', own, ...w.args], { env })
    expect(scan.code, scan.stderr).toBe(0)
    const committed = await w.stateDoc()
    expect(committed).not.toBeNull()

    const late = await runShards(w, path, 2, 'c2-late')
    for (const r of late.runs) {
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`moved since the plan ${path} was made: the plan read version ${plan.state!.version}`)
    }
    const m = await merge(w, path, early.dirs, union)
    expect(m.code).toBe(2)
    expect(m.stderr).toMatch(new RegExp(`the plan read version ${escape(plan.state!.version!)}, the state is now at \\S+`))
    expect(await w.stateDoc()).toBe(committed)

    // The scan --state took what was new: the next plan has nothing, and the outputs hold every finding once.
    const again = await cycle(w, 'c3', union)
    expect(planned(again)).toHaveLength(0)
    const ids = [...outcome(readLines(union)).ids, ...outcome(readLines(own)).ids]
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.sort()).toEqual((await fullScan(w)).ids.sort())
  }, 240_000)

  it('a missing shard directory: merge refuses, the state is untouched, and the next cycle plans those objects again', async () => {
    const w = makeWorld()
    const union = join(w.name, 'union.jsonl')
    await w.put(dataset('cis-controls'))
    const { path, plan } = await makePlan(w, 'c1', 3)
    const { dirs, runs } = await runShards(w, path, 3, 'c1')
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    const m = await merge(w, path, [dirs[0]!, dirs[2]!], union)
    expect(m.code).toBe(2)
    expect(m.stderr).toContain('shard 1 of 3 missing')
    expect(await w.stateDoc()).toBeNull()

    const next = await cycle(w, 'c2', union)
    expect(planned(next).sort()).toEqual(planned(plan).sort())
    const got = outcome(readLines(union))
    expect(new Set(got.ids).size).toBe(got.ids.length)
    expect([...got.ids].sort()).toEqual((await fullScan(w)).ids.sort())
  }, 240_000)

  it('an object changed between plan and shard scan is reported, not marked processed, and scanned by the next cycle', async () => {
    const w = makeWorld()
    const union = join(w.name, 'union.jsonl')
    const objects = dataset('public-s3').filter((o) => o.key !== REMEDIATION)
    await w.put(objects)
    const { path, plan } = await makePlan(w, 'c1', 2)
    const victim = objects.find((o) => CHANGED.test(o.key))!
    const victimUri = planned(plan).find((u) => u.endsWith(victim.key.split('/').at(-1)!))!
    await w.put([{ key: victim.key, body: grown(victim.body) }])
    const { dirs, runs } = await runShards(w, path, 2, 'c1')
    expect(runs.map((r) => r.code).sort()).toEqual([0, 3])
    expect(runs.find((r) => r.code === 3)!.stderr).toContain(`${victimUri} changed since it was planned`)
    const m = await merge(w, path, dirs, union)
    expect(m.code).toBe(3)
    expect(await w.stateDoc()).not.toContain(victim.key.split('/').at(-1))

    const next = await cycle(w, 'c2', union)
    expect(planned(next)).toEqual([victimUri])
    const got = outcome(readLines(union))
    expect(new Set(got.ids).size).toBe(got.ids.length)
    expect([...got.ids].sort()).toEqual((await fullScan(w)).ids.sort())
  }, 240_000)
})

describe('merge --state writes every output and delivers as scan --state does', () => {
  it('--output and --to: undelivered findings are kept in the state and sent first by the next cycle', async () => {
    const w = localWorld()
    await w.put(dataset('public-s3'))
    let up = false
    const hook = await startReceiver(() => (up ? undefined : { status: 400, body: 'down' }))
    try {
      const to = `webhook:${hook.url}/in`
      const mergeTo = async (name: string): Promise<CliResult> => {
        const { path } = await makePlan(w, name, 2)
        const { dirs, runs } = await runShards(w, path, 2, name)
        for (const r of runs) expect(r.code, r.stderr).toBe(0)
        const csv = join(w.name, name, 'findings.csv')
        return runCli(['merge', ...dirs, '--plan', path, '--out', join(w.name, name, 'f.jsonl'), '--output', `csv=${csv}`, '--to', to])
      }
      const first = await mergeTo('c1')
      expect(first.code, first.stderr).toBe(5)
      const found = readLines(join(w.name, 'c1', 'f.jsonl')).filter((l) => l.kind === 'finding')
      expect(found.length).toBeGreaterThan(0)
      expect(
        readFileSync(join(w.name, 'c1', 'findings.csv'), 'utf8')
          .split('\n')
          .filter(Boolean),
      ).toHaveLength(found.length + 1)
      const kept = (JSON.parse(await lastGeneration(w.state)) as { undelivered: { destination: string; findings: { id: string }[] }[] })
        .undelivered
      expect(kept.map((e) => [e.destination, e.findings.map((f) => f.id).sort()])).toEqual([[to, found.map((f) => f.id as string).sort()]])

      up = true
      hook.requests.length = 0
      const second = await mergeTo('c2')
      expect(second.code, second.stderr).toBe(0)
      expect(readLines(join(w.name, 'c2', 'f.jsonl'))).toEqual([])
      expect(hook.requests.map((r) => r.headers['idempotency-key']).sort()).toEqual(found.map((f) => f.id as string).sort())
      expect((JSON.parse(await lastGeneration(w.state)) as { undelivered: unknown[] }).undelivered).toEqual([])
    } finally {
      await hook.stop()
    }
  }, 120_000)
})

/** The current generation of a local state directory. */
async function lastGeneration(dir: string): Promise<string> {
  const gen = readdirSync(dir)
    .filter((f) => /^state-\d+\.json$/.test(f))
    .sort()
    .at(-1)!
  return readFileSync(join(dir, gen), 'utf8')
}

describe('shard and merge options with a plan made from a state', () => {
  it('refuses a --state that names another location than the plan, naming both', async () => {
    const w = localWorld()
    await w.put(dataset('cis-controls').slice(0, 2))
    const { path, plan } = await makePlan(w, 'c1', 1)
    const other = join(w.name, 'other-state')
    const s = await runCli(['scan', '--plan', path, '--shard', '0', '--out-dir', join(w.name, 'o'), '--state', other])
    expect(s.code).toBe(2)
    expect(s.stderr).toContain(`--state ${other} is not the state the plan ${path} was made from, ${plan.state!.location}`)
    const a = await runCli(['scan', '--plan', path, '--shard', '0', '--out-dir', join(w.name, 'o'), '--append'])
    expect(a.code).toBe(2)
    expect(a.stderr).toContain('--append cannot be given with --plan')
    const ok = await runCli(['scan', '--plan', path, '--shard', '0', '--out-dir', join(w.name, 'o'), '--state', w.state])
    expect(ok.code, ok.stderr).toBe(0)
    const m = await runCli(['merge', join(w.name, 'o'), '--plan', path, '--state', other])
    expect(m.code).toBe(2)
    expect(m.stderr).toContain(`--state ${other} is not the state the plan ${path} was made from, ${plan.state!.location}`)
    expect(await w.stateDoc()).toBeNull()
  }, 60_000)
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
