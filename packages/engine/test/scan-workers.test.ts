import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileRule, listLocalObjects, loadRuleSet, streamObject, type Finding, type LogObject, type RuleSpec } from '@trailscan/engine'
import { scanWith, type ScanOptions } from '../src/scan.js'
import { FatalS3Error } from '../src/source/s3-errors.js'
import { RetryBudget } from '../src/source/s3-retry.js'
import { fromWire, toWire } from '../src/scan/worker-protocol.js'
import { WorkerPool } from '../src/scan/worker-pool.js'
import { compiledFrom } from '../src/match/compile.js'
import { DECODE_DEFAULTS } from '../src/read/decompress.js'
import { localObject } from '../src/source/local.js'
import { refOf } from '../src/source/object-ref.js'
import { RecordParseError, SourceReadError } from '../src/errors.js'

const CRASHING = new URL('./support/crashing-scan-worker.mjs', import.meta.url)
const RULES_DIR = new URL('../../rules/rules/', import.meta.url)

const rootCall = compileRule({
  id: 'root-call',
  title: 'Root call',
  description: 'any call by the root user',
  severity: 'high',
  language: 'cwl-filter',
  pattern: '{ $.userIdentity.type = "Root" }',
  examples: { match: [], noMatch: [] },
} as unknown as RuleSpec)

