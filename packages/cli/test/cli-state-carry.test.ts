import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url))

interface Line {
  kind: string
  id: string
  findingId?: string
  eventId?: string | null
  details?: { remediated?: { eventId: string | null } | null }
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.json.gz') ? [p] : []
  })
}

/**
 * A fixture's objects, moved to today's delivery day (so the state keeps the day open) and split in two by the
 * time CloudTrail stamped in each file name: what a run at mid-day and the next one would have found.
 */
function splitFixture(name: string): { dir: string; src: string; rest(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'trailscan-carry-'))
  dirs.push(dir)
  const root = join(FIXTURES, name)
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/')
  const all = files(root)
    .map((p) => ({ from: p, rel: relative(root, p).replace(/\d{4}\/\d{2}\/\d{2}/, today), stamp: /_(\d{8}T\d{4}Z)_/.exec(p)![1]! }))
    .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0))
  const half = Math.ceil(all.length / 2)
  const src = join(dir, 'bucket')
  const place = (xs: typeof all): void => {
    for (const x of xs) {
      const to = join(src, x.rel)
      mkdirSync(dirname(to), { recursive: true })
      copyFileSync(x.from, to)
    }
  }
  place(all.slice(0, half))
  return { dir, src, rest: () => void place(all.slice(half)) }
}

const lines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line)

describe('scan --state carries stateful detections from run to run', () => {
  it('public exposures: found in one run, remediated in the next, named by the finding id', async () => {
    const f = splitFixture('public-s3')
    const out = join(f.dir, 'out.jsonl')
    const args = ['scan', f.src, '--state', join(f.dir, 'state'), '--out', out, '--append']
    const first = await runCli(args)
    expect(first.code, first.stderr).toBe(0)
    f.rest()
    const second = await runCli(args)
    expect(second.code, second.stderr).toBe(0)
    const full = await runCli(['scan', f.src, '--out', join(f.dir, 'full.jsonl')])
    expect(full.code, full.stderr).toBe(0)

    const got = lines(out)
    const want = lines(join(f.dir, 'full.jsonl')).filter((l) => l.kind === 'finding')
    const findings = got.filter((l) => l.kind === 'finding')
    expect(findings.map((l) => l.id).sort()).toEqual(want.map((l) => l.id).sort())
    const remediations = new Map(got.filter((l) => l.kind === 'remediation').map((r) => [r.findingId!, r]))
    let acrossRuns = 0
    for (const w of want) {
      const closed = w.details?.remediated
      if (!closed) continue
      const g = findings.find((l) => l.id === w.id)!
      if (g.details?.remediated) expect(g.details.remediated.eventId).toBe(closed.eventId)
      else {
        acrossRuns++
        expect(remediations.get(w.id)?.eventId, `remediation of ${w.id}`).toBe(closed.eventId)
      }
    }
    expect(acrossRuns).toBeGreaterThan(0)
  })

  it('alarm periods: each reported once over the runs, the periods one scan of everything reports', async () => {
    const f = splitFixture('cis-controls')
    const out = join(f.dir, 'out.jsonl')
    const args = ['scan', f.src, '--state', join(f.dir, 'state'), '--out', out, '--append', '--alarms']
    // One alarm period whose events arrive in two runs (the second delivery repeats the first event).
    // In the fixture's days: alarm periods are kept for 32 days behind the newest event (emit/carry.ts).
    const t = Date.parse('2024-05-15T23:40:00Z')
    const stop = (n: number, at: number): Record<string, unknown> => ({
      eventVersion: '1.08',
      eventTime: new Date(at).toISOString().replace('.000Z', 'Z'),
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'us-east-1',
      recipientAccountId: '111122223333',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/carol' },
      requestParameters: { name: 'management-events' },
      eventID: `00000000-0000-4000-8000-00000000000${n}`,
    })
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/')
    const put = (name: string, records: unknown[]): void => {
      const p = join(f.src, 'AWSLogs/111122223333/CloudTrail/us-east-1', day, name)
      mkdirSync(dirname(p), { recursive: true })
      writeFileSync(p, gzipSync(JSON.stringify({ Records: records })))
    }
    put('111122223333_CloudTrail_us-east-1_20991231T1005Z_spanA.json.gz', [stop(1, t + 10_000)])
    expect((await runCli(args)).code).toBe(0)
    f.rest()
    put('111122223333_CloudTrail_us-east-1_20991231T1010Z_spanB.json.gz', [stop(1, t + 10_000), stop(2, t + 70_000)])
    const second = await runCli(args)
    expect(second.code, second.stderr).toBe(0)
    expect((await runCli(['scan', f.src, '--alarms', '--out', join(f.dir, 'full.jsonl')])).code).toBe(0)
    const alarms = lines(out)
      .filter((l) => l.kind === 'alarm')
      .map((l) => l.id)
    expect(new Set(alarms).size).toBe(alarms.length)
    expect(alarms.sort()).toEqual(
      lines(join(f.dir, 'full.jsonl'))
        .filter((l) => l.kind === 'alarm')
        .map((l) => l.id)
        .sort(),
    )
  })
})
