import { execFileSync } from 'node:child_process'
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { linkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SourceReadError } from '../errors.js'
import { DECODE_DEFAULTS } from '../read/decompress.js'
import { readRecords } from '../read/records.js'
import type { SkipReason } from '../emit/summary.js'
import { listLocalObjects, localObject } from './local.js'
import type { LogObject } from './log-object.js'

let root: string
let dir: string
const day = 'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05'
const event = (id: string): string =>
  `{"eventVersion":"1.08","eventTime":"2024-03-05T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"${id}"}`
const doc = (...ids: string[]): string => `{"Records":[${ids.map(event).join(',')}]}`

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trailscan-local-'))
  dir = join(root, 'main')
  await mkdir(join(dir, day), { recursive: true })
  await writeFile(join(dir, day, '111122223333_CloudTrail_eu-west-1_20240305T0100Z_abcdefghijklmnop.json.gz'), 'x')
  await writeFile(join(dir, day, 'b.json'), '{}')
  await writeFile(join(dir, 'README.md'), '# notes')
  await writeFile(join(dir, 'expected-findings.jsonl'), '')
  await writeFile(join(dir, '.hidden.json'), '{}')
  await symlink(join(dir, 'missing.json'), join(dir, 'dangling.json'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

interface Listing {
  objects: LogObject[]
  skipped: [string, SkipReason, string][]
  errors: SourceReadError[]
}

async function list(paths: string[], root = dir): Promise<Listing> {
  const out: Listing = { objects: [], skipped: [], errors: [] }
  for await (const o of listLocalObjects(paths, {
    onSkip: (p, reason, detail) => out.skipped.push([p.slice(root.length + 1), reason, detail]),
    onError: (e) => out.errors.push(e),
  }))
    out.objects.push(o)
  return out
}

const rel = (objs: LogObject[], root: string): string[] => objs.map((o) => o.uri.slice(root.length + 1))

async function scratch(name: string): Promise<string> {
  const d = join(root, name)
  await mkdir(d, { recursive: true })
  return d
}

describe('listLocalObjects', () => {
  it('walks directories in sorted order; files outside the key layout are judged by content, the rest reported as skipped', async () => {
    const l = await list([dir])
    expect(rel(l.objects, dir)).toEqual([
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05/111122223333_CloudTrail_eu-west-1_20240305T0100Z_abcdefghijklmnop.json.gz',
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05/b.json',
      'README.md',
    ])
    // Under the layout a file is CloudTrail's by its place; elsewhere its first bytes decide.
    expect(l.objects.map((o) => o.byContent === true)).toEqual([false, false, true])
    expect(l.skipped.map(([p, r]) => `${p}:${r}`).sort()).toEqual(['.hidden.json:hidden', 'expected-findings.jsonl:dataset-file'])
    expect(l.errors).toHaveLength(1)
    expect(l.errors[0]!.location?.object).toBe(join(dir, 'dangling.json'))
  })

  it('parses the CloudTrail key layout of each file', async () => {
    const first = (await listLocalObjects([dir]).next()).value!
    expect(first.key).toEqual({ kind: 'log', prefix: `${dir}/`, account: '111122223333', region: 'eu-west-1', deliveryDate: '2024-03-05' })
  })

  it('reads a named file whatever its name, and reports a missing path', async () => {
    const l = await list([join(dir, 'README.md'), join(dir, 'nope')])
    expect(l.objects.map((o) => o.uri)).toEqual([join(dir, 'README.md')])
    expect(l.objects[0]!.byContent).toBeUndefined()
    expect(l.errors[0]!.message).toMatch(/cannot read path/)
  })

  it('skips a FIFO and a link to /dev/zero in a walk, and refuses them when named, without opening them', async () => {
    const d = await scratch('special')
    await writeFile(join(d, 'good.json'), doc('g-1'))
    execFileSync('mkfifo', [join(d, 'pipe.json')])
    await symlink('/dev/zero', join(d, 'zero.json'))
    const walked = await list([d], d)
    expect(rel(walked.objects, d)).toEqual(['good.json'])
    expect(walked.skipped).toEqual([
      ['pipe.json', 'not-regular-file', 'FIFO'],
      ['zero.json', 'not-regular-file', 'character device (through a symlink)'],
    ])
    const named = await list([join(d, 'pipe.json'), join(d, 'zero.json')], d)
    expect(named.objects).toEqual([])
    expect(named.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^not a regular file or directory \(FIFO\): not read.*trailscan scan -/),
      expect.stringMatching(/^not a regular file or directory \(character device\)/),
    ])
  })

  it('follows a symlinked directory, skips a link back into the walk, and reads each real file once', async () => {
    const d = await scratch('links')
    await mkdir(join(d, 'real', 'AWSLogs'), { recursive: true })
    await mkdir(join(d, 'walk'))
    await writeFile(join(d, 'real', 'AWSLogs', 'r.json'), doc('r-1'))
    await writeFile(join(d, 'walk', 'good.json'), doc('g-1'))
    await symlink('../real', join(d, 'walk', 'archive'))
    await symlink('.', join(d, 'walk', 'self.json'))
    await symlink('good.json', join(d, 'walk', 'latest.json'))
    linkSync(join(d, 'walk', 'good.json'), join(d, 'walk', 'hard.json'))
    const l = await list([join(d, 'walk')], join(d, 'walk'))
    expect(rel(l.objects, join(d, 'walk'))).toEqual(['archive/AWSLogs/r.json', 'good.json'])
    expect(l.skipped).toEqual([
      ['hard.json', 'duplicate', 'the same file was already read through another path (a symlink or hard link)'],
      ['latest.json', 'duplicate', 'the same file was already read through another path (a symlink or hard link)'],
      ['self.json', 'symlink-loop', 'links back to a directory it is inside'],
    ])
    expect(l.errors).toEqual([])
    // The target itself, walked after the link: already read through it.
    const both = await list([join(d, 'walk'), join(d, 'real')], d)
    expect(rel(both.objects, d)).toEqual(['walk/archive/AWSLogs/r.json', 'walk/good.json'])
    expect(both.skipped.at(-1)).toEqual(['real', 'duplicate', `directory already read as ${join(d, 'walk', 'archive')}`])
  })
})

