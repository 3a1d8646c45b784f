import { BYTE_LITERALS_MAX, byteLiteral, type ByteLiteral, type ByteLiteralCursor } from './byte-literal.js'
import { ABSENT, fieldTestsHold, UNKNOWN, type FieldTest, type RawField, type RawFields } from './field-test.js'
import type { CompiledRule } from '../match/matcher.js'

/**
 * Rules grouped by the eventName they can fire on, so a record consults only its own handful of rules rather
 * than every rule loaded; rules that constrain only the eventSource are grouped by that. A rule with neither
 * but a field test (select/field-test.ts: errorCode, userIdentity.type, an EventBridge `source`, an IP block) is
 * keyed by one tested field, and consulted only for records whose value passes that test. Rules with none of
 * these are guarded by their literals: a record whose raw text lacks them cannot match, is not parsed for
 * their sake, and does not run them; so are rules with field tests while all these literals together are few
 * enough to find in the bytes at memchr speed (the shipped packs' CIS 4.1 and 4.3). Only rules with nothing at
 * all run on every record.
 *
 * A rule's other field tests and its literals are checked for each record before it is parsed for the rule.
 *
 * Built once per scan and never changed after (KeyedField's memo of a pure answer aside): the per-record
 * scratch (which literals a record holds) is a SelectScratch owned by the object being scanned
 * (select/selector.ts), so objects scanned at once, or in other threads, share nothing mutable.
 */
export class SelectScratch {
  /** Literals found in the current record. */
  readonly found = new Set<string>()
  /** Per literal of the current group: 0 not looked for yet, 1 present, 2 absent. */
  literalState = new Int8Array(16)
}

export class RuleIndex {
  private readonly byName = new Map<string, RuleGroup>()
  /** Rules with no eventName constraint but an eventSource one, by eventSource. */
  private readonly bySource = new Map<string, RuleGroup>()
  /** Rules with neither, keyed by a tested field. */
  private readonly keyed: readonly KeyedField[]
  /** Unindexed rules without literals: consulted for every record. */
  readonly always: readonly CompiledRule[]
  /** Unindexed rules with literals. */
  private readonly guarded: readonly CompiledRule[]
  /** `always` and `guarded`: for a record whose spelling the literal search cannot vouch for (select/raw-fields.ts). */
  readonly everyUnindexed: readonly CompiledRule[]
  /** Every literal of every guarded rule, longest first, as one global regex (see LiteralCursor). */
  private readonly anyLiteral: RegExp | undefined
  /** Literal → the literals it contains (itself included): found one, found them all. */
  private readonly contained = new Map<string, readonly string[]>()
  /** Literal → guarded rules with an alternative made of that literal alone. */
  private readonly byLiteral = new Map<string, CompiledRule[]>()
  /** Guarded rules with an alternative of several literals: checked against the set found. */
  private readonly multi: readonly CompiledRule[]
  private readonly byteLiterals: readonly ByteLiteral[] | undefined
  /** Whether some rule guarded by literals also has field tests (passingFieldTests). */
  private readonly hasGuardedTests: boolean
  private readonly empty: readonly CompiledRule[] = []

