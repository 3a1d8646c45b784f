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
  private readonly found = new Set<string>()
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
   */
  mayMatch(group: readonly CompiledRule[], raw: string): readonly CompiledRule[] {
    if (group.length === 0) return group
    let out: CompiledRule[] | undefined
    for (let i = 0; i < group.length; i++) {
      const r = group[i]!
      const ok = r.literals === null || r.literals.some((set) => set.every((l) => raw.includes(l)))
      if (ok && out) out.push(r)
      else if (!ok && !out) out = group.slice(0, i)
    }
    return out ?? group
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
}

function addTo(map: Map<string, CompiledRule[]>, keys: readonly string[], r: CompiledRule): void {
  for (const k of new Set(keys)) {
    let list = map.get(k)
    if (!list) map.set(k, (list = []))
    list.push(r)
  }
}

/**
 * A walk through one chunk's literal occurrences, in order. The regex lists literals longest first, and each
 * search restarts one character after the previous match, so every position where some literal starts is seen,
 * with the longest literal there; the shorter ones there are inside it (RuleIndex.contained). Together that finds
 * every literal in a record, overlapping ones included.
 */
export class LiteralCursor {
  private chunk: string | undefined
  private at = -1
  private text = ''

  collect(re: RegExp, chunk: string, start: number, end: number, found: Set<string>): void {
    if (chunk !== this.chunk) {
      this.chunk = chunk
      this.search(re, start)
    } else if (this.at !== -1 && this.at < start) this.search(re, start)
    while (this.at !== -1 && this.at < end) {
      if (this.at + this.text.length <= end) found.add(this.text)
      this.search(re, this.at + 1)
    }
  }

  private search(re: RegExp, from: number): void {
    re.lastIndex = from
    const m = re.exec(this.chunk!)
    this.at = m ? m.index : -1
    this.text = m ? m[0] : ''
  }
}
