import type { Finding } from '../finding.js'
import type { Severity } from '../../rules/spec.js'
import { batches, sendWithRetries, type AttemptOutcome, type RetryPolicy } from './retry.js'

/** One finding a destination did not acknowledge, after every retry, and why. */
export interface DeliveryFailure {
  findingId: string
  ruleId: string
  code: string
  message: string
}

export interface SinkContext {
  retry: RetryPolicy
  /** Aborted when the run is stopped: no new attempt starts, pending findings are reported as not sent. */
  signal?: AbortSignal
  /** Each finding that failed for good, as soon as that is known (the CLI logs one line per finding). */
  onFailure(destination: string, failure: DeliveryFailure): void
}

export interface SinkOutcome {
  sent: Finding[]
  failed: { finding: Finding; failure: DeliveryFailure }[]
  /** Findings sent again after a retryable failure. */
  retries: number
}

/**
 * A destination of `--to`. `destination` is the text after `--to` as given (securityhub, sns:ARN, …): it is what
 * the outbox keys undelivered findings by, so the next run retries them at the same place.
 */
export interface DeliverySink {
  readonly destination: string
  /** Only findings at or above this severity are sent (`--to-min-severity`). */
  readonly minSeverity?: Severity
  /** Sends the findings; never throws: every finding comes back sent or failed. */
  deliver(findings: readonly Finding[], ctx: SinkContext): Promise<SinkOutcome>
  /** Frees the client (sockets) once the run is done. */
  close?(): void
}

export function failureOf(finding: Finding, code: string, message: string): { finding: Finding; failure: DeliveryFailure } {
  return { finding, failure: { findingId: finding.id, ruleId: finding.ruleId, code, message } }
}

/**
 * The shape SNS and EventBridge share: each finding becomes one entry (or a reason it cannot fit, reported as
 * `TooLarge`), entries go out in batches by count and bytes, each batch retried item by item; every finding comes
 * back sent or failed.
 */
export async function deliverBatched<E extends { finding: Finding; bytes: number }>(
  sink: { destination: string },
  findings: readonly Finding[],
  ctx: SinkContext,
  opts: { entry(f: Finding): E | string; maxCount: number; maxBytes: number; attempt(batch: E[]): Promise<AttemptOutcome> },
): Promise<SinkOutcome> {
  const outcome: SinkOutcome = { sent: [], failed: [], retries: 0 }
  const fail = (f: Finding, code: string, message: string): void => {
    const failed = failureOf(f, code, message)
    outcome.failed.push(failed)
    ctx.onFailure(sink.destination, failed.failure)
  }
  const entries: E[] = []
  for (const f of findings) {
    const e = opts.entry(f)
    if (typeof e === 'string') fail(f, 'TooLarge', e)
    else entries.push(e)
  }
  for (const batch of batches(entries, opts.maxCount, opts.maxBytes, (e) => e.bytes)) {
    const r = await sendWithRetries(batch, (b) => opts.attempt(b), ctx.retry, ctx.signal)
    outcome.retries += r.retries
    outcome.sent.push(...r.sent.map((e) => e.finding))
    for (const { item, failure } of r.failed) fail(item.finding, failure.code, failure.message)
  }
  return outcome
}