  constructor(readonly rules: readonly CompiledRule[]) {
    const byName = new Map<string, CompiledRule[]>()
    const bySource = new Map<string, CompiledRule[]>()
    const always: CompiledRule[] = []
    const guarded: CompiledRule[] = []
    const withTests: CompiledRule[] = []
    const hasLiterals = (r: CompiledRule): boolean => r.literals !== null && r.literals.every((set) => set.length > 0)
    for (const r of rules) {
      const names = r.indexKeys.eventName
      const sources = r.indexKeys.eventSource
      if (names !== null) addTo(byName, names, r)
      else if (sources !== null) addTo(bySource, sources, r)
      else if (keyField(r.fieldTests) !== undefined) withTests.push(r)
      else if (hasLiterals(r)) guarded.push(r)
      else always.push(r)
    }
    // A few literals are found in the bytes at memchr speed, cheaper than reading fields from every record (the
    // shipped packs: CIS 4.1 and 4.3, three literals); past that, rules with field tests are keyed by them.
    const movable = withTests.filter(hasLiterals)
    const literalCount = new Set([...guarded, ...movable].flatMap((r) => r.literals!.flat())).size
    const byLiterals = movable.length > 0 && literalCount <= BYTE_LITERALS_MAX ? new Set(movable) : new Set<CompiledRule>()
    const keyed = new Map<RawField, KeyedField>()
    for (const r of withTests) {
      if (byLiterals.has(r)) {
        guarded.push(r)
        continue
      }
      const key = keyField(r.fieldTests)!
      let k = keyed.get(key)
      if (!k) keyed.set(key, (k = new KeyedField(key)))
      k.add(r)
    }
    this.hasGuardedTests = guarded.some((r) => r.fieldTests !== undefined)
    for (const [name, rules] of byName)
      this.byName.set(name, { rules, plan: planFor(rules, `"eventName":${JSON.stringify(name)}`, 'eventName') })
    for (const [source, rules] of bySource)
      this.bySource.set(source, { rules, plan: planFor(rules, `"eventSource":${JSON.stringify(source)}`, 'eventSource') })
    this.keyed = [...keyed.values()].sort((a, b) => KEY_ORDER.indexOf(a.field) - KEY_ORDER.indexOf(b.field))
    this.always = always
    this.guarded = guarded
    this.everyUnindexed = [...always, ...guarded]
    const multi: CompiledRule[] = []
    for (const r of guarded) {
      if (r.literals!.some((set) => set.length > 1)) multi.push(r)
      for (const set of r.literals!) {
        if (set.length !== 1) continue
        const list = this.byLiteral.get(set[0]!) ?? []
        if (!list.includes(r)) list.push(r)
        this.byLiteral.set(set[0]!, list)
      }
    }
    this.multi = multi
    const all = [...new Set(guarded.flatMap((r) => r.literals!.flat()))].sort((a, b) => b.length - a.length)
    for (const l of all)
      this.contained.set(
        l,
        all.filter((o) => l.includes(o)),
      )
    // Few literals: each is looked for in the bytes on its own. Many: one regex over the bytes read as text.
    if (all.length > 0 && all.length <= BYTE_LITERALS_MAX) this.byteLiterals = all.map((l) => byteLiteral(l))
    // An alternation of escaped literals: no quantifier to backtrack into, O(|text| × total literal length) at worst.
    if (all.length > 0) this.anyLiteral = new RegExp(all.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
  }

  /** Rules indexed under this eventName (empty when none). */
  named(eventName: unknown): RuleGroup {
    return typeof eventName === 'string' ? (this.byName.get(eventName) ?? EMPTY_GROUP) : EMPTY_GROUP
  }

  /**
   * The rules of a group (named or sourced) that may match this record: those whose other field tests the
   * record's fields pass, and whose literals its raw text holds. With a thousand rules most eventNames and
   * eventSources have some rule, so without these tests nearly every record would be parsed; with them, a
   * record is parsed only when a rule's other values are there. Field tests come first, since they need no
   * text; each distinct literal of the group is then looked for at most once per record, and literals the
   * group's own key already puts in the text (`"DisableRule"` for the rules under eventName DisableRule) are
   * not looked for. `record.raw` is read only when some literal has to be. Without `fields`, field tests pass.
   */
  mayMatch(
    g: RuleGroup,
    record: string | { readonly raw: string },
    fields?: RawFields,
    scratch: SelectScratch = new SelectScratch(),
  ): readonly CompiledRule[] {
    const group = g.rules
    if (group.length === 0) return group
    const plan = g.plan
    if (plan.literals.length === 0 && (!plan.tested || !fields)) return group
    const state =
      scratch.literalState.length >= plan.literals.length
        ? scratch.literalState
        : (scratch.literalState = new Int8Array(plan.literals.length * 2))
    state.fill(0, 0, plan.literals.length)
    let raw: string | undefined
    let out: CompiledRule[] | undefined
    // Nothing is allocated until a rule passes after one has been dropped: most records drop them all.
    let firstDrop = -1
    for (let i = 0; i < group.length; i++) {
      const tests = plan.tests[i]!
      const alts = plan.alternatives[i]!
      let ok = tests.length === 0 || !fields || fieldTestsHold(tests, fields)
      if (ok && alts !== null) {
        ok = false
        for (let a = 0; !ok && a < alts.length; a++) {
          const set = alts[a]!
          ok = true
          for (let k = 0; ok && k < set.length; k++) {
            const l = set[k]!
            if (state[l] === 0) state[l] = (raw ??= typeof record === 'string' ? record : record.raw).includes(plan.literals[l]!) ? 1 : 2
            ok = state[l] === 1
          }
        }
      }
      if (!ok) {
        if (firstDrop < 0) firstDrop = i
      } else if (firstDrop >= 0) (out ??= group.slice(0, firstDrop)).push(group[i]!)
    }
    return firstDrop < 0 ? group : (out ?? (firstDrop === 0 ? this.empty : group.slice(0, firstDrop)))
  }

  /**
   * The rules keyed by a field whose value in this record passes their key test and whose other field tests
   * hold. A field absent from the record rules its rules out; one that cannot be read lets them all through.
   * The answer for a value is remembered, so a record costs one read and one map lookup per keyed field.
   */
  keyedBy(fields: RawFields): readonly CompiledRule[] {
    let out: CompiledRule[] | undefined
    for (let k = 0; k < this.keyed.length; k++) {
      const key = this.keyed[k]!
      const v = fields.get(key.field)
      if (v === ABSENT) continue
      const hits = v === UNKNOWN ? key.all : key.passing(v)
      for (let i = 0; i < hits.length; i++) {
        const hit = hits[i]!
        if (hit.rest.length === 0 || fieldTestsHold(hit.rest, fields)) (out ??= []).push(hit.rule)
      }
    }
    return out ?? this.empty
  }

  /** Whether some rule is keyed by a field other than eventName and eventSource. */
  get hasKeyed(): boolean {
    return this.keyed.length > 0
  }

  /**
   * `rules` (candidates found by their literals) without those whose field tests the record fails: a record
   * holding `"Root"` somewhere is not parsed for CIS 4.3 when its userIdentity.type reads IAMUser. The same
   * array when none is dropped.
   */
  passingFieldTests(rules: readonly CompiledRule[], fields: RawFields): readonly CompiledRule[] {
    if (!this.hasGuardedTests || rules.length === 0) return rules
    let out: CompiledRule[] | undefined
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!
      const ok = r.fieldTests === undefined || fieldTestsHold(r.fieldTests, fields)
      if (ok && out) out.push(r)
      else if (!ok && !out) out = rules.slice(0, i)
    }
    return out ?? rules
  }

