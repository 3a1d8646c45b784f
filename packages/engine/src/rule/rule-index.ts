import { BYTE_LITERALS_MAX, byteLiteral, type ByteLiteral, type ByteLiteralCursor } from './byte-literal.js'
import { LiteralCursor } from './literal-cursor.js'
import type { CompiledRule } from './matcher.js'

/**
 * Rules grouped by the eventName they can fire on, so a record consults only its own handful of rules rather
 * than every rule loaded; rules that constrain only the eventSource are grouped by that. Rules with neither (CIS 4.1 on errorCode, 4.3 on the root user) are
 * guarded by their literals instead: a record whose raw text lacks them cannot match, is not parsed for their
 * sake, and does not run them. Only rules with neither an eventName nor a literal run on every record.
 */
export class RuleIndex {
  private readonly byName = new Map<string, CompiledRule[]>()
  /** Rules with no eventName constraint but an eventSource one, by eventSource. */
  private readonly bySource = new Map<string, CompiledRule[]>()
  /** Unindexed rules without literals: consulted for every record. */
  readonly always: readonly CompiledRule[]
  /** Unindexed rules with literals. */
  private readonly guarded: readonly CompiledRule[]
  /** Every literal of every guarded rule, longest first, as one global regex (see LiteralCursor). */
  private readonly anyLiteral: RegExp | undefined
  /** Literal → the literals it contains (itself included): found one, found them all. */
  private readonly contained = new Map<string, readonly string[]>()
  /** Literal → guarded rules with an alternative made of that literal alone. */
  private readonly byLiteral = new Map<string, CompiledRule[]>()
  /** Guarded rules with an alternative of several literals: checked against the set found. */
  private readonly multi: readonly CompiledRule[]
  private readonly byteLiterals: readonly ByteLiteral[] | undefined
  private readonly found = new Set<string>()
  /** Per group (by identity): its literals, and each rule's alternatives as indexes into them. */
  private readonly plans = new Map<readonly CompiledRule[], GroupPlan>()
  private literalState = new Int8Array(16)
  private readonly hasRawTests: boolean
  private readonly empty: readonly CompiledRule[] = []

