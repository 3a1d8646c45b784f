import { changeToken, type LogObject } from '../source/log-object.js'
import { emptyState, type ScanState } from './state-model.js'

/** What the state says about a listed object. */
export type Verdict = 'new' | 'changed' | 'processed' | 'closed'

/**
 * The state while a run uses it: which listed objects to scan, what the run completed, and the document the run
 * commits. Maps (not the document's plain objects) hold keys and names: a file called `__proto__` is a name
 * like any other.
 *
 * Selection is by key and change token, never by a key watermark: CloudTrail does not write keys in key order, so
 * every key of an open day that is not processed with the same token is scanned, whenever it appears.
 */
export class StateLedger {
  private readonly groups = new Map<string, { day: string | null; keys: Map<string, string> }>()
  private readonly idsByDay = new Map<string, Set<string>>()
  /** Every finding id of the open days: the scan's dedup starts from it, so a finding already emitted is not emitted again. */
  readonly seenIds = new Set<string>()
  private readonly inFlight = new Map<string, { group: string; name: string; day: string | null; token: string }>()
  private readonly done: string[] = []
  private readonly broken = new Set<string>()
  private findings = 0

  constructor(private readonly base: ScanState) {
    for (const [prefix, g] of Object.entries(base.groups)) this.groups.set(prefix, { day: g.day, keys: new Map(Object.entries(g.keys)) })
    for (const [day, ids] of Object.entries(base.findingIds)) {
      this.idsByDay.set(day, new Set(ids))
      for (const id of ids) this.seenIds.add(id)
    }
  }

  static fresh(sources: string[], since: string | null): StateLedger {
    return new StateLedger(emptyState(sources, since))
  }

  get state(): Readonly<ScanState> {
    return this.base
  }

  /** The first delivery day a listing needs: closed days are not listed again. */
  listFrom(): string | undefined {
    const since = this.base.since?.slice(0, 10)
    const open = this.base.openFrom ?? undefined
    if (since === undefined) return open
    return open === undefined || since > open ? since : open
  }

  /** Whether `o` is to be scanned, and why (or why not). A scanned object is remembered until `completed`. */
  judge(o: Pick<LogObject, 'uri' | 'key' | 'etag' | 'size' | 'mtime'>): Verdict {
    const day = o.key.deliveryDate ?? null
    if (day !== null && this.base.openFrom !== null && day < this.base.openFrom) return 'closed'
    const { group, name } = splitUri(o.uri)
    const token = changeToken(o)
    const before = this.groups.get(group)?.keys.get(name)
    if (before === token) return 'processed'
    this.inFlight.set(o.uri, { group, name, day, token })
    return before === undefined ? 'new' : 'changed'
  }

  /**
   * An object the scan emitted (scan()'s `onObject`; its findings and errors follow it): processed from the next
   * commit on, unless its read failed (`failed`), in which case the next run tries it again.
   */
  emitted(uri: string): void {
    if (this.inFlight.has(uri)) this.done.push(uri)
  }

  /** The object could not be read (in full): its findings so far stay, and it is not marked processed. */
  failed(uri: string): void {
    this.broken.add(uri)
  }

  /** A finding written for this run, filed under its object's delivery day so that it leaves with the day. */
  finding(id: string, uri: string): void {
    const day = this.inFlight.get(uri)?.day ?? null
    let ids = this.idsByDay.get(day ?? '')
    if (!ids) this.idsByDay.set(day ?? '', (ids = new Set()))
    ids.add(id)
    this.seenIds.add(id)
    this.findings++
  }

  /** Objects the next commit marks processed. */
  get objectsCompleted(): number {
    return this.done.filter((u) => !this.broken.has(u)).length
  }

  get findingsEmitted(): number {
    return this.findings
  }

  /**
   * The document to commit. `closeBefore` (the first day still open at this run's start) is given only when the run
   * listed every open day completely: days before it, which this run listed once more after they ended a lookback
   * ago, are closed: their keys and finding ids are dropped and counted in `closed`.
   */
  next(run: {
    closeBefore?: string
    carry: unknown
    outputs: ScanState['outputs']
    lastRun: ScanState['lastRun']
    /** The delivery outbox's entries after this run; without it (a run with no --to) the earlier ones are kept. */
    undelivered?: unknown[]
  }): ScanState {
    for (const uri of this.done) {
      const o = this.inFlight.get(uri)!
      if (this.broken.has(uri)) continue
      let g = this.groups.get(o.group)
      if (!g) this.groups.set(o.group, (g = { day: o.day, keys: new Map() }))
      g.keys.set(o.name, o.token)
    }
    this.done.length = 0
    const s: ScanState = { ...this.base, groups: {}, findingIds: {}, closed: { ...this.base.closed } }
    let cut = run.closeBefore
    // A day holding an object that failed stays open, so the next listing meets the object again.
    for (const uri of this.broken) {
      const day = this.inFlight.get(uri)?.day ?? null
      if (cut !== undefined && day !== null && day < cut) cut = day
    }
    const closedDays = new Set<string>()
    for (const [prefix, g] of [...this.groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (cut !== undefined && g.day !== null && g.day < cut) {
        closedDays.add(g.day)
        s.closed.keys += g.keys.size
        if (s.closed.through === null || g.day > s.closed.through) s.closed.through = g.day
        continue
      }
      s.groups[prefix] = { day: g.day, keys: Object.fromEntries([...g.keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) }
    }
    s.closed.days += closedDays.size
    for (const [day, ids] of [...this.idsByDay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      if (cut === undefined || day === '' || day >= cut) s.findingIds[day] = [...ids].sort()
    if (cut !== undefined && (s.openFrom === null || cut > s.openFrom)) s.openFrom = cut
    s.carry = run.carry
    s.outputs = run.outputs
    s.lastRun = run.lastRun
    if (run.undelivered !== undefined) s.undelivered = run.undelivered
    return s
  }
}

/** `…/2026/12/03/file.json.gz` → group `…/2026/12/03/`, name `file.json.gz` (either separator, for local paths). */
export function splitUri(uri: string): { group: string; name: string } {
  const cut = Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\')) + 1
  return { group: uri.slice(0, cut), name: uri.slice(cut) }
}