  /** Whether any rule is grouped by eventSource; when none is, a record's eventSource need not be read. */
  get hasSourced(): boolean {
    return this.bySource.size > 0
  }

  /** Rules with no eventName constraint indexed under this eventSource (empty when none). */
  sourced(eventSource: unknown): RuleGroup {
    return typeof eventSource === 'string' ? (this.bySource.get(eventSource) ?? EMPTY_GROUP) : EMPTY_GROUP
  }

  /**
   * The rules guarded by literals whose literals the record at bytes [start, end) of `buf` holds, with those that
   * run on every record. Rules keyed by a field come from keyedBy; those guarded here that have field tests
   * still go through passingFieldTests. With a few literals, each one's next occurrence is found with
   * Buffer.indexOf and remembered until the records pass it, so the bytes are never decoded; with more, one
   * pass of memchr-speed searches per literal would cost more than reading the bytes as latin1 once and walking
   * them with the one regex of every literal (the cursor keeps its place across records, which arrive in order).
   * Either way the rules follow from maps, so the cost does not grow with the number of guarded rules.
   */
  unindexedInBytes(buf: Buffer, start: number, end: number, cursor: ByteLiteralCursor, scratch: SelectScratch): readonly CompiledRule[] {
    if (this.guarded.length === 0 || !this.anyLiteral) return this.always
    const found = scratch.found
    found.clear()
    const lits = this.byteLiterals
    if (lits) cursor.collect(lits, buf, start, end, found)
    else cursor.text.collect(this.anyLiteral, cursor.textOf(buf), start, end, found)
    return this.rulesWith(found)
  }

