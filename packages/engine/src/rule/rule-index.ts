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
  }

  /** Rules indexed under this eventName (empty when none). */
  named(eventName: unknown): readonly CompiledRule[] {
    return typeof eventName === 'string' ? (this.byName.get(eventName) ?? this.empty) : this.empty
  }

  /** Could any unindexed rule match a record with this raw text? A necessary condition only. */
  unindexedMayMatch(text: string): boolean {
    if (this.unindexed.length === 0) return false
    const lits = this.unindexedLiterals
    if (lits === null) return true
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
