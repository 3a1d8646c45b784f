/**
 * `trailscan scan --to …` end to end: the built CLI in a child process, its AWS clients pointed at the loopback
 * endpoints through the SDK's own endpoint variables (AWS_ENDPOINT_URL_SNS, …), webhook and Slack at a loopback
 * receiver.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  awsTestEnv,
  startEventBridge,
  startSecurityHub,
  startSns,
  type FakeEventBridge,
  type FakeSecurityHub,
  type FakeSns,
} from '../../engine/test/support/aws-endpoints.js'
import { startReceiver, type LoopbackServer } from '../../engine/test/support/loopback-http.js'
import { jsonLines, runCli } from './run-cli.js'

const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trailscan-alerts'
const tmp = mkdtempSync(join(tmpdir(), 'trailscan-delivery-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0)) await s()
})

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<LoopbackServer> {
  const r = await startReceiver(answer)
  stops.push(() => r.stop())
  return r
}

interface Finding {
  id: string
  severity: string
  ruleId: string
}

describe('trailscan scan --to: option errors (exit 2, nothing scanned or sent)', () => {
  it.each([
    [['--to-min-severity', 'high', '--to', 'webhook:URL'], /--to-min-severity high comes before any --to/],
    [
      ['--to', 'webhook:URL', '--to-min-severity', 'extreme'],
      /--to-min-severity "extreme" is not one of info, low, medium, high, critical/,
    ],
    [
      ['--to', 'webhook:URL', '--to-min-severity', 'high', '--to-min-severity', 'low'],
      /--to-min-severity is given twice after the same --to/,
    ],
    [['--to', 'pagerduty:x'], /unknown destination "pagerduty:x": use securityhub, sns:TOPIC_ARN/],
    [['--to', 'sns:my-topic'], /sns: needs a topic ARN/],
    [['--to', 'eventbridge:arn:aws:sns:us-east-1:111122223333:t'], /eventbridge: needs an event bus name or ARN/],
    [['--to', 'webhook:ftp://example.com/x'], /webhook: needs an http:\/\/ or https:\/\/ URL/],
    [['--to', 'webhook:URL', '--to', 'webhook:URL'], /is given twice/],
    [['--to'], /--to needs a value/],
  ])('%j', async (flags, message) => {
    const r = await receiver()
    const args = flags.map((f) => f.replace('URL', `${r.url}/hook`))
    const res = await runCli(['scan', join(fixtures, 'public-s3'), ...args])
    expect(res.stderr).toMatch(message)
    expect(res.code).toBe(2)
    expect(res.stdout).toBe('')
    expect(r.requests).toEqual([])
  })
})

describe('trailscan scan --to DESTINATION', () => {
  it('delivers to every destination, each with its own --to-min-severity, and says so in the summary', async () => {
    const hub: FakeSecurityHub = await startSecurityHub()
    const sns: FakeSns = await startSns()
    const eb: FakeEventBridge = await startEventBridge()
    stops.push(
      () => hub.stop(),
      () => sns.stop(),
      () => eb.stop(),
    )
    const hook = await receiver()
    const slack = await receiver()
    const summaryPath = join(tmp, 'summary.json')
    const res = await runCli(
      [
        'scan',
        join(fixtures, 'public-s3'),
        '--to',
        'securityhub',
        `--to=sns:${TOPIC}`,
        '--to-min-severity',
        'high',
        '--to',
        'eventbridge:security-findings',
        '--to-min-severity=critical',
        '--to',
        `webhook:${hook.url}/in?token=s3cret`,
        '--to',
        `slack:${slack.url}/services/T0/B0/s3cret`,
        '--summary-json',
        summaryPath,
      ],
      { env: awsTestEnv({ securityhub: hub.url, sns: sns.url, eventbridge: eb.url }) },
    )
    expect(res.code).toBe(0)
    const findings = jsonLines(res.stdout) as unknown as Finding[]
    const atLeast = (s: string[]): string[] =>
      findings
        .filter((f) => s.includes(f.severity))
        .map((f) => f.id)
        .sort()
    expect(findings.length).toBeGreaterThan(10)
    expect([...hub.stored.values()].map((s) => s.finding.Id).sort()).toEqual(atLeast(['info', 'low', 'medium', 'high', 'critical']))
    expect(sns.published.map((m) => (JSON.parse(m.Message) as { findingId: string }).findingId).sort()).toEqual(
      atLeast(['high', 'critical']),
    )
    expect(eb.accepted.map((e) => (JSON.parse(e.Detail) as Finding).id).sort()).toEqual(atLeast(['critical']))
    expect(atLeast(['critical']).length).toBeGreaterThan(0)
    expect(atLeast(['critical']).length).toBeLessThan(atLeast(['high', 'critical']).length)
    expect(hook.requests.map((r) => r.headers['idempotency-key']).sort()).toEqual(atLeast(['info', 'low', 'medium', 'high', 'critical']))
    expect(slack.requests.length).toBe(1)
    for (const e of [hub, sns, eb]) expect(e.violations).toEqual([])

    expect(res.stderr).toMatch(/\n {2}delivery {2}all delivered\n/)
    expect(res.stderr).toContain(`    sns:${TOPIC} (high and above): ${atLeast(['high', 'critical']).length} sent, 0 failed\n`)
    // Webhook and Slack URLs hold their secret: never printed.
    expect(res.stderr).not.toContain('s3cret')
    expect(res.stderr).toContain(`    slack:${slack.url}/…: ${findings.length} sent, 0 failed\n`)
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { delivery: { destinations: { destination: string; sent: number }[] } }
    expect(summary.delivery.destinations.map((d) => [d.destination, d.sent])).toEqual([
      ['securityhub', findings.length],
      [`sns:${TOPIC}`, atLeast(['high', 'critical']).length],
      ['eventbridge:security-findings', atLeast(['critical']).length],
      [`webhook:${hook.url}/…`, findings.length],
      [`slack:${slack.url}/…`, findings.length],
    ])
    expect(readFileSync(summaryPath, 'utf8')).not.toContain('s3cret')
  }, 60_000)

  it('exits 5 when a destination keeps refusing findings, logs each one, and still writes every finding', async () => {
    const hook = await receiver((n) => (n % 2 === 0 ? { status: 422, body: 'rejected' } : undefined))
    const res = await runCli(['scan', join(fixtures, 'public-s3'), '--to', `webhook:${hook.url}/`, '--fail-on', 'low'])
    const findings = jsonLines(res.stdout).filter((f) => f.kind === 'finding')
    expect(res.code).toBe(5)
    const failed = Math.ceil(findings.length / 2)
    expect(res.stderr).toMatch(new RegExp(`webhook:${hook.url}/: ${findings.length - failed} sent, ${failed} failed`))
    expect(res.stderr.match(/not delivered: .* answered 422: rejected/g)?.length).toBe(failed)
    expect(res.stderr).toMatch(new RegExp(`delivery {2}${failed} undelivered \\(kept in the outbox\\)`))
  }, 60_000)

  it('exit 5 takes precedence over read errors (3)', async () => {
    const hook = await receiver(() => ({ status: 400 }))
    const res = await runCli(['scan', join(fixtures, 'malformed'), '--to', `webhook:${hook.url}/`])
    expect(res.stdout).not.toBe('')
    expect(res.stderr).toMatch(/ {2}errors {4}[1-9]/)
    expect(res.code).toBe(5)
  }, 60_000)
})

describe('scan --state --to: delivery is part of the commit', () => {
  /** The current generation of a local state directory. */
  const currentState = (dir: string): { undelivered: { destination: string; findings: Finding[] }[] } => {
    const gen = readdirSync(dir)
      .filter((n) => /^state-\d+\.json$/.test(n))
      .sort()
      .at(-1)!
    return JSON.parse(readFileSync(join(dir, gen), 'utf8')) as { undelivered: { destination: string; findings: Finding[] }[] }
  }

  it('keeps undelivered findings in the state and sends them on the next run, which finds nothing new', async () => {
    const dir = mkdtempSync(join(tmp, 'state-run-'))
    const src = join(dir, 'logs')
    cpSync(join(fixtures, 'public-s3'), src, { recursive: true })
    let up = false
    const hook = await receiver(() => (up ? undefined : { status: 400, body: 'down' }))
    const args = ['scan', src, '--state', join(dir, 'state'), '--out', join(dir, 'findings.jsonl'), '--to', `webhook:${hook.url}/in`]

    const first = await runCli(args)
    expect(first.code).toBe(5)
    const found = jsonLines(readFileSync(join(dir, 'findings.jsonl'), 'utf8')) as unknown as Finding[]
    expect(found.length).toBeGreaterThan(0)
    const kept = currentState(join(dir, 'state')).undelivered
    expect(kept.map((e) => [e.destination, e.findings.map((f) => f.id).sort()])).toEqual([
      [`webhook:${hook.url}/in`, found.map((f) => f.id).sort()],
    ])

    up = true
    hook.requests.length = 0
    const second = await runCli(args)
    expect(second.code).toBe(0)
    // Nothing new was scanned; the outbox alone was sent, each finding once, then emptied in the state.
    expect(second.stderr).toMatch(/ {2}findings {2}0\b/)
    expect(hook.requests.map((r) => r.headers['idempotency-key']).sort()).toEqual(found.map((f) => f.id).sort())
    expect(second.stderr).toContain(`${found.length} sent, 0 failed, ${found.length} from earlier runs`)
    expect(currentState(join(dir, 'state')).undelivered).toEqual([])
  }, 90_000)

  it('refuses a damaged outbox before scanning and leaves the state as it is; a run without --to goes on', async () => {
    const dir = mkdtempSync(join(tmp, 'state-outbox-'))
    const src = join(dir, 'logs')
    cpSync(join(fixtures, 'public-s3'), src, { recursive: true })
    const state = join(dir, 'state')
    expect((await runCli(['scan', src, '--state', state])).code).toBe(0)
    const gen = readdirSync(state)
      .filter((n) => /^state-\d+\.json$/.test(n))
      .sort()
      .at(-1)!
    const doc = JSON.parse(readFileSync(join(state, gen), 'utf8')) as Record<string, unknown>
    doc.undelivered = [{ destination: 5, findings: 'none' }]
    writeFileSync(join(state, gen), JSON.stringify(doc))
    const damaged = readFileSync(join(state, gen))
    const hook = await receiver(() => undefined)

    const r = await runCli(['scan', src, '--state', state, '--to', `webhook:${hook.url}/in`])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('the state was left as it is')
    expect(hook.requests).toEqual([])
    expect(readFileSync(join(state, gen))).toEqual(damaged)
    // A run that does not deliver never reads the outbox, and is not locked out by the refused one.
    const next = await runCli(['scan', src, '--state', state])
    expect(next.code).toBe(0)
  }, 90_000)
})
