import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, jsonLines, runCli, runProcess, type CliResult } from './run-cli.js'

let dir: string
let logs: string

const ESC = '\x1b'
const forgedRow = '\n2099-01-01T00:00:00Z  critical  forged-rule'
const hostileAgent = `curl ${ESC}]0;PWNED\x07${ESC}[2J${ESC}[H\rclean${forgedRow}`
// Short, so the table column (34 wide) shows it whole.
const hostileArn = `arn:x/${ESC}[31mred${ESC}[0m`
const badName = `bad_${ESC}]0;PWNED\x07${ESC}[2J.json.gz`

function rec(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
    eventTime: '2024-03-05T10:01:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { groupId: 'sg-0123456789abcdef0' },
    eventID: id,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  }
}

/** Runs `sh -c SCRIPT` with $BIN set; for redirections vitest's spawn cannot express (closed fds, pipelines). */
function sh(script: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runProcess('bash', ['-c', script], { env: { BIN, NODE: process.execPath, ...env } })
}

/** The CLI with its stdout on an fd of our choosing (a file, /dev/full). */
function runWithStdout(args: readonly string[], fd: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', fd, 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-out-'))
  logs = join(dir, 'logs')
  await mkdir(logs)
  // Enough findings to fill more than one output buffer (64 KB), so writes happen mid-scan.
  for (let f = 0; f < 4; f++)
    await writeFile(
      join(logs, `part-${f}.json.gz`),
      gzipSync(JSON.stringify({ Records: Array.from({ length: 150 }, (_, i) => rec(`e-${f}-${i}`)) })),
    )
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const oneLine = (stderr: string): void => {
  expect(stderr.trim().split('\n')).toHaveLength(1)
  expect(stderr).toMatch(/^trailscan: /)
  expect(stderr).not.toMatch(/\n\s+at |Error:/)
}

describe('bad option values are usage errors, before the scan', () => {
  it.each([
    [['--concurrency', '0'], /--concurrency must be a whole number from 1 to 1024/],
    [['--concurrency', 'many'], /--concurrency must be a whole number/],
    [['--max-object-bytes', '0'], /--max-object-bytes must be a whole number/],
    [['--account', '1234'], /--account "1234" is not a 12-digit account id/],
    [['--region', 'eu west 1'], /--region "eu west 1" is not an AWS region name/],
    [['--s3-region', 'nowhere'], /--s3-region "nowhere" is not an AWS region name/],
    [['--endpoint-url', 'localhost:9000'], /--endpoint-url "localhost:9000" is not an http/],
    [['--out', 'a.jsonl', '--out', 'b.jsonl'], /--out was given more than once/],
    [['--summary-json', 'a.json', '--summary-json', 'b.json'], /--summary-json was given more than once/],
    [['--log-level', 'info', '--log-level', 'debug'], /--log-level was given more than once/],
    [['--out', 'same.json', '--summary-json', 'same.json'], /name the same file/],
  ])('%j', async (extra, message) => {
    const r = await runCli(['scan', logs, ...extra], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    oneLine(r.stderr)
    expect(r.stdout).toBe('')
  })

  it('refuses --out and --summary-json paths that cannot be written before scanning anything', async () => {
    for (const flag of ['--out', '--summary-json']) {
      for (const path of [join(dir, 'missing', 'x.json'), dir]) {
        const r = await runCli(['scan', logs, flag, path])
        expect(r.code).toBe(2)
        expect(r.stderr).toMatch(new RegExp(`^trailscan: ${flag} .*cannot be written`))
        oneLine(r.stderr)
        expect(r.stdout).toBe('')
      }
    }
  })

  it('refuses single-valued options of the other commands given twice', async () => {
    const cases = [
      ['test-metric-filter', '--filter-pattern', 'a', '--filter-pattern', 'b', '--log-event-messages', 'x'],
      ['test-event-pattern', '--event-pattern', '{}', '--event', '{}', '--event', '{}'],
      ['rules', 'list', '--format', 'json', '--format', 'table'],
    ]
    for (const args of cases) {
      const r = await runCli(args)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/was given more than once/)
      oneLine(r.stderr)
    }
  })
})

