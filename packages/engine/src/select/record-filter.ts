import { recordAccount, recordRegion, type CloudTrailRecord } from '../record.js'
import { ABSENT, UNKNOWN, type RawFields } from './field-test.js'
import type { LogObject } from '../source/log-object.js'
import { keyFilter, keyRejection, type KeyFilter } from '../source/key-filter.js'
import { inWindow, textInWindow, type TimeWindow } from '../time-window.js'

/** A responder's filters: an event-time window, accounts and regions. Objects are pruned by key first. */
export class RecordFilter {
  private readonly window: TimeWindow = {}
  private readonly accounts: ReadonlySet<string> | undefined
  private readonly regions: ReadonlySet<string> | undefined
  private readonly keys: KeyFilter

  constructor(opts: { start?: Date; end?: Date; accounts?: readonly string[]; regions?: readonly string[] }, marginDays: number) {
    if (opts.start) this.window.start = opts.start
    if (opts.end) this.window.end = opts.end
    this.accounts = opts.accounts?.length ? new Set(opts.accounts) : undefined
    this.regions = opts.regions?.length ? new Set(opts.regions) : undefined
    this.keys = keyFilter({ ...opts, marginDays })
  }

  /** False when the object's key shows it holds nothing inside the filters: the S3 lister's own key filter. */
  objectMayPass(o: LogObject): boolean {
    return keyRejection(o.key, this.keys) === undefined
  }

  /** Whether any filter is set: without one every record passes and none needs looking at. */
  get active(): boolean {
    return this.window.start !== undefined || this.window.end !== undefined || this.accounts !== undefined || this.regions !== undefined
  }

  /**
   * recordPasses from the raw eventTime and awsRegion, for a record no rule wants: true or false, or undefined
   * when only parsing can tell (a field not read as a plain string, an --account filter: recipientAccountId
   * comes after requestParameters, where the raw reader trusts no key).
   */
  rawPasses(fields: RawFields): boolean | undefined {
    if (this.accounts) return undefined
    if (this.window.start || this.window.end) {
      const t = fields.get('eventTime')
      if (t === UNKNOWN) return undefined
      if (t === ABSENT ? !inWindow(Number.NaN, this.window) : !textInWindow(t, this.window)) return false
    }
    if (this.regions) {
      const region = fields.get('awsRegion')
      if (region === UNKNOWN) return undefined
      if (region === ABSENT || !this.regions.has(region)) return false
    }
    return true
  }

  recordPasses(r: CloudTrailRecord): boolean {
    if (this.window.start || this.window.end) {
      const t = typeof r.eventTime === 'string' ? Date.parse(r.eventTime) : Number.NaN
      if (!inWindow(t, this.window)) return false
    }
    if (this.accounts && !this.accounts.has(recordAccount(r) ?? '')) return false
    if (this.regions && !this.regions.has(recordRegion(r) ?? '')) return false
    return true
  }
}