function rootRecords(tag: string, n: number): object[] {
  return Array.from({ length: n }, (_, i) => ({
    eventVersion: '1.08',
    userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
    eventTime: '2024-03-05T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'eu-west-1',
    eventID: `${tag}-${i}`,
    recipientAccountId: '111122223333',
  }))
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-workers-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function run(objects: AsyncIterable<LogObject> | LogObject[], opts: Partial<ScanOptions> = {}, script?: URL) {
  const findings: Finding[] = []
  const summary = await scanWith({ objects, rules: [rootCall], onFinding: (f) => findings.push(f), ...opts }, script ? { script } : {})
  return { findings, summary }
}

describe('scan({ workers }): a worker that throws or exits loses no object silently', () => {
  it('reads again alone every object a crashed worker held; the one that crashes it again is a failed object, named', async () => {
    const logs = join(dir, 'crash')
    await mkdir(logs)
    const names = Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')}.json.gz`)
    names[3] = '03-exit-worker.json.gz'
    names[8] = '08-throw-in-worker.json.gz'
    for (const [i, name] of names.entries())
      await writeFile(join(logs, name), gzipSync(JSON.stringify({ Records: rootRecords(`o${i}`, 50) })))

    const crashed = await run(listLocalObjects([logs]), { workers: 2, concurrency: 8 }, CRASHING)
    const healthy = await run(listLocalObjects([logs]), { workers: 1, concurrency: 8 })

    const failed = crashed.summary.errors.map((e) => [e.object, e.message])
    expect(failed).toEqual([
      [join(logs, names[3]), expect.stringMatching(/^not scanned: the worker thread reading it stopped \(exited with code 7\)/)],
      [join(logs, names[8]), expect.stringMatching(/^not scanned: the worker thread reading it stopped \(thrown in the worker\)/)],
    ])
    expect(crashed.summary.objects).toMatchObject({ listed: 12, read: 12, failed: 2 })
    // Every other object, including those in flight in a worker when it died, was scanned, in listing order.
    const lost = new Set([join(logs, names[3]), join(logs, names[8])])
    expect(crashed.findings).toEqual(healthy.findings.filter((f) => !lost.has(f.source.uri)))
    expect(crashed.findings).toHaveLength(10 * 50)
  }, 60_000)

  it('scans on the main thread what cannot travel to a worker (stdin, a caller-built object) in its place in the order', async () => {
    const logs = join(dir, 'mixed')
    await mkdir(logs)
    for (const n of [1, 2]) await writeFile(join(logs, `${n}.json`), JSON.stringify({ Records: rootRecords(`f${n}`, 3) }))
    const files = async function* (): AsyncGenerator<LogObject> {
      const listed: LogObject[] = []
      for await (const o of listLocalObjects([logs])) listed.push(o)
      yield listed[0]!
      yield streamObject('-', Readable.from([Buffer.from(JSON.stringify({ Records: rootRecords('stdin', 2) }))]))
      yield listed[1]!
    }
    // The crashing worker fails everything it is sent that is named for it; nothing here is, but the stdin object
    // could not even be sent: it has no reference.
    const r = await run(files(), { workers: 2 }, CRASHING)
    expect(r.findings.map((f) => f.eventId)).toEqual(['f1-0', 'f1-1', 'f1-2', 'stdin-0', 'stdin-1', 'f2-0', 'f2-1', 'f2-2'])
    expect(r.summary.errors).toEqual([])
  })
})

describe('what waits on the main thread for its turn is bounded', () => {
  it('starts no further object while the findings waiting for an earlier object pass the bound', async () => {
    const logs = join(dir, 'held')
    await mkdir(logs)
    // Each over one message's worth of findings, so some arrive while the object is still being read.
    for (let i = 0; i <= 70; i++)
      await writeFile(join(logs, `${String(i).padStart(2, '0')}.json`), JSON.stringify({ Records: rootRecords(`s${i}`, 300) }))
    const concurrency = 32
    const head = new PassThrough()
    let pulled = 0
    let pulledBeforeHead = -1
    const listing = async function* (): AsyncGenerator<LogObject> {
      const files: LogObject[] = []
      for await (const o of listLocalObjects([logs])) files.push(o)
      yield files[0]!
      // Read on this thread, and not done until the stream ends: every object after it waits for it.
      yield streamObject('head.json', head)
      // A worker up (it reads the first object meanwhile), so what follows is not held back by its start.
      await delay(1000)
      setTimeout(() => {
        pulledBeforeHead = pulled
        head.end(JSON.stringify({ Records: rootRecords('head', 1) }))
      }, 2000)
      for (const o of files.slice(1)) {
        pulled++
        yield o
        await delay(10)
      }
    }
    const findings: Finding[] = []
    const summary = await scanWith(
      { objects: listing(), rules: [rootCall], workers: 2, concurrency, onFinding: (f) => findings.push(f) },
      { heldBytes: 0 },
    )
    // By count alone the window would have taken 2 × 32 - 2 objects behind the head; over the byte bound (here 0:
    // any finding waiting) none is started once the first object behind the head is read.
    expect(pulledBeforeHead).toBeGreaterThan(0)
    expect(pulledBeforeHead).toBeLessThanOrEqual(concurrency)
    expect(summary.objects).toMatchObject({ read: 72, failed: 0 })
    expect(findings.map((f) => f.eventId)).toEqual([
      ...rootRecords('s0', 300).map((r) => (r as { eventID: string }).eventID),
      'head-0',
      ...Array.from({ length: 70 }, (_, i) => rootRecords(`s${i + 1}`, 300).map((r) => (r as { eventID: string }).eventID)).flat(),
    ])
  }, 60_000)

  it("counts an object's findings from their first batch until they are emitted, and forgets them then", async () => {
    const logs = join(dir, 'batches')
    await mkdir(logs)
    const path = join(logs, 'many.json.gz')
    await writeFile(path, gzipSync(JSON.stringify({ Records: rootRecords('m', 1000) })))
    const pool = new WorkerPool({
      size: 1,
      setup: { rules: [compiledFrom(rootCall)!], scanner: { filter: {}, marginDays: 1, decode: DECODE_DEFAULTS } },
    })
    try {
      const out = await pool.scan(refOf(localObject(path, (await stat(path)).size))!)
      // Four batches of 256 and the end: all held, packed, until the findings are read.
      expect(pool.heldBytes).toBeGreaterThan(0)
      const ids = [...out.findings].map((b) => b.finding.eventId)
      expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => `m-${i}`))
      expect(pool.heldBytes).toBe(0)
    } finally {
      await pool.close()
    }
  }, 60_000)
})

