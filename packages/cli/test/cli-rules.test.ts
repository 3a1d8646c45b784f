import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './run-cli.js'

const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'trailscan-rules-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const userRule = `id: my-stop-logging
title: CloudTrail logging stopped
severity: high
language: cwl-filter
pattern: '{ $.eventSource = cloudtrail.amazonaws.com && $.eventName = StopLogging }'
examples:
  match:
    - { eventSource: cloudtrail.amazonaws.com, eventName: StopLogging, eventID: a }
  noMatch:
    - { eventSource: cloudtrail.amazonaws.com, eventName: StartLogging, eventID: b }
`

describe('trailscan rules', () => {
  it('lists every shipped pack and rule with severity, language and references', async () => {
    const r = await runCli(['rules', 'list'])
    expect(r.code).toBe(0)
    for (const pack of ['cis-aws-foundations', 'public-s3', 's3-policy-changes', 's3-hardening']) expect(r.stdout).toContain(pack)
    expect(r.stdout).toMatch(/cis-4\.8\s+S3 bucket policy changes\s+medium\s+cwl-filter\s+CIS v1\.2\.0 3\.8/)
    expect(r.stdout).toMatch(/s3-policy-change\s+.*eventbridge/)
  })

  it('shows one rule in full, with the response steps that travel with it', async () => {
    const r = await runCli(['rules', 'show', 'public-s3-acl-console'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/guidance:/)
    expect(r.stdout).toMatch(/Block Public Access/)
    expect(r.stdout).toMatch(/access logs/i)
  })

  it('runs the embedded examples of the shipped packs and of a user rule directory', async () => {
    const shipped = await runCli(['rules', 'test'])
    expect(shipped.code).toBe(0)
    expect(shipped.stdout).toMatch(/^60 rules passed, 0 failed$/m)
    const dir = join(tmp, 'ok')
    rmSync(dir, { recursive: true, force: true })
    cpSync(join(fixtures, '..', 'packages/rules/rules/s3-hardening'), dir, { recursive: true })
    writeFileSync(join(dir, 'my-stop-logging.yaml'), userRule)
    const mine = await runCli(['rules', 'test', dir])
    expect(mine.stdout).toMatch(/PASS\s+my-stop-logging\s+1\/1\s+1\/1/)
  })

  it("passes the README's example rules, one per language", async () => {
    const r = await runCli(['rules', 'test', join(fixtures, '..', 'examples/my-rules')])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^3 rules passed, 0 failed$/m)
    for (const lang of ['cwl', 'eventbridge', 'typed']) expect(r.stdout).toMatch(new RegExp(`PASS\\s+my-stop-logging-${lang}`))
  })

  it('fails a rule whose examples disagree with its pattern, naming the example', async () => {
    const dir = join(tmp, 'wrong')
    rmSync(dir, { recursive: true, force: true })
    cpSync(join(fixtures, '..', 'packages/rules/rules/s3-hardening'), dir, { recursive: true, filter: () => true })
    writeFileSync(join(dir, 'my-stop-logging.yaml'), userRule.replace('eventName: StartLogging', 'eventName: StopLogging'))
    const r = await runCli(['rules', 'test', join(dir, 'my-stop-logging.yaml')])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/FAIL\s+my-stop-logging.*fired on noMatch\[0\]/)
  })

  it('checks rule files without running them: pattern syntax with line and column, unknown fields, duplicates, examples', async () => {
    const dir = join(tmp, 'bad')
    rmSync(dir, { recursive: true, force: true })
    cpSync(join(fixtures, '..', 'packages/rules/rules/s3-hardening'), dir, { recursive: true })
    writeFileSync(join(dir, 'a.yaml'), userRule.replace('$.eventName = StopLogging', '$.eventName = '))
    writeFileSync(join(dir, 'b.yaml'), userRule.replace('severity: high', 'severity: high\nowner: me').replace('my-stop-logging', 'b-rule'))
    writeFileSync(
      join(dir, 'c.yaml'),
      userRule.replace(/examples:[\s\S]*/, 'examples: { match: [], noMatch: [] }\n').replace('my-stop-logging', 'c-rule'),
    )
    writeFileSync(join(dir, 'd.yaml'), userRule)
    writeFileSync(join(dir, 'e.yaml'), 'id: e-rule\ntitle: [unclosed\n')
    const r = await runCli(['rules', 'check', dir])
    expect(r.stdout).toMatch(/e\.yaml:3:1: error: YAML: /)
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/a\.yaml:5:\d+: error: .*my-stop-logging/)
    expect(r.stdout).toMatch(/b\.yaml: error: .*owner: unknown field/)
    expect(r.stdout).toMatch(/c\.yaml: error: .*examples\.match: must be a non-empty list/)
    expect(r.stdout).toMatch(/duplicate rule id my-stop-logging/)
    const clean = await runCli(['rules', 'check'])
    expect(clean.code).toBe(0)
  })

  it('loads user rules next to the shipped packs with --rules', async () => {
    const dir = join(tmp, 'mine')
    rmSync(dir, { recursive: true, force: true })
    cpSync(join(fixtures, '..', 'packages/rules/rules/s3-hardening'), dir, {
      recursive: true,
      filter: (p) => !p.endsWith('.yaml') || p.endsWith('pack.yaml'),
    })
    writeFileSync(join(dir, 'my-stop-logging.yaml'), userRule)
    const r = await runCli([
      'scan',
      join(fixtures, 'cis-controls'),
      '--rules',
      'cis-aws-foundations',
      '--rules',
      join(dir, 'my-stop-logging.yaml'),
    ])
    const ids = new Set(jsonLines(r.stdout).map((f) => f.ruleId))
    expect(ids.has('my-stop-logging')).toBe(true)
    expect(ids.has('cis-4.5')).toBe(true)
  })
})

describe('Sigma rules', () => {
  const sigmaRule = (id: string, detection: string, logsource = '  product: aws\n  service: cloudtrail'): string =>
    `title: ${id}\nid: ${id}\nlogsource:\n${logsource}\ndetection:\n${detection}\nlevel: high\n`
  const dirOf = (name: string, files: Record<string, string>): string => {
    const dir = join(tmp, name)
    rmSync(dir, { recursive: true, force: true })
    cpSync(join(fixtures, '..', 'examples/sigma'), dir, { recursive: true })
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text)
    return dir
  }
  const windows = sigmaRule(
    'win',
    "  selection:\n    Image|endswith: '\\\\cmd.exe'\n  condition: selection",
    '  product: windows\n  category: process_creation',
  )
  const aggregation = sigmaRule('agg', '  selection:\n    eventName: GetSecretValue\n  condition: selection | count() > 10')
  const undefinedId = sigmaRule('undef', '  selection:\n    eventName: A\n  condition: selection and filter')

  it('rules check counts rules for another logsource and passes on them', async () => {
    const r = await runCli(['rules', 'check', dirOf('sigma-win', { 'win.yml': windows })])
    expect(r.stdout).toMatch(/win\.yml: warning: .*product: windows/)
    expect(r.stdout).toMatch(/^6 rules compiled, 0 errors, 0 warnings, 1 skipped \(1 for another logsource\)$/m)
    expect(r.code).toBe(0)
  })

  it('rules check exits 2 on an unsupported rule unless --allow-unsupported, and always on an invalid one', async () => {
    const dir = dirOf('sigma-agg', { 'agg.yml': aggregation })
    const r = await runCli(['rules', 'check', dir])
    expect(r.stdout).toMatch(/agg\.yml:9:24: warning: .*aggregations/)
    expect(r.stdout).toMatch(/1 skipped \(1 unsupported\)/)
    expect(r.code).toBe(2)
    expect((await runCli(['rules', 'check', dir, '--allow-unsupported'])).code).toBe(0)
    const invalid = await runCli(['rules', 'check', dirOf('sigma-undef', { 'undef.yml': undefinedId }), '--allow-unsupported'])
    expect(invalid.stdout).toMatch(/undef\.yml:9:\d+: warning: .*'filter' is not a search identifier/)
    expect(invalid.code).toBe(2)
  })

  it('a scan runs the Sigma rules that compile, names the ones skipped and counts them in the summary', async () => {
    const dir = dirOf('sigma-scan', { 'win.yml': windows, 'agg.yml': aggregation })
    const summary = join(tmp, 'sigma-summary.json')
    const r = await runCli(['scan', join(fixtures, 'cis-controls'), '--rules', dir, '--summary-json', summary])
    expect(r.code).toBe(0)
    const ids = new Set(jsonLines(r.stdout).map((f) => f.ruleId))
    expect(ids.has('5f1c0c2e-7a41-4d35-9d0e-3b8a6c2f4e01')).toBe(true)
    expect(r.stderr).toMatch(/agg\.yml:9:24: warning: .*aggregations/)
    expect(r.stderr).not.toMatch(/win\.yml/)
    expect(r.stderr).toMatch(/rules {5}2 skipped \(1 for another logsource, 1 unsupported; listed by rules check\)/)
    const s = JSON.parse(readFileSync(summary, 'utf8')) as { rulesSkipped: { total: number; byReason: Record<string, number> } }
    expect(s.rulesSkipped).toMatchObject({ total: 2, byReason: { logsource: 1, unsupported: 1 } })
  })
})

describe('trailscan validate', () => {
  it('validates every fixture dataset clean and exits 0', async () => {
    const r = await runCli(['validate'], { cwd: join(fixtures, '..') })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/All datasets validate clean/)
  })

  it('fails on a wrong expectation and names the event behind each miss', async () => {
    const dir = join(tmp, 'dataset')
    rmSync(dir, { recursive: true, force: true })
    cpSync(join(fixtures, 'cis-org-trail'), dir, { recursive: true })
    const lines = readFileSync(join(dir, 'expected-findings.jsonl'), 'utf8').trim().split('\n')
    const dropped = JSON.parse(lines[0]!) as { ruleId: string; eventId: string }
    writeFileSync(join(dir, 'expected-findings.jsonl'), [...lines.slice(1), '{"ruleId":"cis-4.7","eventId":"no-such-event"}'].join('\n'))
    const r = await runCli(['validate', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`unexpected ${dropped.eventId}`)
    expect(r.stdout).toMatch(/cis-4\.7\s+0\s+0\s+1\s+missed no-such-event/)
  })

  it('reports coverage: rules that never fired and event pairs no rule looks at', async () => {
    const r = await runCli(['validate', join(fixtures, 'cis-org-trail'), '--coverage', '--format', 'json'])
    const out = JSON.parse(r.stdout) as { coverage: { neverFired: string[]; unwatched: { eventSource: string; eventName: string }[] } }
    expect(out.coverage.neverFired).toContain('public-s3-policy')
    expect(out.coverage.neverFired).not.toContain('cis-4.3')
    expect(out.coverage.unwatched.length).toBeGreaterThan(0)
    expect(out.coverage.unwatched.every((p) => p.eventName !== 'StopLogging')).toBe(true)
  })

  it('reports, per attack technique of expected-techniques.jsonl, the rules that fired on its records', async () => {
    const json = await runCli(['validate', join(fixtures, 'stratus'), '--coverage', '--format', 'json'])
    expect(json.code).toBe(0)
    const out = JSON.parse(json.stdout) as { datasets: { techniques: { technique: string; rules: string[] }[] }[] }
    const techniques = out.datasets[0]!.techniques
    expect(techniques).toHaveLength(35)
    expect(techniques.find((t) => t.technique === 'aws.persistence.iam-create-backdoor-role')?.rules).toEqual([
      'atd-iam-admin-policy-attached',
      'atd-iam-role-trust-external',
      'cis-4.4',
    ])
    expect(techniques.filter((t) => t.rules.length === 0).map((t) => t.technique)).toEqual([
      'aws.credential-access.secretsmanager-retrieve-secrets',
    ])
    const table = await runCli(['validate', join(fixtures, 'stratus'), '--coverage'])
    expect(table.stdout).toMatch(/Techniques covered: 34 of 35/)
    expect(table.stdout).toMatch(/aws\.credential-access\.secretsmanager-retrieve-secrets +NOT COVERED/)
    // Without --coverage, the technique view stays out of the way.
    expect((await runCli(['validate', join(fixtures, 'stratus')])).stdout).not.toMatch(/Techniques covered/)
  })
})

describe('suppressions', () => {
  it('counts suppressed findings, shows them on request, and warns about expired entries', async () => {
    const file = join(tmp, 'suppressions.yaml')
    writeFileSync(
      file,
      `suppressions:
  - rule: public-s3-*
    principal: "arn:aws:sts::111122223333:assumed-role/Admin/*"
    reason: console changes by the platform team are reviewed weekly
    expires: 2099-01-01
  - rule: cis-4.1
    reason: an old exception
    expires: 2020-01-01
