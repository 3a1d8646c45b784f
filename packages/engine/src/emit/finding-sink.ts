import type { AlarmEvaluator } from './alarms.js'
import type { CarriedExposure } from './carry.js'
import type { ExposureTracker } from './exposure-tracker.js'
import { RecordParseError, type TrailscanError } from '../errors.js'
import type { BuiltFinding, Finding } from './finding.js'
import { packFindings, unpackFindings } from './packed-findings.js'
import { severityOf, type AccountContext } from './severity.js'
import type { SuppressionMark, Suppressor } from './suppress.js'
import { countFinding, errorEntry, type ScanSummary } from './summary.js'

export type { AccountContext }

export interface SinkOptions {
  context?: Readonly<Record<string, AccountContext>>
  suppressor?: Suppressor
  onFinding(finding: Finding): void
  onSuppressed?(finding: Finding, mark: SuppressionMark): void
  onError?(error: TrailscanError): void
  /**
   * Finding ids already emitted by earlier runs (a scheduled scan's state): a finding with one of them is a
   * duplicate, counted as such and not emitted again. The sink adds the ids of this run's findings to it.
   */
  seenIds?: Set<string>
}

/**
 * Where findings go after matching: the emit stages, in this order, one method each.
 *   build      emit/finding.ts (in the object scanner, per hit)
 *   dedup      CloudTrail may deliver an event twice: one finding per id (rule, recipient account, eventID)
 *   severity   account context added, severity decided (emit/severity.ts: the only place)
 *   correlate  public exposures held to the end of the scan, to say whether they were closed again
 *              (emit/exposure-tracker.ts); with a carry (emit/carry.ts), also by closing calls of earlier runs
 *   suppress   known benign callers (emit/suppress.ts); after context and severity, so a suppressed finding
 *              shown with --show-suppressed reads as it would have, in the same place
 *   alarms     CloudWatch alarm replay (emit/alarms.ts)
 *   sinks      counted in the summary (emit/summary.ts), handed to `onFinding`: where findings are written
 */
export class FindingSink {
  private readonly seen: Set<string>
  /**
   * Packed (emit/packed-findings.ts): a 10 GB scan holds thousands, each with the policy or ACL that made the
   * bucket public, to the end.
   */
  private readonly held: { eventTime: string; packed: Uint8Array }[] = []
  /**
   * Own entries only: the account id comes from the record, and a plain-object lookup of `__proto__`,
   * `constructor` or `toString` would find Object.prototype's members instead of nothing.
   */
  private readonly context: ReadonlyMap<string, AccountContext>

  constructor(
    private readonly opts: SinkOptions,
    private readonly summary: ScanSummary,
    private readonly alarms: AlarmEvaluator | undefined,
  ) {
    this.context = new Map(opts.context ? Object.entries(opts.context) : [])
    this.seen = opts.seenIds ?? new Set()
  }

  error(e: TrailscanError): void {
    // Bad credentials or a missing bucket mean nothing further can be read: stop the run, do not limp on.
    if ((e as { fatal?: unknown }).fatal === true) throw e
    if (e instanceof RecordParseError && e.location?.recordIndex !== undefined) this.summary.records.failed++
    this.summary.errors.push(errorEntry(e))
    this.opts.onError?.(e)
  }

  finding(b: BuiltFinding): void {
    if (this.isDuplicate(b.finding)) return
    this.decideSeverity(b)
    if (b.hit.exposure) this.held.push({ eventTime: b.finding.eventTime ?? '', packed: packFindings([b]) })
    else this.deliver(b.finding)
  }

  /**
   * The held exposures, oldest first, each with when and by whom it was closed again (or null). Returns those
   * delivered (not suppressed), as the carry keeps them.
   */
  finish(tracker: ExposureTracker): CarriedExposure[] {
    this.held.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0))
    const delivered: CarriedExposure[] = []
    for (const h of this.held) {
      // One at a time: unpacked all at once, they would take at the end what packing saved during the scan.
      const { finding: f, hit } = unpackFindings(h.packed)[0]!
      const exposure = hit.exposure!
      f.details = { ...f.details, remediated: tracker.remediationOf(f, exposure) }
      if (!this.deliver(f) || f.eventTime === null || Number.isNaN(Date.parse(f.eventTime))) continue
      const { id: findingId, ruleId, eventTime, eventId, account } = f
      delivered.push({ findingId, ruleId, eventTime, eventId, account, actor: { ...f.actor }, exposure: { ...exposure }, run: true })
    }
    this.held.length = 0
    return delivered
  }

  private isDuplicate(f: Finding): boolean {
    if (!this.seen.has(f.id)) {
      this.seen.add(f.id)
      return false
    }
    this.summary.findings.duplicates++
    return true
  }

  private decideSeverity({ finding: f, hit }: BuiltFinding): void {
    const ctx = f.account === null ? undefined : this.context.get(f.account)
    if (ctx) f.context = { ...ctx }
    const { severity, status, attempt } = severityOf(f.severity, hit, ctx, f.errorCode)
    f.severity = severity
    f.status = status
    if (attempt) f.details = { ...f.details, attempt }
  }

  /** False when suppressed. */
  private deliver(f: Finding): boolean {
    const mark = this.opts.suppressor?.match(f)
    if (mark) {
      this.summary.findings.suppressed++
      this.opts.onSuppressed?.(f, mark)
      return false
    }
    this.alarms?.add(f)
    countFinding(this.summary, f)
    this.opts.onFinding(f)
    return true
  }
}