describe('public exposures with workers', () => {
  it('a remediation tie (two closing calls at the same instant) is settled as on one thread, whichever worker finishes first', async () => {
    const logs = join(dir, 'exposure')
    await mkdir(logs)
    const call = (eventName: string, who: string, time: string, rp: object, id: string): object => ({
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/${who}`, accountId: '111122223333' },
      eventTime: time,
      eventSource: 's3.amazonaws.com',
      eventName,
      awsRegion: 'eu-west-1',
      requestParameters: rp,
      eventID: id,
      recipientAccountId: '111122223333',
    })
    const publicPolicy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    })
    await writeFile(
      join(logs, '0-exposed.json'),
      JSON.stringify({
        Records: [call('PutBucketPolicy', 'mallory', '2024-05-01T10:00:00Z', { bucketName: 'b', bucketPolicy: publicPolicy }, 'x')],
      }),
    )
    // Listed first and slow to read (many records): the worker reading the second object answers first.
    const filler = rootRecords('fill', 40_000)
    const closeBy = (who: string): object => call('DeleteBucketPolicy', who, '2024-05-01T11:00:00Z', { bucketName: 'b' }, `close-${who}`)
    await writeFile(join(logs, '1-first.json.gz'), gzipSync(JSON.stringify({ Records: [...filler, closeBy('first')] })))
    await writeFile(join(logs, '2-second.json'), JSON.stringify({ Records: [closeBy('second')] }))
    const { rules } = await loadRuleSet([new URL('public-s3', RULES_DIR).pathname])
    const remediatedBy = async (workers: number): Promise<unknown> => {
      const findings: Finding[] = []
      await scanWith({ objects: listLocalObjects([logs]), rules, workers, onFinding: (f) => findings.push(f) })
      return findings.map((f) => (f.details as { remediated?: { by: string } }).remediated?.by)
    }
    const one = await remediatedBy(1)
    expect(one).toEqual(['arn:aws:iam::111122223333:user/first'])
    expect(await remediatedBy(2)).toEqual(one)
  }, 60_000)
})

describe('what crosses the thread boundary', () => {
  it('an object whose open() was replaced after it was made (a check before reading) is not sent by reference', () => {
    const plain = localObject('/logs/a.json.gz', 10)
    expect(refOf(plain)).toMatchObject({ uri: '/logs/a.json.gz', size: 10, origin: { kind: 'local', path: '/logs/a.json.gz' } })
    const checked = localObject('/logs/a.json.gz', 10)
    checked.open = async () => {
      await Promise.resolve()
      return plain.open()
    }
    expect(refOf(checked)).toBeUndefined()
  })

  it('errors come back as the same classes, with their location and the fatal flag (structured clone keeps neither)', () => {
    const back = (e: Error): Error => fromWire(structuredClone(toWire(e)))
    const parse = back(new RecordParseError('record 3 is not valid JSON', { location: { object: 'a.json', recordIndex: 3, offset: 10 } }))
    expect(parse).toBeInstanceOf(RecordParseError)
    expect(parse).toMatchObject({
      code: 'TRAILSCAN_RECORD_PARSE',
      name: 'RecordParseError',
      location: { object: 'a.json', recordIndex: 3, offset: 10 },
    })
    const fatal = back(new FatalS3Error('access denied', { location: { object: 's3://b/k' } }))
    expect(fatal).toBeInstanceOf(FatalS3Error)
    expect((fatal as FatalS3Error).fatal).toBe(true)
    const read = back(new SourceReadError('gzip data is truncated', { location: { object: 'a.gz', offset: 5 } }))
    expect(read).toBeInstanceOf(SourceReadError)
    expect(read.message).toBe('gzip data is truncated')
  })

  it("a run's retry budget is one budget across threads", async () => {
    const budget = new RetryBudget(5)
    expect(budget.take() && budget.take()).toBe(true)
    const retryModule = new URL('../dist/source/s3-retry.js', import.meta.url).href
    const taken = await new Promise<number>((resolve, reject) => {
      const w = new Worker(
        `const { workerData, parentPort } = require('node:worker_threads')
         import(${JSON.stringify(retryModule)}).then(({ RetryBudget }) => {
           const b = RetryBudget.fromShared(workerData)
           let n = 0
           while (b.take()) n++
           parentPort.postMessage(n)
         })`,
        { eval: true, workerData: budget.share() },
      )
      w.once('message', (n: number) => void w.terminate().then(() => resolve(n)))
      w.once('error', reject)
    })
    expect(taken).toBe(3)
    expect(budget.report()).toEqual({ used: 5, budget: 5, exhausted: true })
  })
})