  private rulesWith(found: Set<string>): readonly CompiledRule[] {
    if (found.size === 0) return this.always
    for (const l of [...found]) for (const inner of this.contained.get(l) ?? []) found.add(inner)
    const hits = new Set<CompiledRule>()
    for (const l of found) for (const r of this.byLiteral.get(l) ?? this.empty) hits.add(r)
    for (const r of this.multi) if (!hits.has(r) && r.literals!.some((set) => set.every((l) => found.has(l)))) hits.add(r)
    if (hits.size === 0) return this.always
    return this.always.length === 0 ? [...hits] : [...this.always, ...hits]
  }
}

/**
 * Which tested field keys a rule: the one whose test passes on the fewest records. errorCode is absent from
 * nine records in ten; a userIdentity.type test is usually on a rare type (Root); eventName tests here are
 * non-exact (prefixes), sourceIPAddress ones blocks and prefixes, eventSource ones whole services.
 */
const KEY_ORDER: readonly RawField[] = ['errorCode', 'userIdentity.type', 'eventName', 'sourceIPAddress', 'eventSource']

function keyField(tests: readonly FieldTest[] | undefined): RawField | undefined {
  if (!tests) return undefined
  return KEY_ORDER.find((f) => tests.some((t) => t.field === f))
}

interface KeyedRule {
  rule: CompiledRule
  /** Its tests on the key field, all of which must hold. */
  key: readonly FieldTest[]
  /** Its tests on other fields. */
  rest: readonly FieldTest[]
}

/** Past this many distinct values of a field, answers are computed for each record instead of remembered. */
const PASSING_CACHE_MAX = 4096

class KeyedField {
  readonly all: KeyedRule[] = []
  private readonly cache = new Map<string, readonly KeyedRule[]>()
  private readonly none: readonly KeyedRule[] = []

  constructor(readonly field: RawField) {}

  add(rule: CompiledRule): void {
    const tests = rule.fieldTests!
    this.all.push({ rule, key: tests.filter((t) => t.field === this.field), rest: tests.filter((t) => t.field !== this.field) })
  }

  passing(value: string): readonly KeyedRule[] {
    const cached = this.cache.get(value)
    if (cached !== undefined) return cached
    let out: KeyedRule[] | undefined
    for (const k of this.all) if (k.key.every((t) => t.test(value))) (out ??= []).push(k)
    const result = out ?? this.none
    if (this.cache.size < PASSING_CACHE_MAX) this.cache.set(value, result)
    return result
  }
}

/** Rules indexed under one eventName or eventSource, with the plan for checking them against a record. */
export interface RuleGroup {
  readonly rules: readonly CompiledRule[]
  /** Its literals, and each rule's alternatives as indexes into them. */
  readonly plan: GroupPlan
}

interface GroupPlan {
  literals: readonly string[]
  /** Per rule of the group: null when it needs no literal, else its alternatives (every literal of one). */
  alternatives: readonly (readonly (readonly number[])[] | null)[]
  /** Per rule of the group: its field tests other than on the group's key. */
  tests: readonly (readonly FieldTest[])[]
  tested: boolean
}

/** `implied`: text every record of the group holds (its key as CloudTrail writes it); `keyField`: the field it is grouped by. */
function planFor(group: readonly CompiledRule[], implied: string, keyField: RawField | undefined): GroupPlan {
  const literals: string[] = []
  const indexOf = (l: string): number => {
    const i = literals.indexOf(l)
    return i >= 0 ? i : literals.push(l) - 1
  }
  const alternatives = group.map((r) => {
    if (r.literals === null) return null
    const alts = r.literals.map((set) => set.filter((l) => !implied.includes(l)))
    return alts.some((set) => set.length === 0) ? null : alts.map((set) => set.map(indexOf))
  })
  const tests = group.map((r) => (r.fieldTests ?? []).filter((t) => t.field !== keyField))
  return { literals, alternatives, tests, tested: tests.some((t) => t.length > 0) }
}

const EMPTY_GROUP: RuleGroup = { rules: [], plan: { literals: [], alternatives: [], tests: [], tested: false } }

function addTo(map: Map<string, CompiledRule[]>, keys: readonly string[], r: CompiledRule): void {
  for (const k of new Set(keys)) {
    let list = map.get(k)
    if (!list) map.set(k, (list = []))
    list.push(r)
  }
}
