import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, jsonLines, runCli, runProcess } from './run-cli.js'

/**
 * `--output FORMAT=PATH`: several formats in one run, each through its own output target, `-` for stdout; bad
 * values refused before anything is read. The mappings themselves are tested in the engine (test/formats/).
 */

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const publicS3 = join(repo, 'fixtures/public-s3')
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-formats-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const csvRows = (text: string): string[] => text.split('\r\n').filter((l) => l !== '')

describe('--output FORMAT=PATH', () => {
  it('writes every format in one run, the same findings in each, JSON Lines on stdout', async () => {
    const [ocsf, asff, csv, table] = ['f.ocsf.jsonl', 'f.asff.jsonl', 'f.csv', 'f.table.txt'].map((f) => join(dir, f))
    const r = await runCli([
      'scan',
      publicS3,
      '--output',
      `ocsf=${ocsf!}`,
      '--output',
      `asff=${asff!}`,
      '--output',
      `csv=${csv!}`,
      '--output',
      `table=${table!}`,
      '--output',
      'jsonl=-',
      '--log-level',
      'silent',
    ])
    expect(r.code).toBe(0)
    const ids = jsonLines(r.stdout).map((f) => f.id as string)
    expect(ids).toHaveLength(99)
    const ocsfRecords = jsonLines(await readFile(ocsf!, 'utf8')) as { class_uid: number; finding_info: { uid: string } }[]
    expect(ocsfRecords.map((o) => o.finding_info.uid)).toEqual(ids)
    expect(new Set(ocsfRecords.map((o) => o.class_uid))).toEqual(new Set([2004]))
    const asffRecords = jsonLines(await readFile(asff!, 'utf8')) as { Id: string; SchemaVersion: string }[]
    expect(asffRecords.map((a) => a.Id)).toEqual(ids)
    const rows = csvRows(await readFile(csv!, 'utf8'))
    expect(rows[0]).toMatch(/^id,eventTime,severity,ruleId,/)
    expect(rows.slice(1).map((l) => l.split(',')[0])).toEqual(ids)
    expect(await readFile(table!, 'utf8')).toMatch(/^TIME +SEVERITY +RULE/)
  })

  it('takes the paths after --output as paths, one output per --output', async () => {
    const csv = join(dir, 'before-path.csv')
    const r = await runCli(['scan', '--output', `csv=${csv}`, publicS3, '--log-level', 'silent'])
    expect(r.code).toBe(0)
    expect(csvRows(await readFile(csv, 'utf8'))).toHaveLength(100)
  })

  it('with --output only, writes nothing to stdout; --format and --out still add their output', async () => {
    const csv = join(dir, 'only.csv')
    const only = await runCli(['scan', publicS3, '--output', `csv=${csv}`, '--log-level', 'silent'])
    expect(only.code).toBe(0)
    expect(only.stdout).toBe('')
    expect(csvRows(await readFile(csv, 'utf8'))).toHaveLength(100)
    const both = await runCli(['scan', publicS3, '--format', 'table', '--output', `csv=${csv}`, '--log-level', 'silent'])
    expect(both.code).toBe(0)
    expect(both.stdout).toMatch(/^TIME +SEVERITY +RULE/)
    const out = join(dir, 'out.jsonl')
    const legacy = await runCli(['scan', publicS3, '--out', out, '--output', 'ocsf=-', '--log-level', 'silent'])
    expect(legacy.code).toBe(0)
    expect(jsonLines(legacy.stdout)).toHaveLength(99)
    expect(jsonLines(await readFile(out, 'utf8'))).toHaveLength(99)
  })

  it.each([
    [['--output', 'xml=out.xml'], /--output xml=out.xml: unknown format "xml" \(one of jsonl, table, ocsf, asff, csv\)/],
    [['--output', 'csv'], /--output "csv": expected FORMAT=PATH/],
    [['--output', '=x.csv'], /expected FORMAT=PATH/],
    [['--output', 'csv='], /expected FORMAT=PATH/],
    [['--output', 'csv=-', '--output', 'ocsf=-'], /only one output can go to stdout, and csv=- and ocsf=- both would/],
    [['--output', 'csv=-'], /only one output can go to stdout, and jsonl=- and csv=- both would/, ['--format', 'jsonl']],
    [['--output', 'csv=same.txt', '--output', 'ocsf=same.txt'], /--output csv=same.txt and --output ocsf=same.txt name the same file/],
    [['--output', 'csv=same.txt', '--summary-json', 'same.txt'], /--output csv=same.txt and --summary-json name the same file/],
    [['--out', 'same.txt', '--output', 'asff=same.txt'], /--out and --output asff=same.txt name the same file/],
    [['--output', 'csv=no/such/dir/f.csv'], /--output csv no\/such\/dir\/f.csv: cannot be written/],
  ])('%j is a usage error before anything is read (exit 2)', async (args, message, extra: string[] = []) => {
    // A path that does not exist: had the scan started, it would have said so (and exited otherwise).
    const r = await runCli(['scan', join(dir, 'does-not-exist'), ...extra, ...args], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/does-not-exist|Summary/)
    expect(r.stdout).toBe('')
  })

  it('--plan (a shard scan, its JSON Lines for merge) refuses --output', async () => {
    const r = await runCli(['scan', '--plan', join(dir, 'plan.json'), '--shard', '0', '--out-dir', dir, '--output', 'csv=-'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--output cannot be given with --plan/)
  })

  it('a failed write on one output is an error naming it, exit 4; the other outputs are complete', async () => {
    const ocsf = join(dir, 'beside-full.ocsf')
    const summary = join(dir, 'full.summary.json')
    const r = await runCli([
      'scan',
      publicS3,
      '--output',
      'csv=/dev/full',
      '--output',
      `ocsf=${ocsf}`,
      '--summary-json',
      summary,
      '--log-level',
      'silent',
    ])
    expect(r.code).toBe(4)
    const doc = JSON.parse(await readFile(summary, 'utf8')) as { errors: { code: string; message: string }[] }
    expect(doc.errors).toEqual([
      {
        code: 'TRAILSCAN_OUTPUT_WRITE',
        message: expect.stringMatching(/^findings could not be written to --output csv \/dev\/full: .*ENOSPC/) as unknown,
      },
    ])
    // The scan stopped at the failure; what reached the other output is whole lines only.
    const text = await readFile(ocsf, 'utf8')
    expect(text === '' || text.endsWith('\n')).toBe(true)
    jsonLines(text)
  })

  it('the reader leaving stdout (| head -1) does not stop the outputs still being written', async () => {
    const ocsf = join(dir, 'after-head.ocsf')
    const r = await runProcess(
      'bash',
      [
        '-c',
        '"$NODE" "$BIN" scan "$LOGS" --output csv=- --output "ocsf=$OCSF" --log-level silent | head -1; echo "rc=${PIPESTATUS[0]}" >&2',
      ],
      { env: { BIN, NODE: process.execPath, LOGS: publicS3, OCSF: ocsf } },
    )
    expect(r.stdout).toMatch(/^id,eventTime,/)
    expect(r.stderr).toMatch(/rc=0\n$/)
    expect(jsonLines(await readFile(ocsf, 'utf8'))).toHaveLength(99)
  })

  it('a finding ASFF cannot hold (no account, no region) is reported and counted, exit 4, never dropped silently', async () => {
    const record = {
      eventVersion: '1.08',
      userIdentity: { type: 'Root', arn: 'arn:aws:iam::root' },
      eventTime: '2024-03-05T10:01:00Z',
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      eventID: 'no-account-1',
      responseElements: { ConsoleLogin: 'Success' },
    }
    const file = join(dir, 'no-account.json')
    await writeFile(file, JSON.stringify({ Records: [record] }))
    const asff = join(dir, 'no-account.asff')
    const summary = join(dir, 'no-account.summary.json')
    const r = await runCli([
      'scan',
      file,
      '--rules',
      'cis-aws-foundations',
      '--output',
      `asff=${asff}`,
      '--output',
      'jsonl=-',
      '--summary-json',
      summary,
    ])
    expect(jsonLines(r.stdout).length).toBeGreaterThan(0)
    expect(r.code).toBe(4)
    const doc = JSON.parse(await readFile(summary, 'utf8')) as { errors: { code: string; message: string }[] }
    expect(doc.errors).toEqual([
      {
        code: 'TRAILSCAN_OUTPUT_WRITE',
        message: expect.stringMatching(
          /^\d+ findings? could not be written to --output asff .*: finding [0-9a-f]{32} cannot be written as ASFF: it names no 12-digit AWS account id$/,
        ) as unknown,
      },
    ])
    expect(await readFile(asff, 'utf8')).toBe('')
  })

  it('CSV on stdout is inert on a terminal: control characters written out, one row per line', async () => {
    const record = {
      eventVersion: '1.08',
      userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
      eventTime: '2024-03-05T10:01:00Z',
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      awsRegion: 'us-east-1',
      recipientAccountId: '111122223333',
      sourceIPAddress: '198.51.100.7',
      userAgent: '=cmd|calc\x1b]0;PWNED\x07\r\nforged,row\u202e',
      eventID: 'hostile-csv-1',
      responseElements: { ConsoleLogin: 'Success' },
    }
    const file = join(dir, 'hostile.json')
    await writeFile(file, JSON.stringify({ Records: [record] }))
    const r = await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--output', 'csv=-', '--log-level', 'silent'])
    expect(r.code).toBe(0)
    const rows = csvRows(r.stdout)
    expect(rows).toHaveLength(2)
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\u202e]/)
    expect(rows[1]).toContain(`"'=cmd|calc\\x1b]0;PWNED\\x07\\r\\nforged,row\\u202e"`)
  })

  it('CSV of the public-s3 fixture, byte for byte (golden)', async () => {
    const r = await runCli(['scan', 'fixtures/public-s3', '--output', 'csv=-', '--log-level', 'silent'], { cwd: repo })
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain(repo)
    await expect(r.stdout).toMatchFileSnapshot('golden/public-s3.csv.txt')
  })
})
