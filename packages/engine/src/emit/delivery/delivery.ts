/**
 * The delivery stage: after the scan, each `--to` destination gets the run's findings at or above its
 * `--to-min-severity`, plus the findings its outbox entry still holds from earlier runs. Findings are sent after
 * the scan, not during it: Slack's digest covers the whole run, held exposure findings only arrive at its end,
 * and the outbox handed back then is the complete picture a state commit needs.
 */
import type { Finding } from '../finding.js'
import { SEVERITIES, type Severity } from '../../rules/spec.js'
import { displayDestination } from './destination.js'
import { emptyOutbox, type Outbox } from './outbox.js'
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js'
import type { DeliveryFailure, DeliverySink } from './sink.js'

/** Failures kept by name per destination in the summary (all are logged and counted). */
export const DELIVERY_FAILURES_LISTED = 100

export interface DestinationReport {
  /** As logs may show it: a webhook's or Slack's URL is cut to its host (displayDestination). */
  destination: string
  minSeverity?: Severity
  /** Acknowledged by the destination. */
  sent: number
  /** Not acknowledged after every retry: in the outbox handed back. */
  failed: number
  /** Of sent + failed, those that came from the outbox (earlier runs). */
  fromOutbox: number
  /** Findings sent again after a retryable failure. */
  retries: number
  /** The first DELIVERY_FAILURES_LISTED failures. */
  failures: DeliveryFailure[]
}

export interface DeliverySummary {
  destinations: DestinationReport[]
  /** Outbox findings for destinations not given this run: kept, not sent. */
  waiting: { destination: string; findings: number }[]
  /** Findings in the outbox handed back (failed now + waiting). */
  undelivered: number
}

export interface DeliveryReport {
  summary: DeliverySummary
  /** What is still unacknowledged, per destination: the next run's pending outbox. */
  outbox: Outbox
}

export interface DeliveryOptions {
  /** The outbox of earlier runs (from the state): sent again first. */
  pending?: Outbox
  retry?: RetryPolicy
  /** The run's stop signal: no new attempt starts once it aborts; what is left stays in the outbox. */
  signal?: AbortSignal
  /** Each finding that failed for good, when it is known; `destination` as logs may show it (displayDestination). */
  onFailure?: (destination: string, failure: DeliveryFailure) => void
}

export class Delivery {
  private readonly queued = new Map<DeliverySink, Finding[]>()

  constructor(
    readonly sinks: readonly DeliverySink[],
    private readonly opts: DeliveryOptions = {},
  ) {
    const seen = new Set<string>()
    for (const s of sinks) {
      // Two sinks with one outbox key would each send the other's undelivered findings.
      if (seen.has(s.destination)) throw new RangeError(`--to ${displayDestination(s.destination)} is given twice`)
      seen.add(s.destination)
      this.queued.set(s, [])
    }
  }

  /** A finding of this run (onFinding): queued for every destination whose minimum it reaches. */
  offer(f: Finding): void {
    const rank = SEVERITIES.indexOf(f.severity)
    for (const [sink, list] of this.queued) if (sink.minSeverity === undefined || rank >= SEVERITIES.indexOf(sink.minSeverity)) list.push(f)
  }

  /**
   * Sends everything queued (destinations one after another), closes the clients and reports. `pending`, when
   * given, is the outbox of earlier runs (in place of the option: a state is often read after the sinks are built).
   */
  async finish(pending: Outbox | undefined = this.opts.pending): Promise<DeliveryReport> {
    const outbox = emptyOutbox()
    const summary: DeliverySummary = { destinations: [], waiting: [], undelivered: 0 }
    const waiting = new Map((pending?.entries ?? []).map((e) => [e.destination, e.findings]))
    const ctx = {
      retry: this.opts.retry ?? DEFAULT_RETRY,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      onFailure: (d: string, f: DeliveryFailure) => this.opts.onFailure?.(displayDestination(d), f),
    }
    for (const [sink, fresh] of this.queued) {
      const old = waiting.get(sink.destination) ?? []
      waiting.delete(sink.destination)
      // A finding still in the outbox and found again (the same object scanned again) is sent once.
      const ids = new Set(old.map((f) => f.id))
      const findings = [...old, ...fresh.filter((f) => !ids.has(f.id))]
      let sent = 0
      let failed: Finding[]
      let failures: DeliveryFailure[]
      let retries = 0
      try {
        const out = await sink.deliver(findings, ctx)
        sent = out.sent.length
        failed = out.failed.map((x) => x.finding)
        failures = out.failed.map((x) => x.failure)
        retries = out.retries
        // A sink that forgot a finding (neither sent nor failed) would lose it: it counts as failed.
        const answered = new Set([...out.sent, ...failed].map((f) => f.id))
        for (const f of findings)
          if (!answered.has(f.id)) {
            const failure = { findingId: f.id, ruleId: f.ruleId, code: 'NoAnswer', message: 'the destination gave no answer for it' }
            failed.push(f)
            failures.push(failure)
            ctx.onFailure(sink.destination, failure)
          }
      } catch (e) {
        failed = findings
        failures = findings.map((f) => ({ findingId: f.id, ruleId: f.ruleId, code: 'Error', message: (e as Error).message }))
        for (const failure of failures) ctx.onFailure(sink.destination, failure)
      } finally {
        sink.close?.()
      }
      summary.destinations.push({
        destination: displayDestination(sink.destination),
        ...(sink.minSeverity ? { minSeverity: sink.minSeverity } : {}),
        sent,
        failed: failed.length,
        fromOutbox: old.length,
        retries,
        failures: failures.slice(0, DELIVERY_FAILURES_LISTED),
      })
      if (failed.length > 0) outbox.entries.push({ destination: sink.destination, findings: failed })
    }
    // Destinations not given this run keep their findings: nothing leaves the outbox unacknowledged.
    for (const [destination, findings] of waiting) {
      if (findings.length === 0) continue
      outbox.entries.push({ destination, findings })
      summary.waiting.push({ destination: displayDestination(destination), findings: findings.length })
    }
    summary.undelivered = outbox.entries.reduce((n, e) => n + e.findings.length, 0)
    return { summary, outbox }
  }
}
