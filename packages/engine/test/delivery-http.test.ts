/**
 * webhook:URL and slack:URL against a loopback HTTP receiver; the Delivery stage's severity filter and the
 * undelivered outbox across two runs.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Finding } from '../src/index.js'
import { Delivery } from '../src/emit/delivery/delivery.js'
import { displayDestination } from '../src/emit/delivery/destination.js'
import { emptyOutbox, parseOutbox } from '../src/emit/delivery/outbox.js'
import { digest, SlackSink, DIGEST_LINKS } from '../src/emit/delivery/slack.js'
import { WebhookSink } from '../src/emit/delivery/webhook.js'
import { startReceiver, type LoopbackServer } from './support/loopback-http.js'
import { sampleFindings } from './support/sample-findings.js'
import { deliverAll, FAST, nothingDropped } from './support/delivery-run.js'

let findings: Finding[]
let server: LoopbackServer | undefined

beforeAll(async () => {
  findings = await sampleFindings()
})
afterEach(async () => {
  await server?.stop()
  server = undefined
})

describe('webhook:URL', () => {
  it('POSTs each finding as JSON with Idempotency-Key = the finding id', async () => {
    server = await startReceiver()
    const { report, failures } = await deliverAll(new WebhookSink(`${server.url}/hook`), findings)
    nothingDropped(report, findings, failures)
    expect(failures).toEqual([])
    expect(server.requests.length).toBe(findings.length)
    for (const r of server.requests) {
      expect(r.method).toBe('POST')
      expect(r.path).toBe('/hook')
      expect(r.headers['content-type']).toBe('application/json')
      const f = JSON.parse(r.body) as Finding
      expect(r.headers['idempotency-key']).toBe(f.id)
    }
    expect(server.requests.map((r) => (JSON.parse(r.body) as Finding).id).sort()).toEqual(findings.map((f) => f.id).sort())
  })

  it('retries 503 and 429 (Retry-After) with the same Idempotency-Key, and reports a 4xx at once', async () => {
    const refused = findings[3]!.id
    const tries = new Map<string, number>()
    server = await startReceiver((_, req) => {
      const id = String(req.headers['idempotency-key'])
      const n = tries.get(id) ?? 0
      tries.set(id, n + 1)
      if (id === refused) return { status: 400, body: 'bad finding' }
      if (id === findings[0]!.id && n === 0) return { status: 503 }
      if (id === findings[1]!.id && n === 0) return { status: 429, headers: { 'retry-after': '0' } }
      return undefined
    })
    const { report, failures } = await deliverAll(new WebhookSink(server.url), findings)
    nothingDropped(report, findings, failures)
    expect(failures).toEqual([
      { findingId: refused, ruleId: findings[3]!.ruleId, code: 'HTTP 400', message: `${server.url} answered 400: bad finding` },
    ])
    expect(tries.get(refused)).toBe(1)
    expect(tries.get(findings[0]!.id)).toBe(2)
    expect(tries.get(findings[1]!.id)).toBe(2)
    expect(report.summary.destinations[0]).toMatchObject({ sent: findings.length - 1, failed: 1, retries: 2 })
  })

  it('fails every finding, none lost, when nothing listens', async () => {
    const gone = await startReceiver()
    const url = gone.url
    await gone.stop()
    const list = findings.slice(0, 3)
    const { report, failures } = await deliverAll(new WebhookSink(url), list)
    nothingDropped(report, list, failures)
    expect(failures.map((f) => f.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED'])
    expect(failures[0]!.message).toMatch(/still failing after 4 attempts/)
  })
})

describe('slack:URL', () => {
  it('sends one digest per run: counts, and links to the worst findings first', async () => {
    server = await startReceiver()
    const { report, failures } = await deliverAll(new SlackSink(server.url), findings)
    nothingDropped(report, findings, failures)
    expect(server.requests.length).toBe(1)
    const { text } = JSON.parse(server.requests[0]!.body) as { text: string }
    const lines = text.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^\\*Trailscan\\*: ${findings.length} findings \\(`))
    const links = lines.filter((l) => l.startsWith('• '))
    expect(links.length).toBe(Math.min(DIGEST_LINKS, findings.length))
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']
    const ranks = links.map((l) => order.indexOf(/\*([A-Z]+)\*/.exec(l)![1]!))
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
    expect(links[0]).toMatch(/<https:\/\/console\.aws\.amazon\.com\/cloudtrailv2\/home\?region=[a-z0-9-]+#\/events\/[^|>]+\|/)
    if (findings.length > DIGEST_LINKS) expect(lines.at(-1)).toBe(`…and ${findings.length - DIGEST_LINKS} more`)
  })

  it('cannot be made to ping a channel or forge lines by record text', () => {
    const f: Finding = {
      ...findings[0]!,
      severity: 'critical',
      title: 'x <!channel> <https://evil|click>\n• *CRITICAL* forged',
      eventId: 'a>b|c',
    }
    const { text } = digest([f])
    expect(text).not.toContain('<!channel>')
    expect(text).toContain('&lt;!channel&gt;')
    expect(text.split('\n').length).toBe(2)
    expect(text).toContain('#/events/a%3Eb%7Cc|')
  })

  it('puts every finding of the digest in the outbox when Slack refuses it', async () => {
    server = await startReceiver(() => ({ status: 404, body: 'no_service' }))
    const { report, failures } = await deliverAll(new SlackSink(server.url), findings)
    nothingDropped(report, findings, failures)
    expect(failures.length).toBe(findings.length)
    expect(failures[0]!.message).toBe(`the digest was not accepted: ${server.url} answered 404: no_service`)
  })
})