`,
    )
    const plain = await runCli(['scan', join(fixtures, 'public-s3'), '--rules', 'public-s3'])
    const r = await runCli(['scan', join(fixtures, 'public-s3'), '--rules', 'public-s3', '--suppressions', file])
    const shown = await runCli(['scan', join(fixtures, 'public-s3'), '--rules', 'public-s3', '--suppressions', file, '--show-suppressed'])
    const all = jsonLines(plain.stdout).length
    const kept = jsonLines(r.stdout)
    const suppressed = jsonLines(shown.stdout).filter((f) => f.suppressed)
    expect(suppressed.length).toBeGreaterThan(0)
    expect(kept.length + suppressed.length).toBe(all)
    expect(kept.every((f) => !String((f.actor as { arn: string }).arn).startsWith('arn:aws:sts::111122223333:assumed-role/Admin/'))).toBe(
      true,
    )
    expect(suppressed[0]!.suppressed).toEqual({ reason: 'console changes by the platform team are reviewed weekly', expires: '2099-01-01' })
    expect(r.stderr).toMatch(new RegExp(`findings\\s+${kept.length}, ${suppressed.length} suppressed`))
    expect(r.stderr).toMatch(/suppression 2 expired on 2020-01-01/)
  })
})

describe('offline twins of the AWS CLI', () => {
  it('test-metric-filter prints matches with eventNumber, eventMessage and extractedValues', async () => {
    const msgs = join(tmp, 'messages.txt')
    writeFileSync(
      msgs,
      '{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"}}\n{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"Yes"}}\n',
    )
    const r = await runCli([
      'test-metric-filter',
      '--filter-pattern',
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
      '--log-event-messages',
      `file://${msgs}`,
    ])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { matches: { eventNumber: number; eventMessage: string; extractedValues: unknown }[] }
    expect(out.matches).toHaveLength(1)
    expect(out.matches[0]).toMatchObject({
      eventNumber: 1,
      eventMessage: '{"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"}}',
    })
  })

  it('test-metric-filter rejects an invalid pattern with exit 2 and the reason', async () => {
    const r = await runCli(['test-metric-filter', '--filter-pattern', '{ $.eventName = ', '--log-event-messages', 'x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/trailscan: .+/)
  })

  it('test-event-pattern prints {"Result": true|false} and reads file:// arguments', async () => {
    const pattern = join(tmp, 'pattern.json')
    writeFileSync(pattern, JSON.stringify({ source: ['aws.s3'], detail: { eventName: [{ prefix: 'PutBucket' }] } }))
    const event = (name: string) =>
      JSON.stringify({
        id: '1',
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.s3',
        account: '111122223333',
        time: '2024-01-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: { eventName: name },
      })
    const yes = await runCli(['test-event-pattern', '--event-pattern', `file://${pattern}`, '--event', event('PutBucketAcl')])
    const no = await runCli(['test-event-pattern', '--event-pattern', `file://${pattern}`, '--event', event('GetObject')])
    expect(JSON.parse(yes.stdout)).toEqual({ Result: true })
    expect(JSON.parse(no.stdout)).toEqual({ Result: false })
    const bad = await runCli(['test-event-pattern', '--event-pattern', '{"source":"aws.s3"}', '--event', event('x')])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/Event pattern is not valid/)
  })
})
