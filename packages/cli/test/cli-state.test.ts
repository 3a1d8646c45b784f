import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN, runCli } from './run-cli.js'
import { localSource, makeCorpus, type CorpusObject } from './support/state-harness.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function world(): { dir: string; src: string; state: string; out: string; put(objects: CorpusObject[]): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'trailscan-state-'))
  dirs.push(dir)
  const source = localSource(join(dir, 'bucket'))
  return {
    dir,
    src: source.source,
    state: join(dir, 'state'),
    out: join(dir, 'out.jsonl'),
    put: async (objects) => {
      for (const o of objects) await source.put(o.key, o.body)
    },
  }
}

const findings = (path: string): { id: string; source: { uri: string } }[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"kind":"finding"'))
    .map((l) => JSON.parse(l) as { id: string; source: { uri: string } })

const stateFiles = (state: string): string[] => readdirSync(state).filter((n) => n.startsWith('state-'))

describe('scan --state: each run scans what is new', () => {
  it('scans new objects only, whatever their key order, and a run with nothing new exits 0 and writes nothing', async () => {
    const w = world()
    const corpus = makeCorpus(7, 12, 20)
    await w.put(corpus.slice(0, 6))
    const args = ['scan', w.src, '--state', w.state, '--out', w.out]
    const first = await runCli(args)
    expect(first.code, first.stderr).toBe(0)
    const firstUris = new Set(findings(w.out).map((f) => f.source.uri))
    expect(firstUris.size).toBeGreaterThan(0)
    // Keys that sort before and after those already processed.
    await w.put(corpus.slice(6))
    const second = await runCli(args)
    expect(second.code, second.stderr).toBe(0)
    const secondUris = new Set(findings(w.out).map((f) => f.source.uri))
    expect([...secondUris].filter((u) => firstUris.has(u))).toEqual([])
    expect(secondUris.size).toBeGreaterThan(0)
    const third = await runCli(args)
    expect(third.code, third.stderr).toBe(0)
    expect(findings(w.out)).toEqual([])
    expect(third.stderr).toMatch(/objects\s+0 listed/)
    expect(third.stderr).toMatch(/^state\s+0 new, 0 changed, 12 already processed, 0 in closed days; 0 objects committed to /m)
  })

  it('scans an object again when it changes (size, mtime), and gives an event in two objects one finding across runs', async () => {
    const w = world()
    const [a, b] = makeCorpus(8, 2, 10)
    await w.put([a!])
    const args = ['scan', w.src, '--state', w.state, '--out', w.out, '--summary-json', join(w.dir, 's.json')]
    expect((await runCli(args)).code).toBe(0)
    const ids = findings(w.out).map((f) => f.id)
    expect(ids.length).toBeGreaterThan(0)
    // B holds every event of A again, plus its own.
    const aRecords = (JSON.parse(gunzip(a!.body)) as { Records: unknown[] }).Records
    const bRecords = (JSON.parse(gunzip(b!.body)) as { Records: unknown[] }).Records
    await w.put([{ key: b!.key, body: gzipSync(JSON.stringify({ Records: [...aRecords, ...bRecords] })) }])
    const second = await runCli(args)
    expect(second.code, second.stderr).toBe(0)
    const again = findings(w.out).map((f) => f.id)
    expect(again.filter((id) => ids.includes(id))).toEqual([])
    expect((JSON.parse(readFileSync(join(w.dir, 's.json'), 'utf8')) as { findings: { duplicates: number } }).findings.duplicates).toBe(
      ids.length,
    )
    // A rewritten, longer A is scanned again: its events are already reported, so it adds nothing.
    await w.put([{ key: a!.key, body: gzipSync(JSON.stringify({ Records: aRecords, padding: 'x'.repeat(100) })) }])
    const third = await runCli([...args, '--log-level', 'debug'])
    expect(third.code, third.stderr).toBe(0)
    expect(third.stderr).toContain('changed since it was processed')
    expect(third.stderr).toMatch(/objects\s+1 listed, 1 read/)
  })
})

function gunzip(b: Buffer): string {
  return gunzipSync(b).toString('utf8')
}

describe('scan --state: one writer, and state it cannot read', () => {
  it('exits 2 naming the live holder of the lock, writing nothing', async () => {
    const w = world()
    await w.put(makeCorpus(9, 2, 5))
    mkdirSync(w.state)
    const holder = {
      runId: 'abc123',
      host: hostname(),
      pid: process.pid,
      startedAt: '2026-12-03T09:00:00.000Z',
      expiresAt: '2099-01-01T00:00:00.000Z',
    }
    writeFileSync(join(w.state, 'lock'), JSON.stringify(holder))
    const r = await runCli(['scan', w.src, '--state', w.state, '--out', w.out])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`held by run abc123 (pid ${process.pid} on ${hostname()}, started 2026-12-03T09:00:00.000Z`)
    expect(existsSync(w.out)).toBe(false)
    expect(stateFiles(w.state)).toEqual([])
  })

  it('takes over the lock of a process that is gone, with a warning', async () => {
    const w = world()
    await w.put(makeCorpus(10, 2, 5))
    mkdirSync(w.state)
    writeFileSync(
      join(w.state, 'lock'),
      JSON.stringify({ runId: 'gone', host: hostname(), pid: 2 ** 22 + 17, startedAt: 'x', expiresAt: 'y' }),
    )
    const r = await runCli(['scan', w.src, '--state', w.state, '--out', w.out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('the lock of run gone')
    expect(r.stderr).toContain('taken over')
    expect(existsSync(join(w.state, 'lock'))).toBe(false)
  })

  it.each([
    ['corrupt', 'not json at all', /not JSON/],
    ['of a newer version', JSON.stringify({ format: 'trailscan-state', version: 99 }), /newer Trailscan \(state version 99/],
  ])('exits 2 on %s state and never overwrites it', async (_, body, why) => {
    const w = world()
    await w.put(makeCorpus(11, 2, 5))
    mkdirSync(w.state)
    writeFileSync(join(w.state, 'state-0000000003.json'), body)
    const r = await runCli(['scan', w.src, '--state', w.state, '--out', w.out])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(why)
    expect(r.stderr).toContain(w.state)
    expect(stateFiles(w.state)).toEqual(['state-0000000003.json'])
    expect(readFileSync(join(w.state, 'state-0000000003.json'), 'utf8')).toBe(body)
    expect(existsSync(join(w.state, 'lock'))).toBe(false)
  })

  it('exits 2 when the state location cannot be a directory', async () => {
    const w = world()
    await w.put(makeCorpus(12, 1, 5))
    writeFileSync(w.state, 'a file')
    const r = await runCli(['scan', w.src, '--state', w.state])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^trailscan: state: EEXIST/m)
  })

  it.each([
    [['--lookback', 'two days'], /--lookback two days: expected a number of days/],
    [['--append'], /--append needs --out FILE/],
    [['-'], /`-` \(stdin\) cannot be scanned with --state/],
  ])('refuses %j (exit 2)', async (extra, why) => {
    const w = world()
    await w.put(makeCorpus(12, 1, 5))
    const r = await runCli(['scan', w.src, '--state', w.state, ...extra])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(why)
  })
})

describe('scan --state: the first run scans the --start/--end window', () => {
  it('lists only the delivery days of the window on the first run, reads those objects whole; later runs scan what is new', async () => {
    const w = world()
    const day = 86_400_000
    const old = makeCorpus(21, 6, 20, new Date(Date.now() - 4 * day))
    const recent = makeCorpus(22, 6, 20)
    await w.put([...old, ...recent])
    const oldKeys = new Set(old.map((o) => o.key))
    const end = new Date(Date.now() - 3 * day)
    end.setUTCHours(0, 0, 0, 0)
    const args = ['scan', w.src, '--state', w.state, '--out', w.out]
    const first = await runCli([...args, '--start', new Date(Date.now() - 6 * day).toISOString(), '--end', end.toISOString()])
    expect(first.code, first.stderr).toBe(0)
    const firstUris = new Set(findings(w.out).map((f) => f.source.uri))
    expect(firstUris.size).toBeGreaterThan(0)
    const isOld = (uri: string): boolean => [...oldKeys].some((k) => uri.endsWith(k.split('/').at(-1)!))
    expect([...firstUris].every(isOld)).toBe(true)
    // A later run ignores --end (with a warning) and scans what is new: the recent objects, none of the old.
    const second = await runCli([...args, '--end', end.toISOString()])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toMatch(/--end is ignored: it bounds the first run only/)
    const secondUris = new Set(findings(w.out).map((f) => f.source.uri))
    expect(secondUris.size).toBeGreaterThan(0)
    expect([...secondUris].some(isOld)).toBe(false)
  })
})

describe('scan --state: interruption', () => {
  it('on SIGINT commits the objects it finished, prints the summary, exits 130; the next run does the rest, no id twice', async () => {
    const w = world()
    const corpus = makeCorpus(13, 40, 150)
    await w.put(corpus)
    const args = ['scan', w.src, '--state', w.state, '--out', w.out, '--append', '--concurrency', '1']
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    // Once findings reach the file, the scan is under way: stop it.
    const poll = setInterval(() => {
      if (existsSync(w.out) && statSync(w.out).size > 0) {
        clearInterval(poll)
        child.kill('SIGINT')
      }
    }, 5)
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    clearInterval(poll)
    expect(code, stderr).toBe(130)
    expect(stderr).toContain('Summary')
    const state = JSON.parse(readFileSync(join(w.state, stateFiles(w.state).at(-1)!), 'utf8')) as {
      lastRun: { interrupted: boolean; objects: number }
    }
    expect(state.lastRun.interrupted).toBe(true)
    expect(state.lastRun.objects).toBeGreaterThan(0)
    expect(state.lastRun.objects).toBeLessThan(corpus.length)
    const firstIds = findings(w.out).map((f) => f.id)
    const rest = await runCli(args)
    expect(rest.code, rest.stderr).toBe(0)
    expect(rest.stderr).toMatch(new RegExp(`objects\\s+${corpus.length - state.lastRun.objects} listed`))
    const all = findings(w.out).map((f) => f.id)
    expect(all.length).toBeGreaterThan(firstIds.length)
    expect(new Set(all).size).toBe(all.length)
    expect((await runCli(['scan', w.src, '--out', join(w.dir, 'full.jsonl')])).code).toBe(0)
    expect([...all].sort()).toEqual(
      findings(join(w.dir, 'full.jsonl'))
        .map((f) => f.id)
        .sort(),
    )
  })
})

describe('--append', () => {
  it('without --state, never writes an id the file already holds', async () => {
    const w = world()
    await w.put(makeCorpus(15, 3, 10))
    expect((await runCli(['scan', w.src, '--out', w.out])).code).toBe(0)
    const before = readFileSync(w.out, 'utf8')
    const r = await runCli(['scan', w.src, '--out', w.out, '--append'])
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(w.out, 'utf8')).toBe(before)
  })

  it('with --state, removes a line cut by a kill and writes it whole once', async () => {
    const w = world()
    await w.put(makeCorpus(16, 3, 10))
    const args = ['scan', w.src, '--state', w.state, '--out', w.out, '--append']
    expect((await runCli(['scan', w.src, '--out', join(w.dir, 'full.jsonl')])).code).toBe(0)
    const full = readFileSync(join(w.dir, 'full.jsonl'), 'utf8')
    // What a run killed mid-write leaves: two whole findings and half of a third, never committed.
    const lines = full.split('\n')
    writeFileSync(w.out, `${lines[0]}\n${lines[1]}\n${lines[2]!.slice(0, 40)}`)
    const r = await runCli(args)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('a line cut by an interrupted run was removed')
    const ids = findings(w.out).map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(
      findings(join(w.dir, 'full.jsonl'))
        .map((f) => f.id)
        .sort(),
    )
  })
})

describe('trailscan state', () => {
  it('show prints days, keys, the last run and the lease; reset asks, or takes --yes', async () => {
    const w = world()
    await w.put(makeCorpus(17, 4, 5))
    expect((await runCli(['scan', w.src, '--state', w.state, '--out', w.out])).code).toBe(0)
    const shown = await runCli(['state', 'show', w.state])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toMatch(/tracked\s+4 keys in \d+ account\/region\/day prefixes/)
    expect(shown.stdout).toMatch(/^ {2}\d{4}-\d{2}-\d{2} {2}\d+ keys in \d+ prefixes$/m)
    expect(shown.stdout).toMatch(/last run\s+[0-9a-f]{16}, .*: 4 objects, \d+ findings/)
    expect(shown.stdout).toMatch(/lease\s+free/)
    const refused = await runCli(['state', 'reset', w.state])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('pass --yes')
    expect(stateFiles(w.state)).toHaveLength(1)
    const reset = await runCli(['state', 'reset', w.state, '--yes'])
    expect(reset.code, reset.stderr).toBe(0)
    expect(stateFiles(w.state)).toEqual([])
    expect((await runCli(['state', 'show', w.state])).stdout).toContain('no state')
  })
})
