/**
 * `scan --state s3://…`: the state and its lease on the loopback S3, whose proxy enforces conditional writes as
 * AWS does; the trail is served from the same store. The CLI under test is a child process.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readObjectText, uploadAll } from '../../engine/test/support/s3-fixtures.js'
import { startS3Stack, type S3Stack } from '../../engine/test/support/s3-stack.js'
import { S3RVER_ENV } from '../../engine/test/support/s3rver.js'
import { jsonLines, runCli } from './run-cli.js'
import { centralScenario, makeCorpus, type StateWorld } from './support/state-harness.js'

const env = S3RVER_ENV

let stack: S3Stack
let n = 0
let trail: string
let state: string
const dirs: string[] = []

beforeAll(async () => {
  Object.assign(process.env, env) // the test's own client and the harness's child processes use the same chain
  stack = await startS3Stack(['trail', 'state'])
}, 60_000)

afterAll(async () => {
  await stack?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

beforeEach(() => {
  stack.proxy.clear()
  n++
  trail = `t${n}/`
  state = `s${n}/`
})

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'trailscan-state-s3-'))
  dirs.push(d)
  return d
}

async function upload(objects: { key: string; body: Buffer }[]): Promise<void> {
  await uploadAll(
    stack.s3.endpoint,
    'trail',
    objects.map((o) => ({ key: `${trail}${o.key}`, body: o.body })),
  )
}

function raw(key: string): Promise<string | null> {
  return readObjectText(stack.s3.endpoint, 'state', `${state}${key}`)
}

function putState(key: string, body: string): Promise<void> {
  return uploadAll(stack.s3.endpoint, 'state', [{ key: `${state}${key}`, body: Buffer.from(body) }])
}

function scanArgs(out: string): string[] {
  return ['scan', `s3://trail/${trail}`, '--state', `s3://state/${state}`, '--endpoint-url', stack.proxy.endpoint, '--out', out]
}

const writesTo = (key: string): number => stack.proxy.requests.filter((r) => r.method === 'PUT' && r.key === `${state}${key}`).length

describe('scan --state s3://bucket/prefix', () => {
  it('remembers what it scanned: a second run with nothing new reads no object, only listings', async () => {
    await upload(makeCorpus(3, 6, 20))
    const dir = tmp()
    const first = await runCli(scanArgs(join(dir, 'a.jsonl')), { env })
    expect(first.code, first.stderr).toBe(0)
    // The SDK's multi-line Node notice is kept out of the logs for the state's client as for the trail's.
    expect(first.stderr).not.toMatch(/Warning/)
    expect(jsonLines(readFileSync(join(dir, 'a.jsonl'), 'utf8')).length).toBeGreaterThan(0)
    const doc = JSON.parse((await raw('state.json'))!) as { lastRun: { objects: number } }
    expect(doc.lastRun.objects).toBe(6)
    expect(await raw('lease.json')).toBeNull() // released

    stack.proxy.clear()
    const second = await runCli(scanArgs(join(dir, 'b.jsonl')), { env })
    expect(second.code, second.stderr).toBe(0)
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toBe('')
    expect(stack.proxy.gets().filter((r) => r.bucket === 'trail')).toEqual([])
    expect(stack.proxy.listings().length).toBeGreaterThan(0)
    // The state itself was read and replaced conditionally on the ETag it was read with.
    const put = stack.proxy.requests.find((r) => r.method === 'PUT' && r.key === `${state}state.json`)
    expect(put?.ifMatch).toMatch(/^"[0-9a-f]{32}"$/)
  })

  it('of two concurrent runs, exactly one commits; the other exits 2 naming the holder and changes nothing', async () => {
    const corpus = makeCorpus(5, 4, 20)
    await upload(corpus)
    // The first run's reads are slowed so that it holds the lease while the second one starts.
    for (const o of corpus)
      stack.proxy.addRule({ method: 'GET', key: `${trail}${o.key}`, action: { type: 'drip', bytes: 64, everyMs: 100 } })
    const dir = tmp()
    const first = runCli(scanArgs(join(dir, 'first.jsonl')), { env })
    let lease: string | null = null
    for (let i = 0; i < 200 && lease === null; i++) {
      await new Promise((r) => setTimeout(r, 25))
      lease = await raw('lease.json')
    }
    expect(lease, 'the first run never took the lease').not.toBeNull()
    const holder = JSON.parse(lease!) as { runId: string; pid: number; host: string }
    const second = await runCli(scanArgs(join(dir, 'second.jsonl')), { env })
    const one = await first

    expect(second.code, second.stderr).toBe(2)
    expect(second.stderr).toContain(`state s3://state/${state} is held by run ${holder.runId} (pid ${holder.pid} on ${holder.host}`)
    expect(existsSync(join(dir, 'second.jsonl'))).toBe(false)
    expect(one.code, one.stderr).toBe(0)
    expect(jsonLines(readFileSync(join(dir, 'first.jsonl'), 'utf8')).length).toBeGreaterThan(0)
    // One commit, the holder's.
    expect(writesTo('state.json')).toBe(1)
    expect((JSON.parse((await raw('state.json'))!) as { lastRun: { runId: string } }).lastRun.runId).toBe(holder.runId)
  }, 60_000)

  it('refuses a corrupt state object with exit 2 and never overwrites it', async () => {
    await upload(makeCorpus(7, 2, 10))
    await putState('state.json', '{"format":"trailscan-state", truncated')
    stack.proxy.clear()
    const dir = tmp()
    const r = await runCli(scanArgs(join(dir, 'out.jsonl')), { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`s3://state/${state}`)
    expect(await raw('state.json')).toBe('{"format":"trailscan-state", truncated')
    expect(writesTo('state.json')).toBe(0)
    expect(stack.proxy.gets().filter((g) => g.bucket === 'trail')).toEqual([])
    expect(await raw('lease.json')).toBeNull()
  })

  it('takes over the lease of a run that was killed once it has expired, with a warning', async () => {
    await upload(makeCorpus(9, 2, 10))
    const dead = {
      runId: 'deadbeef',
      host: 'gone-host',
      pid: 999999,
      startedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:10:00.000Z',
    }
    await putState('lease.json', JSON.stringify(dead))
    const dir = tmp()
    const r = await runCli(scanArgs(join(dir, 'out.jsonl')), { env })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('the lock of run deadbeef (pid 999999 on gone-host')
    expect(r.stderr).toContain('lease expired at 2026-01-01T00:10:00.000Z); taken over')
    expect(JSON.parse((await raw('state.json'))!)).toMatchObject({ lastRun: { objects: 2 } })
  })

  it('refuses a state location without a prefix (the bucket root), before touching the store', async () => {
    const r = await runCli(['scan', `s3://trail/${trail}`, '--state', 's3://state', '--endpoint-url', stack.proxy.endpoint], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--state s3://state: name a prefix for the state')
    expect(stack.proxy.requests).toEqual([])
  })

  it('refuses a TRAILSCAN_STATE_LEASE_SECONDS that is not a positive number, before touching the store', async () => {
    const dir = tmp()
    const r = await runCli(scanArgs(join(dir, 'out.jsonl')), { env: { ...env, TRAILSCAN_STATE_LEASE_SECONDS: '10m' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('TRAILSCAN_STATE_LEASE_SECONDS must be a positive number of seconds, not "10m"')
    expect(stack.proxy.requests).toEqual([])
  })
})

// TRAILSCAN_STATE_SEED reproduces a failure; the default seed runs in CI.
const SEEDS = process.env.TRAILSCAN_STATE_SEED ? [Number(process.env.TRAILSCAN_STATE_SEED)] : [14]
/** A killed run leaves its lease; a short lifetime lets the next scheduled run take it over. */
// The scenario takes ~20 s on an idle 2-core machine; kill instants scale with the reference scan, so a loaded
// machine stretches every run (one run under load average 15 took over 300 s).
const LEASE_SECONDS = 1

