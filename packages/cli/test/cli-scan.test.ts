import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './run-cli.js'

let dir: string
let logs: string

const base = {
  eventVersion: '1.08',
  userIdentity: {
    type: 'Root',
    principalId: '111122223333',
    arn: 'arn:aws:iam::111122223333:root',
    accountId: '111122223333',
    accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  },
  eventSource: 'ec2.amazonaws.com',
  awsRegion: 'eu-west-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
  requestParameters: { groupId: 'sg-0123456789abcdef0' },
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
}

function rec(id: string, time: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...base, eventTime: time, eventName: 'AuthorizeSecurityGroupIngress', eventID: id, ...extra }
}

const day = 'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05'
const name = (t: string): string => `111122223333_CloudTrail_eu-west-1_${t}_abcdefghijklmnop.json.gz`

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-cli-'))
  logs = join(dir, 'logs')
  await mkdir(join(logs, day), { recursive: true })
  const good = { Records: [rec('e-1', '2024-03-05T10:01:00Z'), rec('e-2', '2024-03-05T10:02:00Z'), rec('e-3', '2024-03-05T10:12:00Z')] }
  await writeFile(join(logs, day, name('20240305T1015Z')), gzipSync(JSON.stringify(good)))
  const many = { Records: Array.from({ length: 300 }, (_, i) => rec(`t-${i}`, '2024-03-05T11:00:00Z', { eventName: 'DescribeInstances' })) }
  many.Records[1] = rec('t-1', '2024-03-05T11:00:00Z')
  const gz = gzipSync(JSON.stringify(many))
  await writeFile(join(logs, day, name('20240305T1100Z')), gz.subarray(0, Math.floor(gz.length * 0.7)))
  await symlink(join(dir, 'gone.json'), join(logs, 'dangling.json'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('trailscan scan', () => {
  it('prints findings as JSON Lines with the contract fields, and a summary on stderr', async () => {
    const r = await runCli(['scan', join(logs, day, name('20240305T1015Z')), '--rules', 'cis-aws-foundations'])
    expect(r.code).toBe(0)
    const findings = jsonLines(r.stdout)
    // Root calls fire 4.3; security-group changes fire 4.10.
    expect(findings.map((f) => `${f.ruleId}:${f.eventId}`).sort()).toEqual([
      'cis-4.10:e-1',
      'cis-4.10:e-2',
      'cis-4.10:e-3',
      'cis-4.3:e-1',
      'cis-4.3:e-2',
      'cis-4.3:e-3',
    ])
    const f = findings[0]!
    for (const k of [
      'ruleId',
      'title',
      'severity',
      'eventId',
      'eventTime',
      'eventName',
      'eventSource',
      'account',
      'region',
      'sourceIp',
      'userAgent',
      'actor',
      'resource',
      'source',
    ])
      expect(f).toHaveProperty(k)
    expect(f.actor).toMatchObject({ arn: 'arn:aws:iam::111122223333:root', type: 'Root', accessKeyId: 'ASIAIOSFODNN7EXAMPLE' })
    expect(f.source).toMatchObject({ uri: join(logs, day, name('20240305T1015Z')), recordIndex: 0 })
    expect(f.resource).toMatchObject({ type: 'security-group', name: 'sg-0123456789abcdef0' })
    expect(r.stderr).toMatch(/Summary/)
    expect(r.stderr).toMatch(/records\s+3 read/)
  })

  it('goes on past unreadable and truncated objects, keeps what it read, and exits 3', async () => {
    const summaryFile = join(dir, 'summary.json')
    const r = await runCli(['scan', logs, '--rules', 'cis-aws-foundations', '--summary-json', summaryFile, '--log-level', 'silent'])
    expect(r.code).toBe(3)
    const ids = jsonLines(r.stdout).map((f) => `${f.ruleId}:${f.eventId}`)
    expect(ids).toContain('cis-4.10:t-1') // read before the truncation point
    expect(ids).toContain('cis-4.10:e-3')
    const summary = JSON.parse(await readFile(summaryFile, 'utf8'))
    const objects = summary.errors.map((e: { object: string }) => e.object)
    expect(objects).toContain(join(logs, 'dangling.json'))
    expect(objects).toContain(join(logs, day, name('20240305T1100Z')))
    expect(summary.objects.failed).toBe(1)
    expect(summary.records.read).toBeGreaterThan(3)
  })

  it('filters by event time, account and region', async () => {
    const file = join(logs, day, name('20240305T1015Z'))
    const win = await runCli([
      'scan',
      file,
      '--rules',
      'cis-aws-foundations',
      '--start',
      '2024-03-05T10:02:00Z',
      '--end',
      '2024-03-05T10:10',
    ])
    expect([...new Set(jsonLines(win.stdout).map((f) => f.eventId))]).toEqual(['e-2'])
    const acct = await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--account', '444455556666'])
    expect(jsonLines(acct.stdout)).toEqual([])
    const region = await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--region', 'eu-west-1'])
    expect(jsonLines(region.stdout)).toHaveLength(6)
  })

  it('rejects an unparseable time instead of returning nothing', async () => {
    const r = await runCli(['scan', logs, '--start', 'yesterday'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--start: "yesterday" is not an ISO 8601 time/)
    expect(r.stdout).toBe('')
  })

  it('exits 1 with --fail-on when a finding reaches the severity, 0 when none does', async () => {
    const file = join(logs, day, name('20240305T1015Z'))
    expect((await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--fail-on', 'info'])).code).toBe(1)
    expect((await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--fail-on', 'critical'])).code).toBe(0)
  })

  it('prints a table with --format table and writes to --out', async () => {
    const out = join(dir, 'findings.txt')
    const file = join(logs, day, name('20240305T1015Z'))
    const r = await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--format', 'table', '--out', out])
    expect(r.stdout).toBe('')
    const table = await readFile(out, 'utf8')
    expect(table.split('\n')[0]).toMatch(/^TIME\s+SEVERITY\s+RULE\s+EVENT/)
    expect(table).toMatch(/cis-4\.10\s+AuthorizeSecurityGroupIngress/)
  })

  it('replays the CIS alarm: Sum >= 1 per 300 s period of event time', async () => {
    const file = join(logs, day, name('20240305T1015Z'))
    const r = await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--alarms'])
    const alarms = jsonLines(r.stdout).filter((x) => x.kind === 'alarm' && x.ruleId === 'cis-4.10')
    expect(alarms.map((a) => [a.periodStart, a.count])).toEqual([
      ['2024-03-05T10:00:00.000Z', 2],
      ['2024-03-05T10:10:00.000Z', 1],
    ])
  })

  it('stops a gzip bomb at --max-object-bytes and names the object', async () => {
    const bomb = join(dir, 'bomb.json.gz')
    await writeFile(bomb, gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)))
    const r = await runCli(['scan', bomb, '--max-object-bytes', '1000000', '--log-level', 'silent'])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/bomb\.json\.gz: decompressed size exceeds the cap of 1000000 bytes/)
  })

  it('refuses an unknown rule pack with exit 2', async () => {
    const r = await runCli(['scan', logs, '--rules', 'no-such-pack'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown rule pack "no-such-pack"/)
  })
})

describe('trailscan scan | head', () => {
  it('stops quietly when the reader closes the pipe early', async () => {
    const { spawn } = await import('node:child_process')
    const { BIN } = await import('./run-cli.js')
    const fixtures = new URL('../../../fixtures/', import.meta.url).pathname
    const child = spawn(process.execPath, [BIN, 'scan', fixtures, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.once('data', () => child.stdout.destroy())
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(stderr).not.toMatch(/EPIPE|Error:/)
    expect(code).not.toBeNull()
  })
})