describe('Delivery and the outbox', () => {
  it('sends each destination only findings at or above its --to-min-severity', async () => {
    server = await startReceiver()
    const all = new WebhookSink(`${server.url}/all`)
    const high = new WebhookSink(`${server.url}/high`, 'high')
    const d = new Delivery([all, high], { retry: FAST })
    for (const f of findings) d.offer(f)
    const report = await d.finish()
    const highOnes = findings.filter((f) => f.severity === 'high' || f.severity === 'critical')
    expect(highOnes.length).toBeGreaterThan(0)
    expect(highOnes.length).toBeLessThan(findings.length)
    expect(server.requests.filter((r) => r.path === '/all').length).toBe(findings.length)
    expect(server.requests.filter((r) => r.path === '/high').map((r) => r.headers['idempotency-key'])).toEqual(
      expect.arrayContaining(highOnes.map((f) => f.id)),
    )
    expect(server.requests.filter((r) => r.path === '/high').length).toBe(highOnes.length)
    expect(report.summary.destinations.map((r) => [r.destination, r.sent, r.minSeverity])).toEqual([
      [`webhook:${server.url}/…`, findings.length, undefined],
      [`webhook:${server.url}/…`, highOnes.length, 'high'],
    ])
  })

  it('retries the outbox on the next run, sends a finding found again once, and keeps what another destination waits for', async () => {
    let down = true
    server = await startReceiver(() => (down ? { status: 503 } : undefined))
    const url = `${server.url}/hook`
    const first = new Delivery([new WebhookSink(url)], { retry: FAST })
    for (const f of findings.slice(0, 5)) first.offer(f)
    const r1 = await first.finish()
    expect(r1.summary).toMatchObject({ undelivered: 5, destinations: [{ sent: 0, failed: 5 }] })

    // The outbox is what a state file keeps: it must survive JSON.
    const pending = parseOutbox(
      JSON.parse(
        JSON.stringify({
          ...r1.outbox,
          entries: [...r1.outbox.entries, { destination: 'slack:https://hooks.slack.com/x', findings: [findings[9]!] }],
        }),
      ),
      'state',
    )
    down = false
    server.requests.length = 0
    const second = new Delivery([new WebhookSink(url)], { retry: FAST, pending })
    // findings[4] is found again by this run: one POST only.
    for (const f of findings.slice(4, 8)) second.offer(f)
    const r2 = await second.finish()
    const sentIds = server.requests.map((r) => r.headers['idempotency-key'])
    expect(sentIds.sort()).toEqual(
      findings
        .slice(0, 8)
        .map((f) => f.id)
        .sort(),
    )
    expect(r2.summary.destinations[0]).toMatchObject({ sent: 8, failed: 0, fromOutbox: 5 })
    expect(r2.summary.waiting).toEqual([{ destination: 'slack:https://hooks.slack.com/…', findings: 1 }])
    expect(r2.outbox).toEqual({ version: 1, entries: [{ destination: 'slack:https://hooks.slack.com/x', findings: [findings[9]] }] })
    expect(r2.summary.undelivered).toBe(1)
  })

  it("shows a webhook's or Slack's URL by its host only: the path and query hold the secret", () => {
    expect(displayDestination('slack:https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe('slack:https://hooks.slack.com/…')
    expect(displayDestination('webhook:https://user:pw@example.com:8443/in?token=abc')).toBe('webhook:https://example.com:8443/…')
    expect(displayDestination('webhook:https://example.com/')).toBe('webhook:https://example.com/')
    expect(displayDestination('sns:arn:aws:sns:us-east-1:111122223333:t')).toBe('sns:arn:aws:sns:us-east-1:111122223333:t')
  })

  it('refuses a damaged outbox with the reason', () => {
    expect(() => parseOutbox({ version: 2, entries: [] }, 'state.json')).toThrow(/state.json: not a version 1 outbox/)
    expect(() => parseOutbox({ version: 1, entries: [{ destination: 'securityhub', findings: [{ id: 1 }] }] }, 'state.json')).toThrow(
      /entry 0 \(securityhub\), finding 0 is not a finding/,
    )
    expect(parseOutbox(emptyOutbox(), 'x')).toEqual({ version: 1, entries: [] })
  })

  it('stops retrying when the run is stopped, and keeps what was not sent', async () => {
    server = await startReceiver(() => ({ status: 503 }))
    const stop = new AbortController()
    const d = new Delivery([new WebhookSink(server.url)], {
      retry: { ...FAST, attempts: 100, baseDelayMs: 50, maxDelayMs: 50 },
      signal: stop.signal,
    })
    for (const f of findings.slice(0, 2)) d.offer(f)
    setTimeout(() => stop.abort(), 100)
    const r = await d.finish()
    expect(r.summary.destinations[0]).toMatchObject({ sent: 0, failed: 2 })
    expect(r.outbox.entries[0]!.findings.length).toBe(2)
    expect(server.requests.length).toBeLessThan(20)
  })
})
