/**
 * Necessary conditions a rule puts on the few record fields the scanner reads straight from a record's bytes
 * (select/raw-fields.ts), so that a rule on errorCode, sourceIPAddress, userIdentity.type or an EventBridge
 * `source` is consulted only for records whose value can satisfy it, without a literal search over every
 * record's text and without parsing. Each test is the rule's own comparison applied to the field's string
 * value, so it answers exactly as the rule would for that field.
 *
 * Only conditions that a record without the field fails are emitted (CWL comparisons, EventBridge matchers
 * other than `exists: false`). That makes a wrong "absent" harmless and lets the scanner rule a record out on
 * absence alone.
 */
/** Fields rules may be keyed or tested on. */
const TESTED_FIELDS = ['eventName', 'eventSource', 'errorCode', 'sourceIPAddress', 'userIdentity.type'] as const
/**
 * Every field read from the raw record: the tested ones, then eventTime and awsRegion, which only the record
 * filter reads (select/record-filter.ts), to place records no rule wants inside or outside --start/--end/--region.
 */
export const RAW_FIELDS = [...TESTED_FIELDS, 'eventTime', 'awsRegion'] as const
export type RawField = (typeof RAW_FIELDS)[number]

export interface FieldTest {
  readonly field: RawField
  /** Whether a record whose field is this string can match; a record without the field cannot. */
  test(value: string): boolean
}

/** A field the record does not have. */
export const ABSENT = Symbol('absent')
/** A field whose value cannot be told without parsing the record (not a plain string, an escape, an odd layout). */
export const UNKNOWN = Symbol('unknown')
export type FieldValue = string | typeof ABSENT | typeof UNKNOWN

/** A record's raw fields, read on demand. */
export interface RawFields {
  get(field: RawField): FieldValue
}

/** Whether `tests` may all hold for the record: a missing field fails, one that cannot be read passes. */
export function fieldTestsHold(tests: readonly FieldTest[], fields: RawFields): boolean {
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i]!
    const v = fields.get(t.field)
    if (v === ABSENT) return false
    if (v !== UNKNOWN && !t.test(v)) return false
  }
  return true
}

const BY_PATH: ReadonlySet<string> = new Set(TESTED_FIELDS)

/** The raw field a dotted path of object keys (`userIdentity.type`) names, if it is one. */
export function rawFieldOf(path: string): RawField | undefined {
  return BY_PATH.has(path) ? (path as RawField) : undefined
}

/**
 * Tests per field for an OR of alternatives, each a list of tests that must all hold: a field yields a test
 * only when every alternative constrains it, and the test holds when one alternative's tests on it all hold.
 */
export function anyOfAlternatives(alternatives: readonly (readonly FieldTest[])[]): FieldTest[] {
  if (alternatives.length === 0) return []
  if (alternatives.length === 1) return [...alternatives[0]!]
  const out: FieldTest[] = []
  for (const field of TESTED_FIELDS) {
    const perAlt = alternatives.map((tests) => tests.filter((t) => t.field === field))
    if (perAlt.some((tests) => tests.length === 0)) continue
    out.push({ field, test: (v) => perAlt.some((tests) => tests.every((t) => t.test(v))) })
  }
  return out
}
