import type { Finding } from '../finding.js'
import type { Severity } from '../../rules/spec.js'
import { httpFailure, inParallel, sendWithRetries, type ItemFailure } from './retry.js'
import { failureOf, type DeliverySink, type SinkContext, type SinkOutcome } from './sink.js'

/** Requests in flight to one webhook. */
const CONCURRENCY = 4
/** One POST, connection to last byte. */
export const HTTP_TIMEOUT_MS = 30_000

/**
 * POSTs `body` as JSON; resolves with undefined on a 2xx, the failure otherwise (status, or the socket's error).
 * A redirect is not followed: a webhook that moved should be configured anew, not followed to wherever it
 * points with the findings.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<ItemFailure | undefined> {
  const timeout = AbortSignal.timeout(HTTP_TIMEOUT_MS)
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'trailscan', ...headers },
    body,
    redirect: 'manual',
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  })
  // The body is small (a receiver's answer) but read to the end, so the socket goes back to the pool.
  const text = (await res.text()).slice(0, 200)
  if (res.status >= 200 && res.status < 300) return undefined
  return httpFailure(res.status, `${url} answered ${res.status}${text ? `: ${text}` : ''}`, res.headers.get('retry-after'))
}

/** `webhook:URL`: one JSON POST per finding, `Idempotency-Key` = the finding id, so a retried POST is recognised. */
export class WebhookSink implements DeliverySink {
  readonly destination: string

  constructor(
    readonly url: string,
    readonly minSeverity?: Severity,
  ) {
    this.destination = `webhook:${url}`
  }

  async deliver(findings: readonly Finding[], ctx: SinkContext): Promise<SinkOutcome> {
    const outcome: SinkOutcome = { sent: [], failed: [], retries: 0 }
    await inParallel(findings, CONCURRENCY, async (f) => {
      const r = await sendWithRetries(
        [f],
        async () => [await postJson(this.url, JSON.stringify(f), { 'idempotency-key': f.id }, ctx.signal)],
        ctx.retry,
        ctx.signal,
      )
      outcome.retries += r.retries
      if (r.sent.length > 0) outcome.sent.push(f)
      for (const { failure } of r.failed) {
        const failed = failureOf(f, failure.code, failure.message)
        outcome.failed.push(failed)
        ctx.onFailure(this.destination, failed.failure)
      }
    })
    return outcome
  }
}
