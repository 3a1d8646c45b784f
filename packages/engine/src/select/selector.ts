import type { CompiledRule } from '../match/matcher.js'
import type { RecordText } from '../read/records.js'
import type { CloudTrailRecord } from '../record.js'
import { ByteLiteralCursor } from './byte-literal.js'
import { ABSENT, UNKNOWN, type FieldValue } from './field-test.js'
import type { RawFieldReader, RecordFields } from './raw-fields.js'
import type { RecordFilter } from './record-filter.js'
import { SelectScratch, type RuleIndex } from './rule-index.js'

/** A record no rule can fire on and no observer wants: it is never parsed. */
export const SKIP = Symbol('skip')

/** What select reads once per scan: the rules, the filters, and the events an emit stage must see. */
export interface SelectPlan {
  readonly index: RuleIndex
  readonly filter: RecordFilter
  /**
   * eventNames some later stage must see parsed even when no rule wants them (the exposure tracker's closing
   * calls: emit/exposure-tracker.ts says which).
   */
  readonly watched: ReadonlySet<string>
  /** Raw field reads, with values interned across the scan (a cache of what bytes spell, not record state). */
  readonly reader: RawFieldReader
}

/**
 * The rule prefilter for one object: which rules may fire on a record, from its raw bytes, before it is
 * parsed. One selector per object scanned, owning that object's scratch (the record's raw fields, where each
 * literal next occurs in the object's bytes, which literals this record holds), so concurrent objects share
 * nothing mutable.
 *
 * A record is asked in two steps, around the parse only select can ask for: `select(rt)` answers SKIP (no rule
 * can fire: the record is never parsed) or this selector, whose `rules(record)` then gives the rules to run on
 * the parsed record, in a fixed order (by eventName, by eventSource, keyed by a field, guarded by literals), or
 * SKIP when the record is outside the filters. A field that cannot be read from the bytes (UNKNOWN) is decided
 * by the parsed record.
 */
export class Selector {
  /** Records outside the filters so far (with a filter set, every readable record is placed). */
  filteredOut = 0
  private readonly fields: RecordFields
  private readonly cursor = new ByteLiteralCursor()
  private readonly scratch = new SelectScratch()
  private readonly index: RuleIndex
  private readonly filter: RecordFilter
  private readonly watched: ReadonlySet<string>
  /** The eventSource is read only when some rule is grouped by it. */
  private readonly readsSource: boolean
  private readonly filterActive: boolean
  // The current record's answers, between select() and rules().
  private rawName: FieldValue = ABSENT
  private rawSource: FieldValue = ABSENT
  private named: readonly CompiledRule[] = []
  private sourced: readonly CompiledRule[] = []
  private keyed: readonly CompiledRule[] = []
  private unindexed: readonly CompiledRule[] = []

  constructor(plan: SelectPlan) {
    this.index = plan.index
    this.filter = plan.filter
    this.watched = plan.watched
    this.fields = plan.reader.forObject()
    this.readsSource = plan.index.hasSourced
    this.filterActive = plan.filter.active
  }

  select(rt: RecordText): typeof SKIP | this {
    const index = this.index
    const fields = this.fields
    const bytes = rt.bytes
    fields.setBytes(bytes, rt.start, rt.end)
    // A record spelled with escapes its raw reads cannot vouch for is offered every rule: its fields read
    // UNKNOWN, and literals are not looked for, so no finding depends on how a writer spelled the JSON.
    let unindexed = fields.trusted() ? index.unindexedInBytes(bytes, rt.start, rt.end, this.cursor, this.scratch) : index.everyUnindexed
    // UNKNOWN: the record is parsed and its own fields decide.
    const rawName = fields.get('eventName')
    const rawSource = this.readsSource ? fields.get('eventSource') : ABSENT
    // A record is read as text only when a rule of its group has literals to check.
    const named = index.mayMatch(index.named(rawName), rt, fields, this.scratch)
    const sourced = index.mayMatch(index.sourced(rawSource), rt, fields, this.scratch)
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
      !this.watched.has(rawName)
    ) {
      // No rule can fire, but the summary says how many records were outside the filters: with a filter set,
      // the raw eventTime and awsRegion tell, or else the parsed record.
      if (this.filterActive && !(this.filter.rawPasses(fields) ?? !this.outsideFilters(rt))) this.filteredOut++
      return SKIP
    }
    this.rawName = rawName
    this.rawSource = rawSource
    this.named = named
    this.sourced = sourced
    this.keyed = keyed
    this.unindexed = unindexed
    return this
  }

  /** The rules to run on the record select() let through, now parsed; SKIP when it is outside the filters. */
  rules(record: CloudTrailRecord): typeof SKIP | readonly CompiledRule[] {
    if (!this.filter.recordPasses(record)) {
      this.filteredOut++
      return SKIP
    }
    const named = this.rawName === UNKNOWN ? this.index.named(record.eventName).rules : this.named
    const sourced = !this.readsSource ? NONE : this.rawSource === UNKNOWN ? this.index.sourced(record.eventSource).rules : this.sourced
    return joined(named, sourced, this.keyed, this.unindexed)
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
}

const NONE: readonly CompiledRule[] = []

/** The four lists in order, without a copy when at most one has rules (the common case). */
function joined(
  a: readonly CompiledRule[],
  b: readonly CompiledRule[],
  c: readonly CompiledRule[],
  d: readonly CompiledRule[],
): readonly CompiledRule[] {
  const lists = (a.length > 0 ? 1 : 0) + (b.length > 0 ? 1 : 0) + (c.length > 0 ? 1 : 0) + (d.length > 0 ? 1 : 0)
  if (lists === 0) return NONE
  if (lists === 1) return a.length > 0 ? a : b.length > 0 ? b : c.length > 0 ? c : d
  return [...a, ...b, ...c, ...d]
}
