import { RecordParseError, type TrailscanError } from '../errors.js'
import type { CarriedClosing } from '../emit/carry.js'
import { buildFinding, type BuiltFinding } from '../emit/finding.js'
import { recordContext } from '../match/context.js'
import type { CompiledRule, MatchContext } from '../match/matcher.js'
import type { DecodeOptions } from '../read/decompress.js'
import { readRecords, type ObjectReadResult, type RecordText } from '../read/records.js'
import type { CloudTrailRecord } from '../record.js'
import { Selector, SKIP, type SelectPlan } from '../select/selector.js'
import type { LogObject } from '../source/log-object.js'

export interface ObjectOutcome {
  /** In record order; from a worker, decoded batch by batch as they are iterated (scan/worker-protocol.ts). */
  findings: Iterable<BuiltFinding>
  errors: TrailscanError[]
  read: ObjectReadResult
  /** Records outside the filters (with a filter set, every readable record is checked). */
  filteredOut: number
  /** Calls that closed a public exposure, in record order: the scan hands them to the tracker in listing order. */
  closings: CarriedClosing[]
}

/**
 * A later stage that must see certain records parsed whether or not a rule fires on them (the exposure
 * tracker: the calls that close a public exposure). Its `events` reach select as `watched`, so such records
 * are never skipped; it sees them before the filters, since a closing call outside the window still closes.
 * What it keeps is returned as data in the outcome, not told to the stage: the object may be read on a worker
 * thread, and the stage lives on the main thread, where the scan feeds it in listing order.
 */
export interface RecordWatch {
  readonly events: ReadonlySet<string>
  closingFrom(record: CloudTrailRecord): CarriedClosing | undefined
}

/**
 * Where a worker thread sends an object's findings while it is read, `size` at a time: a large object's findings
 * then never pile up in the worker (the 1 GB object has tens of thousands).
 */
export interface FindingBatches {
  size: number
  send(findings: BuiltFinding[]): void
}

/**
 * One object → its findings and faults: read (read/), select (select/selector.ts) the rules each record may
 * fire, parse only those records, match (match/), build findings (emit/finding.ts). Only the wiring is here.
 */
export class ObjectScanner {
  constructor(
    private readonly plan: SelectPlan,
    private readonly watch: RecordWatch,
    private readonly decode: DecodeOptions,
  ) {}

  async scan(o: LogObject, batches?: FindingBatches): Promise<ObjectOutcome> {
    const findings: BuiltFinding[] = []
    const errors: TrailscanError[] = []
    const closings: CarriedClosing[] = []
    const selector = new Selector(this.plan)
    const observed = this.watch.events
    const onRecord = (rt: RecordText): void => {
      const selection = selector.select(rt)
      if (selection === SKIP) return
      const text = rt.json()
      let record: CloudTrailRecord
      try {
        record = JSON.parse(text) as CloudTrailRecord
      } catch (err) {
        errors.push(fault(`record ${rt.index} is not valid JSON: ${(err as Error).message}`, o, rt.index, err))
        return
      }
      if (typeof record.eventName === 'string' && observed.has(record.eventName)) {
        const c = this.watch.closingFrom(record)
        if (c) closings.push(c)
      }
      const rules = selection.rules(record)
      if (rules === SKIP) return
      const ctx = recordContext(record, text)
      for (const rule of rules) this.run(rule, ctx, o, rt.index, findings, errors)
      if (batches && findings.length >= batches.size) batches.send(findings.splice(0))
    }
    const read = await readRecords(o, this.decode, onRecord, (e) => errors.push(e))
    return { findings, errors, read, filteredOut: selector.filteredOut, closings }
  }

  private run(
    rule: CompiledRule,
    ctx: MatchContext,
    o: LogObject,
    index: number,
    findings: BuiltFinding[],
    errors: TrailscanError[],
  ): void {
    let hit
    try {
      hit = rule.match(ctx)
    } catch (err) {
      // A rule must never take the scan down; the record is named so the rule can be fixed.
      errors.push(fault(`rule ${rule.id} failed on record ${index}: ${(err as Error).message}`, o, index, err, rule.id))
      return
    }
    if (hit) findings.push({ finding: buildFinding(rule, hit, ctx.record, { uri: o.uri, recordIndex: index }, o.key), hit })
  }
}

function fault(message: string, o: LogObject, recordIndex: number, cause: unknown, ruleId?: string): RecordParseError {
  return new RecordParseError(message, { location: { object: o.uri, recordIndex, ...(ruleId ? { ruleId } : {}) }, cause })
}