  constructor(readonly rules: readonly CompiledRule[]) {
    const always: CompiledRule[] = []
    const guarded: CompiledRule[] = []
    for (const r of rules) {
      const names = r.indexKeys.eventName
      const sources = r.indexKeys.eventSource
      if (names !== null) addTo(this.byName, names, r)
      else if (sources !== null) addTo(this.bySource, sources, r)
      else if (r.literals === null || r.literals.some((set) => set.length === 0)) always.push(r)
      else guarded.push(r)
    }
    for (const [name, group] of this.byName) this.plans.set(group, planFor(group, `"eventName":${JSON.stringify(name)}`))
    for (const [source, group] of this.bySource) this.plans.set(group, planFor(group, `"eventSource":${JSON.stringify(source)}`))
    this.hasRawTests = rules.some((r) => r.rawTest !== undefined)
    this.always = always
    this.guarded = guarded
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
    for (const l of all) this.contained.set(l, all.filter((o) => l.includes(o)))
    // Few literals: each is looked for in the bytes on its own. Many: one regex over the bytes read as text.
    if (all.length > 0 && all.length <= BYTE_LITERALS_MAX) this.byteLiterals = all.map((l) => byteLiteral(l))
    if (all.length > 0) this.anyLiteral = new RegExp(all.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
  }

  /** Rules indexed under this eventName (empty when none). */
  named(eventName: unknown): readonly CompiledRule[] {
    return typeof eventName === 'string' ? (this.byName.get(eventName) ?? this.empty) : this.empty
  }

  /**
   * The rules of a group (named or sourced) that may match this record: those without literals, and those whose
   * literals the raw text holds. With a thousand rules most eventNames have some rule, so without this test
   * nearly every record would be parsed; with it, a record is parsed only when a rule's other values are there.
   * Each distinct literal of the group is looked for at most once per record, and literals the group's own key
   * already puts in the text (`"DisableRule"` for the rules under eventName DisableRule) are not looked for.
   * `record.raw` is read only when some literal has to be.
   */
  mayMatch(group: readonly CompiledRule[], record: string | { readonly raw: string }): readonly CompiledRule[] {
    if (group.length === 0) return group
    const plan = this.plans.get(group) ?? planFor(group, '')
    if (plan.literals.length === 0) return group
    const raw = typeof record === 'string' ? record : record.raw
    const state = this.literalState.length >= plan.literals.length ? this.literalState : (this.literalState = new Int8Array(plan.literals.length * 2))
    state.fill(0, 0, plan.literals.length)
    let out: CompiledRule[] | undefined
    for (let i = 0; i < group.length; i++) {
      const alts = plan.alternatives[i]!
      let ok = alts === null
      for (let a = 0; !ok && a < alts!.length; a++) {
        const set = alts![a]!
        ok = true
        for (let k = 0; ok && k < set.length; k++) {
          const l = set[k]!
          if (state[l] === 0) state[l] = raw.includes(plan.literals[l]!) ? 1 : 2
          ok = state[l] === 1
        }
      }
      if (ok && out) out.push(group[i]!)
      else if (!ok && !out) out = group.slice(0, i)
    }
    return out ?? group
  }

  /**
   * `rules` without those whose raw-text test (rule.rawTest) rules the record out; the same array when none
   * does. Run on a record's candidates only, after the literals, just before it would be parsed for them.
   */
  passingRawTests(rules: readonly CompiledRule[], record: { readonly raw: string }): readonly CompiledRule[] {
    if (!this.hasRawTests || rules.length === 0) return rules
    let out: CompiledRule[] | undefined
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!
      const ok = r.rawTest === undefined || r.rawTest(record.raw)
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
  sourced(eventSource: unknown): readonly CompiledRule[] {
    return typeof eventSource === 'string' ? (this.bySource.get(eventSource) ?? this.empty) : this.empty
  }

  /** The unindexed rules that may match a record with this raw text. */
  unindexed(text: string): readonly CompiledRule[] {
    return this.unindexedIn(text, 0, text.length, undefined)
  }

  /**
   * The same for the record at [start, end) of `chunk`. One global regex of every literal walks the chunk once
   * (the cursor keeps its place across records, which arrive in order) and reports which literals each record
   * holds; the rules follow from maps, so the cost does not grow with the number of guarded rules.
   */
  unindexedIn(chunk: string, start: number, end: number, cursor: LiteralCursor | undefined): readonly CompiledRule[] {
    if (this.guarded.length === 0 || !this.anyLiteral) return this.always
    const found = this.found
    found.clear()
    ;(cursor ?? new LiteralCursor()).collect(this.anyLiteral, chunk, start, end, found)
    return this.rulesWith(found)
  }

  /**
   * The same for the record at bytes [start, end) of `buf`, for records the byte splitter delivers. With a few
   * literals, each one's next occurrence is found with Buffer.indexOf and remembered until the records pass it,
   * so the bytes are never decoded; with more, one pass of memchr-speed searches per literal would cost more
   * than reading the bytes as latin1 once and walking them with the one regex.
   */
  unindexedInBytes(buf: Buffer, start: number, end: number, cursor: ByteLiteralCursor): readonly CompiledRule[] {
    if (this.guarded.length === 0 || !this.anyLiteral) return this.always
    const found = this.found
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

  /** Every eventName some rule is indexed under. */
  names(): IterableIterator<string> {
    return this.byName.keys()
  }

  /** Every eventSource some rule (with no eventName constraint) is indexed under. */
  sources(): IterableIterator<string> {
    return this.bySource.keys()
  }
}

interface GroupPlan {
  literals: readonly string[]
  /** Per rule of the group: null when it needs no literal, else its alternatives (every literal of one). */
  alternatives: readonly (readonly (readonly number[])[] | null)[]
}

/** `implied`: text every record of the group holds (its key as CloudTrail writes it). */
function planFor(group: readonly CompiledRule[], implied: string): GroupPlan {
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
  return { literals, alternatives }
}

function addTo(map: Map<string, CompiledRule[]>, keys: readonly string[], r: CompiledRule): void {
  for (const k of new Set(keys)) {
    let list = map.get(k)
    if (!list) map.set(k, (list = []))
    list.push(r)
  }
}
