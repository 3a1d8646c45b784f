import type { CompiledRule } from './matcher.js'

/**
 * Rules grouped by the eventName they can fire on, so a record consults only its own handful of rules rather
 * than every rule loaded. Rules with no eventName constraint (CIS 4.1 on errorCode, 4.3 on the root user) are
 * guarded by their literals instead: a record whose raw text lacks them cannot match, is not parsed for their
 * sake, and does not run them. Only rules with neither an eventName nor a literal run on every record.
 */
export class RuleIndex {
  private readonly byName = new Map<string, CompiledRule[]>()
  /** Unindexed rules without literals: consulted for every record. */
  readonly always: readonly CompiledRule[]
  /** Unindexed rules with literals, and their literal alternatives. */
  private readonly guarded: readonly CompiledRule[]
  /** Any literal of any guarded rule: one chunk-wide regex pass finds the records worth the exact test. */
  private readonly anyLiteral: RegExp | undefined
  private readonly empty: readonly CompiledRule[] = []

  constructor(readonly rules: readonly CompiledRule[]) {
    const always: CompiledRule[] = []
    const guarded: CompiledRule[] = []
    for (const r of rules) {
      const names = r.indexKeys.eventName
      if (names !== null) {
        for (const n of new Set(names)) {
          let list = this.byName.get(n)
          if (!list) this.byName.set(n, (list = []))
          list.push(r)
        }
      } else if (r.literals === null || r.literals.some((set) => set.length === 0)) always.push(r)
      else guarded.push(r)
    }
    this.always = always
    this.guarded = guarded
    const all = new Set(guarded.flatMap((r) => r.literals!.flat()))
    if (all.size > 0) this.anyLiteral = new RegExp([...all].map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
  }

  /** Rules indexed under this eventName (empty when none). */
  named(eventName: unknown): readonly CompiledRule[] {
    return typeof eventName === 'string' ? (this.byName.get(eventName) ?? this.empty) : this.empty
  }

  /** The unindexed rules that may match a record with this raw text. */
  unindexed(text: string): readonly CompiledRule[] {
    return this.unindexedIn(text, 0, text.length, undefined)
  }

  /**
   * The same for the record at [start, end) of `chunk`. With a cursor, the next literal occurrence is remembered
   * across the records of a chunk (records arrive in order), so most records are dismissed without a search.
   */
  unindexedIn(chunk: string, start: number, end: number, cursor: LiteralCursor | undefined): readonly CompiledRule[] {
    if (this.guarded.length === 0) return this.always
    if (cursor && this.anyLiteral && !cursor.hitWithin(this.anyLiteral, chunk, start, end)) return this.always
    const text = start === 0 && end === chunk.length ? chunk : chunk.slice(start, end)
    const hits = this.guarded.filter((r) => r.literals!.some((set) => set.every((l) => text.includes(l))))
    return hits.length === 0 ? this.always : this.always.length === 0 ? hits : [...this.always, ...hits]
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
