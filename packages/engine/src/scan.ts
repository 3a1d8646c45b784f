import pLimit from 'p-limit'
import { AlarmEvaluator } from './alarms.js'
import { RecordParseError, type TrailscanError } from './errors.js'
import { buildFinding, type Finding } from './finding.js'
import { DECODE_DEFAULTS, decodeRecord } from './read/decompress.js'
import { readRecords, type RecordText } from './read/records.js'
import { recordAccount, recordRegion, type CloudTrailRecord } from './record.js'
import type { CompiledRule, MatchContext } from './rule/matcher.js'
import { LiteralCursor, RuleIndex } from './rule/rule-index.js'
import { toEventBridgeEnvelope } from './rule/eventbridge/index.js'
import type { LogObject } from './source/log-object.js'
import { CLOSING_EVENTS, ExposureTracker } from './correlate/exposure-tracker.js'
import type { Exposure } from './rule/typed/index.js'
import type { SuppressionMark, Suppressor } from './suppress.js'
import { countFinding, emptySummary, errorEntry, finishSummary, type ScanSummary } from './summary.js'
import { deliveryDayMayOverlap, inWindow, type TimeWindow } from './time-window.js'

export interface ScanLogger {
  debug(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
}

export interface ScanOptions {
  objects: AsyncIterable<LogObject> | Iterable<LogObject>
  rules: readonly CompiledRule[]
  start?: Date
  end?: Date
  accounts?: readonly string[]
  regions?: readonly string[]
  /** Objects read at once (I/O concurrency); output order stays the listing order. */
  concurrency?: number
  /** Cap on decompressed bytes per object. */
  maxObjectBytes?: number
  /** Margin, in days, between a key's delivery date and the event times it may hold. */
  deliveryMarginDays?: number
  /** Evaluate CIS-style alarms over event time; the periods land in the summary. */
  alarms?: boolean
  /**
   * Account id → what the organisation knows of it. Enriches every finding; a public grant in an account whose
   * environment is `production` is raised to critical.
   */
  context?: Readonly<Record<string, AccountContext>>
  /** Known benign callers; matching findings go to onSuppressed instead of onFinding, and are counted. */
  suppressor?: Suppressor
  onSuppressed?(finding: Finding, mark: SuppressionMark): void
  /** Called in listing order for every finding; exposure findings come last, once remediation is known. */
  onFinding(finding: Finding): void
  onError?(error: TrailscanError): void
  /** Called after each object, for progress displays. */
  onObject?(info: { uri: string; storedBytes: number; records: number }): void
  logger?: ScanLogger
}

export interface AccountContext {
  name?: string
  environment?: string
  owner?: string
}

const DEFAULTS = { concurrency: 8, deliveryMarginDays: 1 } as const

interface ObjectOutcome {
  findings: Finding[]
  errors: TrailscanError[]
}

/**
 * Sources × compiled rules → findings, in listing order, with a summary of everything read, skipped and failed.
 * Bad data never stops the scan: each fault is reported with its object and record, and the scan goes on.
 */
export async function scan(options: ScanOptions): Promise<ScanSummary> {
  const t0 = performance.now()
  const summary = emptySummary()
  const index = new RuleIndex(options.rules)
  const window: TimeWindow = {}
  if (options.start) window.start = options.start
  if (options.end) window.end = options.end
  const accounts = options.accounts?.length ? new Set(options.accounts) : undefined
  const regions = options.regions?.length ? new Set(options.regions) : undefined
  const margin = options.deliveryMarginDays ?? DEFAULTS.deliveryMarginDays
  const decode = { ...DECODE_DEFAULTS, ...(options.maxObjectBytes ? { maxBytes: options.maxObjectBytes } : {}) }
  const alarms = options.alarms ? new AlarmEvaluator(options.rules.map((r) => ({ id: r.id, title: r.spec.title, alarm: r.spec.alarm }))) : undefined
  const seen = new Set<string>()
  const tracker = new ExposureTracker()
  const held: Finding[] = []
  const log = options.logger

  const report = (e: TrailscanError): void => {
    summary.errors.push(errorEntry(e))
    options.onError?.(e)
  }

  const keepObject = (o: LogObject): boolean => {
    const k = o.key
    if (k.kind === 'digest') summary.objects.digests++
    else if (k.kind === 'insight') summary.objects.insights++
    else if (accounts && k.account !== undefined && !accounts.has(k.account)) summary.objects.pruned++
    else if (regions && k.region !== undefined && !regions.has(k.region)) summary.objects.pruned++
    else if (k.deliveryDate !== undefined && !deliveryDayMayOverlap(k.deliveryDate, window, margin)) summary.objects.pruned++
    else return true
    log?.debug({ object: o.uri, kind: k.kind }, 'object not scanned for events')
    return false
  }

  const recordPasses = (r: CloudTrailRecord): boolean => {
    if (window.start || window.end) {
      const t = typeof r.eventTime === 'string' ? Date.parse(r.eventTime) : Number.NaN
      if (!inWindow(t, window)) return false
    }
    if (accounts && !accounts.has(recordAccount(r) ?? '')) return false
    if (regions && !regions.has(recordRegion(r) ?? '')) return false
    return true
  }

  const processObject = async (o: LogObject): Promise<ObjectOutcome> => {
    const out: ObjectOutcome = { findings: [], errors: [] }
    const cursor = new LiteralCursor()
    const onRecord = (rt: RecordText): void => {
      const rawName = eventNameOf(rt.raw)
      const unindexed = index.unindexedIn(rt.chunk, rt.start, rt.start + rt.raw.length, cursor)
      if (rawName !== undefined && unindexed.length === 0 && index.named(rawName).length === 0 && !CLOSING_EVENTS.has(rawName)) return
      const text = decodeRecord(rt.raw)
      let record: CloudTrailRecord
      try {
        record = JSON.parse(text) as CloudTrailRecord
      } catch (err) {
        out.errors.push(
          new RecordParseError(`record ${rt.index} is not valid JSON: ${(err as Error).message}`, {
            location: { object: o.uri, recordIndex: rt.index },
            cause: err,
          }),
        )
        return
      }
      if (typeof record.eventName === 'string' && CLOSING_EVENTS.has(record.eventName)) tracker.observe(record)
      if (!recordPasses(record)) {
        summary.records.filteredOut++
        return
      }
      let envelope: Record<string, unknown> | undefined
      const ctx: MatchContext = {
        record,
        text,
        envelope: () => (envelope ??= toEventBridgeEnvelope(record)),
      }
      const hit = (rule: CompiledRule): void => {
        let h
        try {
          h = rule.match(ctx)
        } catch (err) {
          // A rule must never take the scan down; the record is named so the rule can be fixed.
          out.errors.push(
            new RecordParseError(`rule ${rule.id} failed on record ${rt.index}: ${(err as Error).message}`, {
              location: { object: o.uri, recordIndex: rt.index, ruleId: rule.id },
              cause: err,
            }),
          )
          return
        }
        if (h) out.findings.push(buildFinding(rule, h, record, { uri: o.uri, recordIndex: rt.index }, o.key))
      }
      for (const rule of index.named(rawName ?? record.eventName)) hit(rule)
      for (const rule of unindexed) hit(rule)
    }
    const res = await readRecords(o, decode, onRecord, (e) => out.errors.push(e))
    summary.records.read += res.records
    summary.bytes.stored += res.stats.storedBytes
    summary.bytes.decompressed += res.stats.decodedBytes
    if (res.digest) summary.objects.digests++
    else summary.objects.read++
    if (res.failed) summary.objects.failed++
    options.onObject?.({ uri: o.uri, storedBytes: res.stats.storedBytes, records: res.records })
    return out
  }

  const emit = (outcome: ObjectOutcome): void => {
    for (const e of outcome.errors) {
      // Bad credentials or a missing bucket mean nothing further can be read: stop the run, do not limp on.
      if ((e as { fatal?: unknown }).fatal === true) throw e
      if (e instanceof RecordParseError && e.location?.recordIndex !== undefined) summary.records.failed++
      report(e)
    }
    for (const f of outcome.findings) {
      if (isDuplicate(f)) continue
      enrich(f)
      if (exposureOf(f)) held.push(f)
      else deliver(f)
    }
  }

  const isDuplicate = (f: Finding): boolean => {
    if (f.eventId === null) return false
    const key = `${f.ruleId}\u0000${f.eventId}`
    if (seen.has(key)) {
      summary.findings.duplicates++
      return true
    }
    seen.add(key)
    return false
  }

  const enrich = (f: Finding): void => {
    const ctx = f.account === null ? undefined : options.context?.[f.account]
    if (!ctx) return
    f.context = { ...ctx }
    if (exposureOf(f) && ctx.environment?.toLowerCase() === 'production' && f.severity !== 'critical') {
      f.severity = 'critical'
      f.status = 'public grant in a production account'
    }
  }

  const deliver = (f: Finding): void => {
    const mark = options.suppressor?.match(f)
    if (mark) {
      summary.findings.suppressed++
      options.onSuppressed?.(f, mark)
      return
    }
    countFinding(summary, f)
    alarms?.add(f)
    options.onFinding(f)
  }

  // Ordered concurrency: objects are read in parallel but their results are emitted in listing order,
  // so output is reproducible; the window bounds how many finished objects wait in memory.
  const limit = pLimit(options.concurrency ?? DEFAULTS.concurrency)
  const pending: Promise<ObjectOutcome>[] = []
  const windowSize = 2 * (options.concurrency ?? DEFAULTS.concurrency)
  for await (const o of options.objects) {
    summary.objects.listed++
    if (!keepObject(o)) continue
    pending.push(limit(() => processObject(o)))
    if (pending.length >= windowSize) emit(await pending.shift()!)
  }
  while (pending.length > 0) emit(await pending.shift()!)
  held.sort((a, b) => ((a.eventTime ?? '') < (b.eventTime ?? '') ? -1 : (a.eventTime ?? '') > (b.eventTime ?? '') ? 1 : 0))
  for (const f of held) {
    f.details = { ...f.details, remediated: tracker.remediationOf(f, exposureOf(f)!) }
    deliver(f)
  }

  if (alarms) summary.alarms = alarms.periods()
  finishSummary(summary, t0, performance.now())
  return summary
}

function exposureOf(f: Finding): Exposure | undefined {
  return f.details?.exposure as Exposure | undefined
}

const NAME_KEY = '"eventName":"'
const ANCHOR = '{"eventVersion":'

/**
 * eventName straight from the raw text, so records no rule is indexed under are never parsed. In a record that
 * starts as CloudTrail writes one ({"eventVersion": first), the top-level eventName precedes requestParameters
 * and everything else that could nest one, so its first occurrence is the record's. Otherwise only an
 * unambiguous form is trusted (exactly one compact `"eventName":"…"`, no escapes); anything else returns
 * undefined and the record is parsed.
 */
function eventNameOf(text: string): string | undefined {
  const i = text.indexOf(NAME_KEY)
  if (i < 0) return undefined
  const start = i + NAME_KEY.length
  const end = text.indexOf('"', start)
  if (end < 0) return undefined
  if (!text.startsWith(ANCHOR) && text.indexOf(NAME_KEY, end) >= 0) return undefined
  const name = text.slice(start, end)
  return name.includes('\\') ? undefined : name
}
