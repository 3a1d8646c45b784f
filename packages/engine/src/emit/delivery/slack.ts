import type { Finding } from '../finding.js'
import { SEVERITIES, type Severity } from '../../rules/spec.js'
import { postJson } from './webhook.js'
import { sendWithRetries } from './retry.js'
import { failureOf, type DeliverySink, type SinkContext, type SinkOutcome } from './sink.js'

/** The worst findings a digest links; the rest are counted. */
export const DIGEST_LINKS = 10
/** Characters of one title or resource name in a digest line. */
const FIELD_CHARS = 120

/**
 * Record text is attacker-controlled: in Slack's mrkdwn `<!channel>` pings everyone and `<url|text>` hides a
 * link, so `&`, `<` and `>` are escaped as Slack asks, and control characters (line breaks that would forge a
 * digest line) become spaces.
 */
export function slackText(s: string, max = FIELD_CHARS): string {
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
  return cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** The event in the CloudTrail console's event history (the recipient account's, in the event's region). */
export function consoleLink(f: Finding): string | undefined {
  if (!f.eventId || !f.region) return undefined
  const region = encodeURIComponent(f.region)
  return `https://console.aws.amazon.com/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(f.eventId)}`
}

/** Worst first: severity, then the latest event. */
export function worstFirst(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || (b.eventTime ?? '').localeCompare(a.eventTime ?? ''),
  )
}

/** The digest: counts by severity, then one line per worst finding with its link. */
export function digest(findings: readonly Finding[]): { text: string } {
  const counts = SEVERITIES.slice()
    .reverse()
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
  const lines = worstFirst(findings)
    .slice(0, DIGEST_LINKS)
    .map((f) => {
      const link = consoleLink(f)
      const title = slackText(f.title)
      const where = [f.account, f.region, f.resource.name ?? f.resource.arn, f.eventTime]
        .filter((x): x is string => !!x)
        .map((x) => slackText(x))
      return `• *${f.severity.toUpperCase()}* ${link ? `<${link}|${title}>` : title} (${slackText(f.ruleId)})${where.length ? ` — ${where.join(', ')}` : ''}`
    })
  const more = findings.length - lines.length
  const head = `*Trailscan*: ${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts.join(', ')})`
  return { text: [head, ...lines, ...(more > 0 ? [`…and ${more} more`] : [])].join('\n') }
}

/** `slack:URL` (an incoming webhook): one digest message per run, linking the worst findings. */
export class SlackSink implements DeliverySink {
  readonly destination: string

  constructor(
    readonly url: string,
    readonly minSeverity?: Severity,
  ) {
    this.destination = `slack:${url}`
  }

  async deliver(findings: readonly Finding[], ctx: SinkContext): Promise<SinkOutcome> {
    if (findings.length === 0) return { sent: [], failed: [], retries: 0 }
    const body = JSON.stringify(digest(findings))
    // The digest stands for all the run's findings: it is sent whole or, failing, every finding is undelivered.
    const r = await sendWithRetries([body], async () => [await postJson(this.url, body, {}, ctx.signal)], ctx.retry, ctx.signal)
    const outcome: SinkOutcome = { sent: [], failed: [], retries: r.retries }
    const failure = r.failed[0]?.failure
    if (!failure) outcome.sent.push(...findings)
    else
      for (const f of findings) {
        const failed = failureOf(f, failure.code, `the digest was not accepted: ${failure.message}`)
        outcome.failed.push(failed)
        ctx.onFailure(this.destination, failed.failure)
      }
    return outcome
  }
}
