import { CLOSING_EVENTS, type ExposureTracker } from '../emit/exposure-tracker.js'
import { RecordParseError, type TrailscanError } from '../errors.js'
import { buildFinding, type Finding } from '../emit/finding.js'
import type { DecodeOptions } from '../read/decompress.js'
import { readRecords, type ObjectReadResult, type RecordText } from '../read/records.js'
import type { CloudTrailRecord } from '../record.js'
import { toEventBridgeEnvelope } from '../match/eventbridge/index.js'
import type { CompiledRule, MatchContext } from '../match/matcher.js'
import { ByteLiteralCursor } from '../select/byte-literal.js'
import type { RuleIndex } from '../select/rule-index.js'
import type { LogObject } from '../source/log-object.js'
import { ABSENT, UNKNOWN } from '../select/field-test.js'
import { RawFieldReader } from '../select/raw-fields.js'
import type { RecordFilter } from '../select/record-filter.js'

export interface ObjectOutcome {
  findings: Finding[]
  errors: TrailscanError[]
  read: ObjectReadResult
  /** Records outside the filters (with a filter set, every readable record is checked). */
  filteredOut: number
}

/**
 * One object → its findings and faults. The hot path: read each record's eventName (and the fields and
 * literals other rules are keyed or guarded by) from its bytes, and decode, parse and match only the records
 * some rule may fire on.
 */
export class ObjectScanner {
  private readonly fields = new RawFieldReader()
  /** The eventSource is read only when some rule is grouped by it. */
  private readonly readsSource: boolean

  constructor(
    private readonly index: RuleIndex,
    private readonly filter: RecordFilter,
    private readonly tracker: ExposureTracker,
    private readonly decode: DecodeOptions,
  ) {
    this.readsSource = index.hasSourced
  }

  async scan(o: LogObject): Promise<ObjectOutcome> {
    const findings: Finding[] = []
    const errors: TrailscanError[] = []
    let filteredOut = 0
    const byteCursor = new ByteLiteralCursor()
    const fields = this.fields.forObject()
    const index = this.index
    const filterActive = this.filter.active
    const onRecord = (rt: RecordText): void => {
      const bytes = rt.bytes
      fields.setBytes(bytes, rt.start, rt.end)
      // A record spelled with escapes its raw reads cannot vouch for is offered every rule: its fields read
      // UNKNOWN, and literals are not looked for, so no finding depends on how a writer spelled the JSON.
      let unindexed = fields.trusted() ? index.unindexedInBytes(bytes, rt.start, rt.end, byteCursor) : index.everyUnindexed
      // UNKNOWN: the record is parsed and its own fields decide.
      const rawName = fields.get('eventName')
      const rawSource = this.readsSource ? fields.get('eventSource') : ABSENT
      // A record is read as text only when a rule of its group has literals to check.
      const named = index.mayMatch(index.named(rawName), rt, fields)
      const sourced = index.mayMatch(index.sourced(rawSource), rt, fields)
      const keyed = index.keyedBy(fields)
      unindexed = index.passingFieldTests(unindexed, fields)
      // An eventName is read as absent only from a record that starts as CloudTrail writes one, which always
      // has one: its absence means damage the byte splitter did not walk (a hole over the name), so it is parsed.
      if (
        rawName !== UNKNOWN &&
        rawName !== ABSENT &&
        rawSource !== UNKNOWN &&
        unindexed.length === 0 &&
        keyed.length === 0 &&
        named.length === 0 &&
        sourced.length === 0 &&
        !CLOSING_EVENTS.has(rawName)
      ) {
        // No rule can fire, but the summary says how many records were outside the filters: with a filter set,
        // the raw eventTime and awsRegion tell, or else the parsed record.
        if (filterActive && !(this.filter.rawPasses(fields) ?? !this.outsideFilters(rt))) filteredOut++
        return
      }
      const text = rt.json()
      let record: CloudTrailRecord
      try {
        record = JSON.parse(text) as CloudTrailRecord
      } catch (err) {
        errors.push(fault(`record ${rt.index} is not valid JSON: ${(err as Error).message}`, o, rt.index, err))
        return
      }
      if (typeof record.eventName === 'string' && CLOSING_EVENTS.has(record.eventName)) this.tracker.observe(record)
      if (!this.filter.recordPasses(record)) {
        filteredOut++
        return
      }
      let envelope: Record<string, unknown> | undefined
      const ctx: MatchContext = { record, text, envelope: () => (envelope ??= toEventBridgeEnvelope(record)) }
      for (const rule of rawName === UNKNOWN ? this.index.named(record.eventName) : named) this.run(rule, ctx, o, rt.index, findings, errors)
      if (this.readsSource)
        for (const rule of rawSource === UNKNOWN ? this.index.sourced(record.eventSource) : sourced) this.run(rule, ctx, o, rt.index, findings, errors)
      for (const rule of keyed) this.run(rule, ctx, o, rt.index, findings, errors)
      for (const rule of unindexed) this.run(rule, ctx, o, rt.index, findings, errors)
    }
    const read = await readRecords(o, this.decode, onRecord, (e) => errors.push(e))
    return { findings, errors, read, filteredOut }
  }

  /** An unreadable record is not outside the filters: whether it is reported is the reader's business. */
  private outsideFilters(rt: RecordText): boolean {
    let record: CloudTrailRecord
    try {
      record = JSON.parse(rt.json()) as CloudTrailRecord
    } catch {
      return false
    }
    return !this.filter.recordPasses(record)
  }

  private run(rule: CompiledRule, ctx: MatchContext, o: LogObject, index: number, findings: Finding[], errors: TrailscanError[]): void {
    let hit
    try {
      hit = rule.match(ctx)
    } catch (err) {
      // A rule must never take the scan down; the record is named so the rule can be fixed.
      errors.push(fault(`rule ${rule.id} failed on record ${index}: ${(err as Error).message}`, o, index, err, rule.id))
      return
    }
    if (hit) findings.push(buildFinding(rule, hit, ctx.record, { uri: o.uri, recordIndex: index }, o.key))
  }
}

function fault(message: string, o: LogObject, recordIndex: number, cause: unknown, ruleId?: string): RecordParseError {
  return new RecordParseError(message, { location: { object: o.uri, recordIndex, ...(ruleId ? { ruleId } : {}) }, cause })
}
