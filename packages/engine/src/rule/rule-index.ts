import type { CompiledRule } from './matcher.js'

/**
 * Rules grouped by the eventName they can fire on, so a record consults only its own handful of rules rather
 * than every rule loaded. The few rules with no eventName constraint (CIS 4.1 on errorCode, 4.3 on the root
 * user) are guarded by their literals instead: a record whose raw text lacks them cannot match, and is not
 * parsed for their sake.
 */
export class RuleIndex {
  private readonly byName = new Map<string, CompiledRule[]>()
  /** Rules consulted for every record whose text passes their literal test. */
  readonly unindexed: readonly CompiledRule[]
  private readonly unindexedLiterals: readonly (readonly (readonly string[])[])[] | null
  private readonly empty: readonly CompiledRule[] = []

  constructor(readonly rules: readonly CompiledRule[]) {
    const unindexed: CompiledRule[] = []
    for (const r of rules) {
      const names = r.indexKeys.eventName
      if (names === null) {
        unindexed.push(r)
        continue
      }
      for (const n of new Set(names)) {
        let list = this.byName.get(n)
        if (!list) this.byName.set(n, (list = []))
        list.push(r)
      }
    }
    this.unindexed = unindexed
    // One rule without literals means every record must be looked at; flatten to null for a single test.
    this.unindexedLiterals = unindexed.some((r) => r.literals === null) ? null : unindexed.map((r) => r.literals!)
    const all = new Set((this.unindexedLiterals ?? []).flat(2))
    // An alternative with no literal at all matches any text; then no chunk-wide shortcut is possible.
    const unconstrained = (this.unindexedLiterals ?? []).some((alts) => alts.some((set) => set.length === 0))
    if (all.size > 0 && !unconstrained)
      this.anyLiteral = new RegExp([...all].map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
  }

  /** Rules indexed under this eventName (empty when none). */
  named(eventName: unknown): readonly CompiledRule[] {
    return typeof eventName === 'string' ? (this.byName.get(eventName) ?? this.empty) : this.empty
  }

  /** Could any unindexed rule match a record with this raw text? A necessary condition only. */
  unindexedMayMatch(text: string): boolean {
    return this.unindexedMayMatchIn(text, 0, text.length, undefined)
  }

  /** Any literal of any unindexed rule: a necessary condition for the exact test, searched chunk-wide. */
  private readonly anyLiteral: RegExp | undefined

  /**
   * The same test for the record at [start, end) of `chunk`. A cursor remembers, across the records of a chunk,
   * where the next occurrence of any unindexed literal is: one regex pass over the chunk (alternation runs at
   * ~2 GB/s, against three `includes` per record) rejects every record before it, and only a record that holds
   * an occurrence gets the exact per-rule test. Records arrive in order, which is what makes that valid.
   */
  unindexedMayMatchIn(chunk: string, start: number, end: number, cursor: LiteralCursor | undefined): boolean {
    if (this.unindexed.length === 0) return false
    const lits = this.unindexedLiterals
    if (lits === null) return true
    if (cursor && this.anyLiteral && !cursor.hitWithin(this.anyLiteral, chunk, start, end)) return false
    const text = start === 0 && end === chunk.length ? chunk : chunk.slice(start, end)
    for (const alternatives of lits) {
      for (const all of alternatives) {
        let ok = true
        for (const l of all) {
          if (!text.includes(l)) {
            ok = false
            break
          }
        }
        if (ok) return true
      }
    }
    return false
  }

  /** Every eventName some rule is indexed under. */
  names(): IterableIterator<string> {
    return this.byName.keys()
  }
}

/** Where the next literal occurrence in the current chunk is; reset when the chunk changes. */
export class LiteralCursor {
  private chunk: string | undefined
  private next = -1

  hitWithin(re: RegExp, chunk: string, start: number, end: number): boolean {
    if (chunk !== this.chunk || (this.next !== -1 && this.next < start)) {
      this.chunk = chunk
      re.lastIndex = start
      const m = re.exec(chunk)
      this.next = m ? m.index : -1
    }
    return this.next !== -1 && this.next < end
  }
}
