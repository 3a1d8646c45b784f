import type { CompiledRule } from './matcher.js'

/**
 * Rules grouped by the eventName they can fire on, so a record consults only its own handful of rules
 * rather than every rule loaded. Rules without an eventName constraint are consulted for every record.
 */
export class RuleIndex {
  private readonly byName = new Map<string, CompiledRule[]>()
  private readonly anyName: CompiledRule[] = []
  private readonly empty: readonly CompiledRule[] = []
  /** Per name, the name-specific rules followed by the unconstrained ones, built once. */
  private readonly merged = new Map<string, readonly CompiledRule[]>()

  constructor(readonly rules: readonly CompiledRule[]) {
    for (const r of rules) {
      const names = r.indexKeys.eventName
      if (names === null) {
        this.anyName.push(r)
        continue
      }
      for (const n of new Set(names)) {
        let list = this.byName.get(n)
        if (!list) this.byName.set(n, (list = []))
        list.push(r)
      }
    }
    for (const [n, list] of this.byName) this.merged.set(n, [...list, ...this.anyName])
  }

  /** The rules that may fire on a record with this eventName, in load order within each group. */
  candidates(eventName: unknown): readonly CompiledRule[] {
    if (typeof eventName === 'string') {
      const m = this.merged.get(eventName)
      if (m) return m
    }
    return this.anyName.length > 0 ? this.anyName : this.empty
  }

  /** Every eventName some rule is indexed under. */
  names(): IterableIterator<string> {
    return this.byName.keys()
  }

  get hasUnindexed(): boolean {
    return this.anyName.length > 0
  }
}