describe('write failures', () => {
  it('--out /dev/full: an error in the summary and --summary-json, exit 4', async () => {
    const summaryFile = join(dir, 'full-summary.json')
    const r = await runCli(['scan', logs, '--out', '/dev/full', '--summary-json', summaryFile, '--log-level', 'silent'])
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/errors\s+1\n\s+findings could not be written to --out \/dev\/full: ENOSPC/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as { errors: { code: string }[] }
    expect(summary.errors.map((e) => e.code)).toEqual(['TRAILSCAN_OUTPUT_WRITE'])
  })

  it('stdout on /dev/full: exit 4 even with read errors and --fail-on (4 takes precedence)', async () => {
    const broken = join(dir, 'broken-logs')
    await mkdir(broken, { recursive: true })
    await writeFile(join(broken, 'a.json.gz'), gzipSync(JSON.stringify({ Records: [rec('x-1')] })))
    await writeFile(join(broken, 'b.json.gz'), gzipSync(JSON.stringify({ Records: [rec('x-2')] })).subarray(0, 20))
    const fd = openSync('/dev/full', 'w')
    try {
      const r = await runWithStdout(['scan', broken, '--fail-on', 'low', '--log-level', 'silent'], fd)
      expect(r.code).toBe(4)
      expect(r.stderr).toMatch(/findings could not be written to stdout: ENOSPC/)
    } finally {
      closeSync(fd)
    }
  })

  it('a file that stops growing mid-write keeps only whole lines (exit 4)', async () => {
    // A file size limit (SIGXFSZ ignored) makes a write stop part-way and the next one fail with EFBIG, as a
    // disk filling up would.
    const out = join(dir, 'limited.jsonl')
    const r = await sh('trap "" XFSZ; ulimit -f 200; exec "$NODE" "$BIN" scan "$LOGS" --out "$OUT" --log-level silent', {
      LOGS: logs,
      OUT: out,
    })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/findings could not be written to --out .*limited\.jsonl: EFBIG/)
    const text = await readFile(out, 'utf8')
    expect(text.length).toBeGreaterThan(0)
    expect(text.endsWith('\n')).toBe(true)
    expect(() => jsonLines(text)).not.toThrow()
  })

  it('a closed stdout is an error before the scan, not a silent loss', async () => {
    const r = await sh('"$NODE" "$BIN" scan "$LOGS" >&-', { LOGS: logs })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^trailscan: stdout is closed/)
  })

  it('a reader that is gone at once: the summary still reaches stderr and --summary-json, exit code as for the findings', async () => {
    const summaryFile = join(dir, 'gone-summary.json')
    const r = await sh(
      '"$NODE" "$BIN" scan "$LOGS" --fail-on low --summary-json "$S" --log-level silent | true; echo "rc=${PIPESTATUS[0]}" >&2',
      { LOGS: logs, S: summaryFile },
    )
    expect(r.stderr).toMatch(/rc=1\n$/)
    expect(r.stderr).toMatch(/Summary/)
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as { interrupted?: boolean }
    expect(summary.interrupted).toBe(true)
  })

  it('| head -1: one whole line, no error, summary on stderr', async () => {
    const r = await sh('"$NODE" "$BIN" scan "$LOGS" --log-level silent | head -1; echo "rc=${PIPESTATUS[0]}" >&2', { LOGS: logs })
    expect(jsonLines(r.stdout)).toHaveLength(1)
    expect(r.stderr).toMatch(/rc=0\n$/)
    expect(r.stderr).not.toMatch(/EPIPE|Error:/)
  })
})