describe('scheduled scans on S3 state, sources on S3: nothing missed, nothing twice, across SIGKILLs', () => {
  for (const seed of SEEDS)
    it(`seed ${seed}: the appended output of killed and completed runs is one full scan, each id once`, { timeout: 600_000 }, async () => {
      process.env.TRAILSCAN_STATE_LEASE_SECONDS = String(LEASE_SECONDS)
      try {
        const dir = tmp()
        const world: StateWorld = {
          source: `s3://trail/${trail}`,
          state: `s3://state/${state}`,
          args: ['--endpoint-url', stack.proxy.endpoint],
          put: (key, body) => uploadAll(stack.s3.endpoint, 'trail', [{ key: `${trail}${key}`, body }]),
          // The next scheduled run comes after a killed run's lease has run out, as an hourly job would.
          beforeRun: async () => {
            const lease = await raw('lease.json')
            if (lease === null) return
            const wait = Date.parse((JSON.parse(lease) as { expiresAt: string }).expiresAt) - Date.now()
            if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50))
          },
        }
        const r = await centralScenario(world, { seed, fullDir: join(dir, 'full', 'bucket'), out: join(dir, 'out.jsonl') })
        const why = `seed ${seed} (TRAILSCAN_STATE_SEED=${seed} reproduces it); runs: ${JSON.stringify(r.runs.map((x) => x.code ?? `killed@${x.killedAfterMs}ms`))}`
        expect(r.runs.filter((x) => x.code === null).length, why).toBeGreaterThanOrEqual(5)
        expect(r.runs.at(-1)!.code, `${why}\n${r.runs.at(-1)!.stderr}`).toBe(0)
        const dupes = r.ids.filter((id, i) => r.ids.indexOf(id) !== i)
        expect(dupes, why).toEqual([])
        expect([...r.ids].sort(), why).toEqual([...r.expected].sort())
        expect(r.expected.length).toBeGreaterThan(100)
      } finally {
        delete process.env.TRAILSCAN_STATE_LEASE_SECONDS
      }
    })
})
