import { execFileSync } from 'node:child_process'
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './run-cli.js'

// The filesystem and the "never clean when nothing was read" contract (issue #12): FIFOs, devices, symlinks,
// files named as other tools name them, stdin, and what an empty scan says.

let dir: string
const stop = (id: string): Record<string, unknown> => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333', userName: 'mallory' },
  eventTime: '2024-05-14T16:05:37Z',
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.15.0',
  requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main' },
  eventID: id,
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
})
const body = (...ids: string[]): string => JSON.stringify({ Records: ids.map(stop) })
const scan = (...args: string[]): Promise<Awaited<ReturnType<typeof runCli>>> =>
  runCli(['scan', ...args, '--rules', 'cis-aws-foundations'], { timeoutMs: 20_000 })

interface Summary {
  objects: { read: number; skipped: number }
  records: { read: number }
  skipped: { byReason: Record<string, number>; first: { object: string; reason: string; detail: string }[] }
  errors: { object: string; message: string }[]
}
const summaryOf = async (path: string): Promise<Summary> => JSON.parse(await readFile(path, 'utf8')) as Summary

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-cli-fs-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('a scan that read nothing', () => {
  it('exits 2 with a one-line reason for an empty directory, 0 with --allow-empty', async () => {
    const empty = join(dir, 'empty')
    await mkdir(empty)
    const r = await scan(empty)
    expect(r.code).toBe(2)
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      'trailscan: no CloudTrail log object was read (nothing listed); check the paths, or pass --allow-empty if an empty scan is expected',
    )
    const ok = await scan(empty, '--allow-empty')
    expect(ok.code).toBe(0)
    expect(ok.stderr).not.toMatch(/no CloudTrail log object was read/)
  })

  it('exits 2 when every file was skipped as not CloudTrail, and says so', async () => {
    const d = join(dir, 'wrong-prefix')
    await mkdir(d)
    await writeFile(join(d, 'notes.txt'), 'hello')
    await writeFile(join(d, 'package.json'), '{"name":"x"}')
    const r = await scan(d)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no CloudTrail log object was read \(2 listed, 2 skipped \(2 not CloudTrail\)\)/)
  })

  it('reads TrailDiscover-style *.json.cloudtrail files by their content', async () => {
    const d = join(dir, 'traildiscover')
    await mkdir(d)
    await writeFile(join(d, 'StopLogging.json.cloudtrail'), body('td-1'))
    const r = await scan(d)
    expect(r.code).toBe(0)
    expect(jsonLines(r.stdout).map((f) => `${f.ruleId}:${f.eventId}`)).toEqual(['cis-4.5:td-1'])
  })
})

describe('files a walk skips', () => {
  it('lists a FIFO, a /dev/zero link, a symlink loop and non-CloudTrail files in the summary, with one warning', async () => {
    const d = join(dir, 'odd')
    await mkdir(join(d, 'real'), { recursive: true })
    await mkdir(join(d, 'walk'))
    await writeFile(join(d, 'walk', 'good.json'), body('g-1'))
    await writeFile(join(d, 'real', 'archived.json'), body('a-1'))
    await symlink('../real', join(d, 'walk', 'archive'))
    await symlink('.', join(d, 'walk', 'self.json'))
    await symlink('/dev/zero', join(d, 'walk', 'zero.json'))
    execFileSync('mkfifo', [join(d, 'walk', 'pipe.json')])
    await writeFile(join(d, 'walk', 'README.md'), '# logs')
    const sj = join(dir, 'odd-summary.json')
    const r = await scan(join(d, 'walk'), '--summary-json', sj, '--max-object-bytes', '1000000')
    expect(r.code).toBe(0)
    // The symlinked directory is followed; the loop does not read good.json again.
    expect(jsonLines(r.stdout).map((f) => f.eventId)).toEqual(['a-1', 'g-1'])
    const s = await summaryOf(sj)
    expect(s.records.read).toBe(2)
    expect(s.objects.skipped).toBe(4)
    expect(s.skipped.byReason).toEqual({ 'not-cloudtrail': 1, 'not-regular-file': 2, 'symlink-loop': 1 })
    expect(s.skipped.first.map((k) => [k.object.slice(d.length + 1), k.reason, k.detail])).toEqual([
      ['walk/pipe.json', 'not-regular-file', 'FIFO'],
      ['walk/self.json', 'symlink-loop', 'links back to a directory it is inside'],
      ['walk/zero.json', 'not-regular-file', 'character device (through a symlink)'],
      ['walk/README.md', 'not-cloudtrail', 'not gzip or JSON'],
    ])
    expect(r.stderr).toMatch(
      /"msg":"4 files skipped \(1 not CloudTrail, 2 not a regular file, 1 symlink loop\): listed under \\"skipped\\" in the summary"/,
    )
    expect(r.stderr).toMatch(
      /\n {2}skipped {3}4 \(1 not CloudTrail, 2 not a regular file, 1 symlink loop\)\n {4}\S+walk\/pipe\.json: FIFO\n/,
    )
  })

  it('bounds the list: a count and the first 100 names in --summary-json, 20 in the text', async () => {
    const d = join(dir, 'many')
    await mkdir(d)
    await writeFile(join(d, 'good.json'), body('m-1'))
    for (let i = 0; i < 150; i++) await writeFile(join(d, `n${String(i).padStart(3, '0')}.txt`), 'x')
    const sj = join(dir, 'many-summary.json')
    const r = await scan(d, '--summary-json', sj, '--log-level', 'silent')
    expect(r.code).toBe(0)
    const s = await summaryOf(sj)
    expect(s.objects.skipped).toBe(150)
    expect(s.skipped.first).toHaveLength(100)
    expect(s.skipped.first[99]!.object).toBe(join(d, 'n099.txt'))
    expect(r.stderr).toMatch(/skipped {3}150 \(150 not CloudTrail\)/)
    expect(r.stderr).toMatch(/n019\.txt: not gzip or JSON\n {4}… 130 more \(the first 100 in --summary-json\)\n/)
    expect(r.stderr).not.toMatch(/n020\.txt/)
  })
})