describe('terminal injection', () => {
  let hostile: string
  beforeAll(async () => {
    hostile = join(dir, 'hostile')
    await mkdir(hostile, { recursive: true })
    const records = [
      rec('h-1', { userAgent: hostileAgent, userIdentity: { type: 'IAMUser', arn: hostileArn, accountId: '111122223333', userName: 'x' } }),
      rec('h-2', { requestParameters: { groupId: `sg-1${forgedRow}` } }),
    ]
    await writeFile(join(hostile, 'a.json.gz'), gzipSync(JSON.stringify({ Records: records })))
    // A file name carrying escapes, unreadable so that it is named in the summary's error list: under the trail's
    // key layout, a file that is not CloudTrail is an error (elsewhere it would be skipped as not CloudTrail).
    const day = join(hostile, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2024', '05', '14')
    await mkdir(day, { recursive: true })
    await writeFile(join(day, badName), 'not gzip, not json')
  })

  it('--format table and the summary escape control characters visibly', async () => {
    const r = await runCli(['scan', hostile, '--format', 'table', '--log-level', 'silent'])
    expect(r.code).toBe(3)
    for (const text of [r.stdout, r.stderr]) {
      expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/)
      expect(text).not.toMatch(/forged-rule\s*$/m)
    }
    // Header, rule, and one row per finding (h-1: 4.10; h-2: 4.3 and 4.10): nothing forged.
    expect(r.stdout.trim().split('\n')).toHaveLength(2 + 3)
    expect(r.stdout).toMatch(/\\x1b\[31mred/)
    expect(r.stderr).toContain('bad_\\x1b]0;PWNED\\x07\\x1b[2J.json.gz')
  })

  it('JSON Lines keep the exact values', async () => {
    const r = await runCli(['scan', hostile, '--log-level', 'silent'])
    const findings = jsonLines(r.stdout)
    expect(findings.find((f) => f.eventId === 'h-1')!.userAgent).toBe(hostileAgent)
    expect((findings.find((f) => f.eventId === 'h-1')!.actor as { arn: string }).arn).toBe(hostileArn)
    expect(r.stdout).not.toContain(ESC)
  })

  it('log lines on stderr carry no raw control characters', async () => {
    const r = await runCli(['scan', hostile, '--log-level', 'error'])
    expect(r.stderr).toMatch(/"level":50/)
    expect(r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/)
  })

  it('rules check does not echo a rule id raw', async () => {
    const rules = join(dir, 'hostile-rules')
    await mkdir(rules, { recursive: true })
    await writeFile(join(rules, 'bad.yaml'), `id: "x\\e[2J\\e]0;PWNED\\a"\ntitle: t\n`)
    const r = await runCli(['rules', 'check', rules])
    expect(r.code).toBe(2)
    expect(r.stdout + r.stderr).toMatch(/\\x1b\[2J/)
    expect(r.stdout + r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/)
  })
})

describe('the summary counts every record outside the filters', () => {
  it('counts records no rule wanted (never parsed for the rules) as outside --start', async () => {
    const mixed = join(dir, 'mixed')
    await mkdir(mixed, { recursive: true })
    // Not CloudTrail key names: nothing is pruned by key, every record is read.
    const quiet = Array.from({ length: 40 }, (_, i) =>
      rec(`q-${i}`, { eventName: 'DescribeInstances', userIdentity: { type: 'IAMUser', accountId: '111122223333' } }),
    )
    await writeFile(join(mixed, 'trail.json'), JSON.stringify({ Records: [...quiet, rec('hit-1')] }))
    const summaryFile = join(dir, 'filtered-summary.json')
    const r = await runCli(['scan', mixed, '--start', '2030-01-01', '--summary-json', summaryFile, '--log-level', 'silent'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/records\s+41 read, 41 outside filters/)
    const s = JSON.parse(await readFile(summaryFile, 'utf8')) as { records: { read: number; filteredOut: number } }
    expect(s.records).toMatchObject({ read: 41, filteredOut: 41 })
    const within = await runCli(['scan', mixed, '--start', '2024-03-05T10:00:00Z', '--log-level', 'silent'])
    expect(within.stderr).toMatch(/records\s+41 read, 0 outside filters/)
    // Region read from the raw record; account from the parsed one (the raw reader does not trust it).
    for (const filter of [
      ['--region', 'us-east-1'],
      ['--account', '999988887777'],
    ]) {
      const other = await runCli(['scan', mixed, ...filter, '--log-level', 'silent'])
      expect(other.stderr).toMatch(/records\s+41 read, 41 outside filters/)
    }
  })
})

describe('stdout on a pipe or socket', () => {
  // Node's realpathSync takes the stat of the last fstat for a path component it has cached: after the writer's
  // fstat of a pipe it stopped resolving pino's symlink (pnpm layout), so the first log line crashed the CLI.
  it('an error logged after findings were flushed to the pipe is logged, and the scan ends with its summary', async () => {
    const d = join(dir, 'pipe-then-log')
    await mkdir(d, { recursive: true })
    await writeFile(join(d, 'a.json'), JSON.stringify({ Records: [rec('p-1'), rec('p-2')] }))
    const bad = JSON.stringify(rec('p-bad', { requestParameters: { a: 'X' } })).replace('"X"', '[1,}')
    await writeFile(join(d, 'b.json'), `{"Records":[${JSON.stringify(rec('p-3'))},${bad},${JSON.stringify(rec('p-4'))}]}`)
    // Without the NODE_PATH that `npx vitest` exports (it points into pnpm's store and would hide the bug).
    const r = await runCli(['scan', d, '--rules', 'cis-aws-foundations', '--concurrency', '1'], {
      timeoutMs: 20_000,
      env: { NODE_PATH: '' },
    })
    expect(r.stderr).not.toContain('Cannot find module')
    expect(r.stderr).toContain('unbalanced brackets')
    expect(r.stderr).toContain('Summary')
    expect(new Set(jsonLines(r.stdout).map((f) => f.eventId))).toEqual(new Set(['p-1', 'p-2', 'p-3', 'p-4']))
    expect(r.code).toBe(3)
  })
})
