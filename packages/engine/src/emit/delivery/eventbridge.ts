import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import type { Finding } from '../finding.js'
import type { Severity } from '../../rules/spec.js'
import { commands, eventBridgeClient, type AwsClientOptions } from './aws-clients.js'
import { byteLength, fitJson } from './fit-json.js'
import { codeIsThrottling, codeIsTransient, type AttemptOutcome } from './retry.js'
import { deliverBatched, type DeliverySink, type SinkContext, type SinkOutcome } from './sink.js'

/** PutEvents takes at most 10 entries per call. */
export const EVENTBRIDGE_BATCH_ENTRIES = 10
/** The size of all entries of one call (EventBridge's own formula, below): under 1 MB since January 2026. */
export const EVENTBRIDGE_CALL_BYTES = 1_000_000
/** One entry stays under the 256 KB that was the limit before, so a bus in a partition not yet raised takes it. */
export const EVENTBRIDGE_ENTRY_BYTES = 256_000

export const EVENT_SOURCE = 'trailscan'
export const EVENT_DETAIL_TYPE = 'Trailscan Finding'

/** An event bus name or ARN (arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME). */
export const EVENT_BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/
export const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):event-bus\/[/.\-_A-Za-z0-9]{1,256}$/

/**
 * An entry's size as EventBridge counts it: Time 14 bytes, then the UTF-8 bytes of Source, DetailType, Detail
 * and each of Resources (the EventBusName is not counted).
 */
export function entryBytes(e: PutEventsRequestEntry): number {
  return (
    (e.Time ? 14 : 0) +
    byteLength(e.Source ?? '') +
    byteLength(e.DetailType ?? '') +
    byteLength(e.Detail ?? '') +
    (e.Resources ?? []).reduce((n, r) => n + byteLength(r), 0)
  )
}

interface Entry {
  finding: Finding
  entry: PutEventsRequestEntry
  bytes: number
}

/** `eventbridge:BUS`: PutEvents, source `trailscan`, the finding as the detail; 10 entries and under 1 MB per call. */
export class EventBridgeSink implements DeliverySink {
  readonly destination: string
  private readonly client: EventBridgeClient

  constructor(
    readonly bus: string,
    opts: AwsClientOptions,
    readonly minSeverity?: Severity,
  ) {
    const arn = EVENT_BUS_ARN.exec(bus)
    if (!arn && !EVENT_BUS_NAME.test(bus)) throw new RangeError(`not an event bus name or ARN: ${bus}`)
    this.destination = `eventbridge:${bus}`
    // A bus named by ARN lives in the ARN's region; a bus named by name in the profile's or environment's.
    this.client = eventBridgeClient(arn ? { ...opts, region: arn[1] } : opts)
  }

  private entry(f: Finding): Entry | string {
    const base: PutEventsRequestEntry = {
      EventBusName: this.bus,
      Source: EVENT_SOURCE,
      DetailType: EVENT_DETAIL_TYPE,
      ...(f.eventTime && !Number.isNaN(Date.parse(f.eventTime)) ? { Time: new Date(f.eventTime) } : {}),
      ...(f.resource.arn ? { Resources: [f.resource.arn] } : {}),
    }
    const fixed = entryBytes(base)
    const fitted = fitJson(f, EVENTBRIDGE_ENTRY_BYTES - fixed, "EventBridge's entry size limit")
    if (!fitted) return 'the finding does not fit an EventBridge entry even without its details'
    const entry = { ...base, Detail: fitted.json }
    return { finding: f, entry, bytes: entryBytes(entry) }
  }

  private async attempt(batch: Entry[]): Promise<AttemptOutcome> {
    const res = await this.client.send(commands.putEvents({ Entries: batch.map((e) => e.entry) }))
    const results = res.Entries ?? []
    // The answer has one entry per entry sent, in order: an ErrorCode marks a failed one.
    return batch.map((_, i) => {
      const r = results[i]
      if (!r) return { code: 'NoAnswer', message: 'PutEvents returned fewer entries than it was sent', retryable: true }
      if (!r.ErrorCode) return undefined
      const code = r.ErrorCode
      return {
        code,
        message: r.ErrorMessage ?? code,
        retryable: codeIsThrottling(code) || codeIsTransient(code),
        throttled: codeIsThrottling(code),
      }
    })
  }

  deliver(findings: readonly Finding[], ctx: SinkContext): Promise<SinkOutcome> {
    return deliverBatched(this, findings, ctx, {
      entry: (f) => this.entry(f),
      maxCount: EVENTBRIDGE_BATCH_ENTRIES,
      maxBytes: EVENTBRIDGE_CALL_BYTES,
      attempt: (b) => this.attempt(b),
    })
  }

  close(): void {
    this.client.destroy()
  }
}