describe('non-regular files named on the command line', () => {
  it('refuses a FIFO at once instead of blocking on it', async () => {
    const fifo = join(dir, 'named.fifo')
    execFileSync('mkfifo', [fifo])
    const r = await scan(fifo)
    expect(r.code).toBe(2) // refused, and so nothing read
    expect(r.stderr).toContain(`${fifo}: not a regular file or directory (FIFO): not read`)
  })

  it('refuses a link to /dev/zero, and reads the other paths (exit 3 for the refused one)', async () => {
    const zero = join(dir, 'zero.json')
    await symlink('/dev/zero', zero)
    const good = join(dir, 'good-named.json')
    await writeFile(good, body('n-1'))
    const r = await scan(zero, good, '--max-object-bytes', '1000000')
    expect(r.code).toBe(3)
    expect(r.stderr).toContain(`${zero}: not a regular file or directory (character device)`)
    expect(jsonLines(r.stdout).map((f) => f.eventId)).toEqual(['n-1'])
  })
})

describe('trailscan scan -', () => {
  it('reads one plain object from stdin', async () => {
    const r = await runCli(['scan', '-', '--rules', 'cis-aws-foundations'], { stdin: [Buffer.from(body('p-1', 'p-2'))], timeoutMs: 20_000 })
    expect(r.code).toBe(0)
    expect(jsonLines(r.stdout).map((f) => `${f.eventId}@${(f.source as { uri: string }).uri}`)).toEqual(['p-1@-', 'p-2@-'])
  })

  it('reads a gzipped object from stdin even when the pipe delivers its first byte alone', async () => {
    const gz = gzipSync(body('z-1'))
    const r = await runCli(['scan', '--rules', 'cis-aws-foundations', '-'], {
      stdin: [gz.subarray(0, 1), gz.subarray(1)],
      timeoutMs: 20_000,
    })
    expect(r.code).toBe(0)
    expect(jsonLines(r.stdout).map((f) => f.eventId)).toEqual(['z-1'])
    expect(r.stderr).toMatch(/bytes\s+\d+ stored, \d+ decompressed/)
  })

  it('reads stdin before the other paths, and keeps `--out -` an option value', async () => {
    const good = join(dir, 'after-stdin.json')
    await writeFile(good, body('f-1'))
    const r = await runCli(['scan', good, '-', '--rules', 'cis-aws-foundations'], { stdin: [Buffer.from(body('s-1'))], timeoutMs: 20_000 })
    expect(jsonLines(r.stdout).map((f) => f.eventId)).toEqual(['s-1', 'f-1'])
    // `--out -` is the option's value (yargs reads it as stdout), not a path: stdin stays unread.
    const out = await runCli(['scan', good, '--out', '-', '--rules', 'cis-aws-foundations'], {
      stdin: [Buffer.from(body('s-2'))],
      timeoutMs: 20_000,
    })
    expect(out.code).toBe(0)
    expect(jsonLines(out.stdout).map((f) => f.eventId)).toEqual(['f-1'])
    const twice = await runCli(['scan', '-', '-'], { stdin: [Buffer.from(body('s-1'))], timeoutMs: 20_000 })
    expect(twice.code).toBe(2)
    expect(twice.stderr).toMatch(/`-` \(one object on stdin\) can be given only once/)
  })

  it('stops stdin at --max-object-bytes', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x20)
    const r = await runCli(['scan', '-', '--max-object-bytes', '1000000', '--log-level', 'silent'], { stdin: [big], timeoutMs: 20_000 })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/-: decompressed size exceeds the cap of 1000000 bytes/)
  })
})