interface Read {
  records: number
  notCloudTrail: string | undefined
  errors: string[]
}

async function read(o: LogObject, opts = DECODE_DEFAULTS): Promise<Read> {
  const errors: string[] = []
  const r = await readRecords(
    o,
    opts,
    () => {},
    (e) => errors.push(e.message),
  )
  return { records: r.records, notCloudTrail: r.notCloudTrail, errors }
}

describe('local objects as read', () => {
  it('stops a link to /dev/zero at the decompressed-size cap, however it was reached', async () => {
    const d = await scratch('zero')
    await symlink('/dev/zero', join(d, 'zero.json'))
    // What stat says of a device: size 0, as a walk or a caller would have listed it.
    const r = await read(localObject(join(d, 'zero.json'), 0), { ...DECODE_DEFAULTS, maxBytes: 4 * 1024 * 1024 })
    expect(r.errors.at(-1)).toMatch(/decompressed size exceeds the cap of 4194304 bytes/)
  }, 10_000)

  it('judges walked files outside the key layout by their first bytes', async () => {
    const d = await scratch('content')
    const files: Record<string, string | Buffer> = {
      'a.json.cloudtrail': doc('c-1', 'c-2'),
      'export.jsonl': `${event('j-1')}\n${event('j-2')}\n`,
      'bom.txt': `\ufeff  ${doc('b-1')}`,
      'digest.json': '{"awsAccountId":"111122223333","digestStartTime":"2024-03-05T00:00:00Z","logFiles":[]}',
      'logs.gz': gzipSync(doc('z-1')),
      'notes.md': '# not logs',
      'package.json': '{"name":"x","version":"1.0.0"}',
      'text.gz': gzipSync('plain text'),
      'empty.json': '',
      'video.bin': Buffer.alloc(10 * 1024 * 1024, 0xff),
    }
    for (const [n, c] of Object.entries(files)) await writeFile(join(d, n), c)
    const l = await list([d], d)
    const verdicts: Record<string, string> = {}
    for (const o of l.objects) {
      const r = await read(o)
      verdicts[o.uri.slice(d.length + 1)] = r.notCloudTrail ?? `${r.records} records, ${r.errors.length} errors`
    }
    expect(verdicts).toEqual({
      'a.json.cloudtrail': '2 records, 0 errors',
      'export.jsonl': '2 records, 0 errors',
      'bom.txt': '1 records, 0 errors',
      'digest.json': '0 records, 0 errors',
      'logs.gz': '1 records, 0 errors',
      'notes.md': 'not gzip or JSON',
      'package.json': 'JSON without CloudTrail records or digest fields in its first 64 KB',
      'text.gz': 'gzip, but not JSON inside',
      'empty.json': 'empty file',
      'video.bin': 'not gzip or JSON',
    })
  })

  it('still reports a fault in a file under the key layout, and scans records before a fault in a judged one', async () => {
    const d = await scratch('faults')
    await mkdir(join(d, day), { recursive: true })
    await writeFile(join(d, day, 'notes.json'), '# not logs')
    const many = doc(...Array.from({ length: 200 }, (_, i) => `t-${i}`))
    const gz = gzipSync(many)
    await writeFile(join(d, 'cut.json.gz'), gz.subarray(0, Math.floor(gz.length * 0.7)))
    const l = await list([d], d)
    expect(rel(l.objects, d)).toEqual([`${day}/notes.json`, 'cut.json.gz'].sort())
    const byName = Object.fromEntries(await Promise.all(l.objects.map(async (o) => [o.uri.slice(d.length + 1), await read(o)] as const)))
    expect(byName[`${day}/notes.json`]!.notCloudTrail).toBeUndefined()
    expect(byName[`${day}/notes.json`]!.errors[0]).toMatch(/not JSON/)
    expect(byName['cut.json.gz']!.notCloudTrail).toBeUndefined()
    expect(byName['cut.json.gz']!.records).toBeGreaterThan(50)
    expect(byName['cut.json.gz']!.errors[0]).toMatch(/truncated or corrupt/)
  })
})
