import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import {
  compileRule,
  listLocalObjects,
  loadRuleSet,
  localObject,
  scan,
  type Finding,
  type LogObject,
  type RuleSpec,
} from '@trailscan/engine'

let dir: string
const rule = compileRule({
  id: 'root-call',
  title: 'Root call',
  description: 'any call by the root user',
  severity: 'high',
  language: 'cwl-filter',
  pattern: '{ $.userIdentity.type = "Root" }',
  examples: { match: [], noMatch: [] },
} as unknown as RuleSpec)

function file(n: number): string {
  const records = Array.from({ length: 3 }, (_, i) => ({
    eventVersion: '1.08',
    userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
    eventTime: '2024-03-05T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'eu-west-1',
    eventID: `e-${n}-${i}`,
    recipientAccountId: '111122223333',
  }))
  return JSON.stringify({ Records: records })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-abort-'))
  for (const n of [1, 2]) await writeFile(join(dir, `${n}.json`), file(n))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('scan({ signal })', () => {
  it('holds no object once it is emitted, however long the signal lives (no race against a promise that never settles)', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const stop = new AbortController()
    const objects: LogObject[] = []
    for (let n = 1000; n < 1200; n++) {
      await writeFile(join(dir, `many-${n}.json`), file(n))
      objects.push(localObject(join(dir, `many-${n}.json`), file(n).length))
    }
    const seen: WeakRef<object>[] = []
    let aliveMidway = -1
    // The outcome of each object holds its findings: findings of objects emitted long ago that are still alive
    // mid-scan mean the outcomes are held (the scan's memory then grows with the number of objects).
    // A WeakRef made in the current task keeps its target alive until the task ends (the spec's KeepDuringJob), and
    // on a loaded machine many objects' findings can be emitted in one task: some of the 300 may still be alive.
    // Held outcomes (the bug this guards against) keep all 300.
    const onObject = (): void => {
      if (seen.length !== 450) return
      gc()
      aliveMidway = seen.slice(0, 300).filter((r) => r.deref() !== undefined).length
    }
    await scan({ objects, rules: [rule], concurrency: 2, signal: stop.signal, onObject, onFinding: (f) => seen.push(new WeakRef(f)) })
    expect(seen).toHaveLength(600)
    expect(aliveMidway).toBeGreaterThanOrEqual(0)
    expect(aliveMidway).toBeLessThan(150)
    expect(stop.signal.aborted).toBe(false) // the signal (and what it may reference) is still alive here
  })

  it('stops on abort while the listing waits, keeps what was read, and marks the summary interrupted', async () => {
    const first = localObject(join(dir, '1.json'), file(1).length)
    // A listing that hands out one object and then never answers again (a stalled S3 listing).
    async function* stalled(): AsyncGenerator<LogObject> {
      yield first
      await new Promise(() => undefined)
    }
    const stop = new AbortController()
    // Long after the object was read: it waits for the listing's next answer, which never comes.
    setTimeout(() => stop.abort(), 300)
    const findings: Finding[] = []
    const summary = await scan({
      objects: stalled(),
      rules: [rule],
      concurrency: 1,
      signal: stop.signal,
      onFinding: (f) => findings.push(f),
    })
    expect(summary.interrupted).toBe(true)
    expect(summary.objects.read).toBe(1)
    expect(findings.map((f) => f.eventId)).toEqual(['e-1-0', 'e-1-1', 'e-1-2'])
  })

  it('takes no object once aborted, and a complete scan is not marked interrupted', async () => {
    const objects = [1, 2].map((n) => localObject(join(dir, `${n}.json`), file(n).length))
    const stop = new AbortController()
    stop.abort()
    const none = await scan({ objects, rules: [rule], signal: stop.signal, onFinding: () => undefined })
    expect(none.interrupted).toBe(true)
    expect(none.objects.read).toBe(0)
    const all = await scan({ objects, rules: [rule], signal: new AbortController().signal, onFinding: () => undefined })
    expect(all.interrupted).toBeUndefined()
    expect(all.findings.total).toBe(6)
  })

  it('delivers held public-exposure findings when stopped', async () => {
    const repo = fileURLToPath(new URL('../../../', import.meta.url))
    const { rules } = await loadRuleSet([join(repo, 'packages/rules/rules/public-s3')])
    const objects: LogObject[] = []
    for await (const o of listLocalObjects([join(repo, 'fixtures/public-s3')])) objects.push(o)
    async function* stalled(): AsyncGenerator<LogObject> {
      yield* objects
      await new Promise(() => undefined)
    }
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 500)
    const findings: Finding[] = []
    const summary = await scan({ objects: stalled(), rules, signal: stop.signal, onFinding: (f) => findings.push(f) })
    expect(summary.interrupted).toBe(true)
    const exposures = findings.filter((f) => f.details?.exposure)
    expect(exposures.length).toBeGreaterThan(0)
    // Delivered at the end, each with its "made private again" verdict.
    for (const f of exposures) expect(f.details).toHaveProperty('remediated')
  })
})
