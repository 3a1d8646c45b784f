import { CLOSING_EVENTS, type ExposureTracker } from '../correlate/exposure-tracker.js'
import { RecordParseError, type TrailscanError } from '../errors.js'
import { buildFinding, type Finding } from '../finding.js'
import type { DecodeOptions } from '../read/decompress.js'
import { readRecords, type ObjectReadResult, type RecordText } from '../read/records.js'
import { topLevelString } from '../read/top-level-string.js'
import type { CloudTrailRecord } from '../record.js'
import { toEventBridgeEnvelope } from '../rule/eventbridge/index.js'
import type { CompiledRule, MatchContext } from '../rule/matcher.js'
import { ByteLiteralCursor } from '../rule/byte-literal.js'
import { LiteralCursor } from '../rule/literal-cursor.js'
import type { RuleIndex } from '../rule/rule-index.js'
import type { LogObject } from '../source/log-object.js'
import { FieldReader } from './field-reader.js'
import type { RecordFilter } from './record-filter.js'

export interface ObjectOutcome {
  findings: Finding[]
  errors: TrailscanError[]
  read: ObjectReadResult
  /** Records parsed but outside the filters. */
  filteredOut: number
}

/**
 * One object → its findings and faults. The hot path: read each record's eventName (and the literals of the
 * unindexed rules) from its bytes, and decode, parse and match only the records some rule may fire on.
 */
export class ObjectScanner {
  /** eventName (and eventSource, when some rule is grouped by it) read from a compact record's bytes. */
  private readonly names: FieldReader
  private readonly sources: FieldReader | undefined

  constructor(
    private readonly index: RuleIndex,
    private readonly filter: RecordFilter,
    private readonly tracker: ExposureTracker,
    private readonly decode: DecodeOptions,
  ) {
    this.names = new FieldReader('eventName', new Set([...index.names(), ...CLOSING_EVENTS]))
    this.sources = index.hasSourced ? new FieldReader('eventSource', index.sources()) : undefined
  }

  async scan(o: LogObject): Promise<ObjectOutcome> {
    const findings: Finding[] = []
    const errors: TrailscanError[] = []
    let filteredOut = 0
    const cursor = new LiteralCursor()
    const byteCursor = new ByteLiteralCursor()
    const index = this.index
    const onRecord = (rt: RecordText): void => {
      const bytes = rt.bytes
      let rawName: string | undefined
      // `null`: no rule is grouped by eventSource, so it is not read at all (the shipped packs have none).
      let rawSource: string | null | undefined
      let unindexed: readonly CompiledRule[]
      if (bytes) {
        rawName = this.names.read(bytes, rt.start, rt.end)
        rawSource = this.sources ? this.sources.read(bytes, rt.start, rt.end) : null
        unindexed = index.unindexedInBytes(bytes, rt.start, rt.end, byteCursor)
      } else {
        // Absent or unreadable: the record is parsed and its own fields decide.
        rawName = topLevelString(rt.raw, 'eventName') ?? undefined
        rawSource = index.hasSourced ? (topLevelString(rt.raw, 'eventSource') ?? undefined) : null
        unindexed = index.unindexedIn(rt.chunk!, rt.start, rt.end, cursor)
      }
      const namedGroup = index.named(rawName)
      const sourcedGroup = index.sourced(rawSource)
      // A record is read as text only when a rule of its group has literals (or a raw test) to check.
      const named = index.passingRawTests(index.mayMatch(namedGroup, rt), rt)
      const sourced = index.passingRawTests(index.mayMatch(sourcedGroup, rt), rt)
      unindexed = index.passingRawTests(unindexed, rt)
      if (
        rawName !== undefined &&
        rawSource !== undefined &&
        unindexed.length === 0 &&
        named.length === 0 &&
        sourced.length === 0 &&
        !CLOSING_EVENTS.has(rawName)
      )
        return
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
      for (const rule of rawName === undefined ? this.index.named(record.eventName) : named) this.run(rule, ctx, o, rt.index, findings, errors)
      if (rawSource !== null)
        for (const rule of rawSource === undefined ? this.index.sourced(record.eventSource) : sourced) this.run(rule, ctx, o, rt.index, findings, errors)
      for (const rule of unindexed) this.run(rule, ctx, o, rt.index, findings, errors)
    }
    const read = await readRecords(o, this.decode, onRecord, (e) => errors.push(e))
    return { findings, errors, read, filteredOut }
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
