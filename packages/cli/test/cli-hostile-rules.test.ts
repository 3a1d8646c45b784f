import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './run-cli.js'

// Hostile records and rule/config files (../shared/reliability/README.md §6, §7, "Smaller ones"), end to end.
let dir: string

const rec = (id: string, extra: Record<string, unknown>): Record<string, unknown> => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/m', accountId: '111122223333' },
  eventTime: '2024-05-14T16:05:37Z',
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.15.0',
  eventID: id,
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
  ...extra,
})

const write = async (name: string, text: string): Promise<string> => {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-hostile-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('hostile input end to end', () => {
  it('writes a finding whose policy nests 5,000 levels deep, cut with a marker, and goes on', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: 'DEEP' }],
    }
    const put = rec('e-1', {
      eventSource: 's3.amazonaws.com',
      eventName: 'PutBucketPolicy',
      requestParameters: { bucketName: 'b', bucketPolicy: policy },
      errorCode: 'MalformedPolicy',
    })
    const text = JSON.stringify({ Records: [put, rec('e-2', {})] }).replace('"DEEP"', `${'['.repeat(5000)}${']'.repeat(5000)}`)
    const file = await write('deep.json', text)
    const r = await runCli(['scan', file, '--rules', 's3-policy-changes', '--rules', 'cis-aws-foundations'])
    expect(r.stderr).not.toMatch(/RangeError|Maximum call stack/)
    expect(r.code).toBe(0)
    const findings = jsonLines(r.stdout)
    expect(findings.map((f) => `${f.ruleId}:${f.eventId}`).sort()).toEqual(['cis-4.5:e-2', 'cis-4.8:e-1', 's3-policy-change:e-1'])
    expect(r.stdout).toContain('[truncated: nested deeper than 32 levels]')
    expect(r.stderr).toMatch(/Summary/)
  })

  it('gives findings of accounts named like Object.prototype members no context', async () => {
    const records = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '111122223333'].map((a, i) =>
      rec(`c-${i}`, { recipientAccountId: a }),
    )
    const file = await write('proto.json', JSON.stringify({ Records: records }))
    const context = await write('context.yaml', 'accounts:\n  "111122223333": { name: prod, environment: production, owner: o }\n')
    const r = await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--context', context])
    expect(r.code).toBe(0)
    const byAccount = Object.fromEntries(jsonLines(r.stdout).map((f) => [String(f.account), f.context]))
    expect(Object.keys(byAccount)).toHaveLength(6)
    for (const a of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) expect(byAccount[a]).toBeNull()
    expect(byAccount['111122223333']).toEqual({ name: 'prod', environment: 'production', owner: 'o' })
  })

  it('rejects a suppression expiring on an impossible date, naming the file and the entry', async () => {
    const file = await write('ok.json', JSON.stringify({ Records: [rec('s-1', {})] }))
    const supp = await write(
      'supp.yaml',
      'suppressions:\n  - { rule: "cis-*", reason: r, expires: 2099-01-31 }\n  - { rule: "cis-*", reason: r, expires: 2099-02-30 }\n',
    )
    const r = await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--suppressions', supp])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--suppressions ${supp}: entry 2: expires "2099-02-30" is not a calendar date`)
  })

  it('rejects a suppressions file that is a YAML alias bomb', { timeout: 30_000 }, async () => {
    const file = await write('ok2.json', JSON.stringify({ Records: [rec('s-2', {})] }))
    const lol = Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`).join('\n')
    const supp = await write(
      'bomb.yaml',
      `a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n${lol}\nsuppressions:\n  - { rule: "x", reason: r, expires: 2099-01-31, userAgent: *a9 }\n`,
    )
    const r = await runCli(['scan', file, '--rules', 'cis-aws-foundations', '--suppressions', supp])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/expands to more than 100,000 nodes through aliases/)
  })

  it('matches * inside a CWL value as AWS answered, in scan and test-metric-filter alike; --wildcard glob on request', async () => {
    const rule = await write(
      'w.yaml',
      `id: infix\ntitle: t\nseverity: low\nlanguage: cwl-filter\npattern: '{ $.sourceIPAddress = "*111.111.111" }'\nexamples:\n  match: [ { sourceIPAddress: 1.111.111.111 } ]\n  noMatch: [ { sourceIPAddress: 10.0.0.1 } ]\n`,
    )
    const file = await write('ip.json', JSON.stringify({ Records: [rec('w-1', { sourceIPAddress: '111.111.111.111' })] }))
    const aws = await runCli(['scan', file, '--rules', rule])
    expect(aws.code).toBe(0)
    expect(jsonLines(aws.stdout)).toEqual([])
    const glob = await runCli(['scan', file, '--rules', rule, '--wildcard', 'glob'])
    expect(jsonLines(glob.stdout).map((f) => f.eventId)).toEqual(['w-1'])
    const msg = '{"s":"111.111.111.111"}'
    const tmf = await runCli(['test-metric-filter', '--filter-pattern', '{ $.s = "*111.111.111" }', '--log-event-messages', msg])
    expect(JSON.parse(tmf.stdout)).toEqual({ matches: [] })
    const ne = await runCli(['test-metric-filter', '--filter-pattern', '{ $.s != 111*111 }', '--log-event-messages', msg])
    expect(JSON.parse(ne.stdout).matches).toHaveLength(1)
    const tmfGlob = await runCli([
      'test-metric-filter',
      '--filter-pattern',
      '{ $.s = "*111.111.111" }',
      '--log-event-messages',
      msg,
      '--wildcard',
      'glob',
    ])
    expect(JSON.parse(tmfGlob.stdout).matches).toHaveLength(1)
  })

  it('runs a rule with a catastrophic regex on a long value and answers', { timeout: 60_000 }, async () => {
    const rule = await write(
      'redos.yaml',
      `id: redos\ntitle: t\nseverity: low\nlanguage: cwl-filter\npattern: '{ $.eventName = "StopLogging" && $.userAgent = %\\w*\\w*\\w*\\w*\\w*x% }'\nexamples:\n  match: [ { eventName: StopLogging, userAgent: ax } ]\n  noMatch: [ { eventName: StopLogging, userAgent: a } ]\n`,
    )
    const file = await write(
      'ua.json',
      JSON.stringify({ Records: [rec('r-1', { userAgent: 'a'.repeat(5000) }), rec('r-2', { userAgent: `${'a'.repeat(5000)}x` })] }),
    )
    const r = await runCli(['scan', file, '--rules', rule])
    expect(r.code).toBe(0)
    expect(jsonLines(r.stdout).map((f) => f.eventId)).toEqual(['r-2'])
  })
})
