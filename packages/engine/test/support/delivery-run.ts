/** One delivery run in a test, and the check every delivery test makes: nothing dropped. */
import { expect } from 'vitest'
import type { Finding } from '../../src/index.js'
import { Delivery, type DeliveryReport } from '../../src/emit/delivery/delivery.js'
import type { RetryPolicy } from '../../src/emit/delivery/retry.js'
import type { DeliveryFailure, DeliverySink } from '../../src/emit/delivery/sink.js'

/** Retries without the waits. */
export const FAST: RetryPolicy = { attempts: 4, baseDelayMs: 1, throttleBaseDelayMs: 2, maxDelayMs: 5 }
export async function deliverAll(
  sink: DeliverySink,
  list: Finding[],
  retry: RetryPolicy = FAST,
): Promise<{ report: DeliveryReport; failures: DeliveryFailure[] }> {
  const failures: DeliveryFailure[] = []
  const d = new Delivery([sink], { retry, onFailure: (_, f) => failures.push(f) })
  for (const f of list) d.offer(f)
  return { report: await d.finish(), failures }
}

/** Every finding is sent or failed, and the failed ones, exactly, are in the outbox. */
export function nothingDropped(report: DeliveryReport, list: Finding[], failures: DeliveryFailure[]): void {
  const r = report.summary.destinations[0]!
  expect(r.sent + r.failed).toBe(list.length)
  expect(failures.length).toBe(r.failed)
  const inOutbox = report.outbox.entries.flatMap((e) => e.findings.map((f) => f.id))
  expect(inOutbox.sort()).toEqual(failures.map((f) => f.findingId).sort())
}
