import type { AlarmEvaluator } from './alarms.js'
import type { ExposureTracker } from './exposure-tracker.js'
import { RecordParseError, type TrailscanError } from '../errors.js'
import type { Finding } from './finding.js'
import type { Exposure } from '../match/typed/index.js'
import type { SuppressionMark, Suppressor } from './suppress.js'
import { countFinding, errorEntry, type ScanSummary } from './summary.js'

export interface AccountContext {
  name?: string
  environment?: string
  owner?: string
}

export interface SinkOptions {
  context?: Readonly<Record<string, AccountContext>>
  suppressor?: Suppressor
  onFinding(finding: Finding): void
  onSuppressed?(finding: Finding, mark: SuppressionMark): void
  onError?(error: TrailscanError): void
}

/**
 * Where findings go after matching, in this order: duplicates dropped (CloudTrail may deliver an event twice),
 * account context added, public exposures held back until the scan has seen whether they were closed again,
 * suppressions applied and counted, then counted, fed to the alarms and handed on.
 */
export class FindingSink {
  private readonly seen = new Set<string>()
  private readonly held: Finding[] = []
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
  }

  error(e: TrailscanError): void {
    // Bad credentials or a missing bucket mean nothing further can be read: stop the run, do not limp on.
    if ((e as { fatal?: unknown }).fatal === true) throw e
    if (e instanceof RecordParseError && e.location?.recordIndex !== undefined) this.summary.records.failed++
    this.summary.errors.push(errorEntry(e))
    this.opts.onError?.(e)
  }

  finding(f: Finding): void {
    if (this.isDuplicate(f)) return
    this.enrich(f)
    if (exposureOf(f)) this.held.push(f)
    else this.deliver(f)
  }

  /** The held exposures, oldest first, each with when and by whom it was closed again (or null). */
  finish(tracker: ExposureTracker): void {
    const time = (f: Finding): string => f.eventTime ?? ''
    this.held.sort((a, b) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0))
    for (const f of this.held) {
      f.details = { ...f.details, remediated: tracker.remediationOf(f, exposureOf(f)!) }
      this.deliver(f)
    }
    this.held.length = 0
  }

  private isDuplicate(f: Finding): boolean {
    if (f.eventId === null) return false
    const key = `${f.ruleId}\u0000${f.eventId}`
    if (!this.seen.has(key)) {
      this.seen.add(key)
      return false
    }
    this.summary.findings.duplicates++
    return true
  }

  private enrich(f: Finding): void {
    const ctx = f.account === null ? undefined : this.context.get(f.account)
    if (!ctx) return
    f.context = { ...ctx }
    if (exposureOf(f) && ctx.environment?.toLowerCase() === 'production' && f.severity !== 'critical') {
      f.severity = 'critical'
      f.status = 'public grant in a production account'
    }
  }

  private deliver(f: Finding): void {
    const mark = this.opts.suppressor?.match(f)
    if (mark) {
      this.summary.findings.suppressed++
      this.opts.onSuppressed?.(f, mark)
      return
    }
    countFinding(this.summary, f)
    this.alarms?.add(f)
    this.opts.onFinding(f)
  }
}

function exposureOf(f: Finding): Exposure | undefined {
  return f.details?.exposure as Exposure | undefined
}
