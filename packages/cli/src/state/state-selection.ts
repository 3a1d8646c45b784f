import { resolve } from 'node:path'
import type { LogObject, ScanState, StateStore } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { CliExit, describeError, isTrailscanError } from '../fail.js'
import type { CliLogger } from '../logger.js'

type Engine = typeof import('@trailscan/engine')

/** What a state holds for a run: the parsed document (or a new one) and the version a commit must still find. */
export interface StateSnapshot {
  state: ScanState
  /** The store's version of the document; null when there is none yet (the first run). */
  version: string | null
}

/**
 * Reads the state (no lease: a plan and each shard only read it) and checks it tracks `paths`. A corrupt or
 * unknown-version document is exit 2 and left as it is; none at all is a new state from `start`.
 */
export async function readSnapshot(
  engine: Engine,
  store: StateStore,
  paths: readonly string[],
  start: Date | undefined,
): Promise<StateSnapshot> {
  const doc = await usage(() => store.read())
  const sources = paths.map((p) => (engine.isS3Uri(p) ? p : resolve(p)))
  if (doc === null) return { state: engine.emptyState(sources, start?.toISOString() ?? null), version: null }
  const state = usage(() => engine.parseState(doc.body, store.location))
  if (JSON.stringify([...state.sources].sort()) !== JSON.stringify([...sources].sort()))
    throw new CliExit(
      EXIT.usage,
      `state ${store.location} tracks ${state.sources.join(' ')}, not ${sources.join(' ')}: use another --state location for another source`,
    )
  return { state, version: doc.version }
}

/**
 * The first run's --end, which bounds the delivery days it lists; undefined on later runs, which list up to now.
 * Later runs say that --start and --end given again are ignored: the state's first run fixed the window.
 */
export function firstRunEnd(log: CliLogger, snapshot: StateSnapshot, start: Date | undefined, end: Date | undefined): Date | undefined {
  const { state, version } = snapshot
  if (version === null) return end
  if (start !== undefined && start.toISOString() !== state.since)
    log.warn({ since: state.since }, `--start is ignored: the state's first run set it (${state.since ?? 'none'})`)
  if (end !== undefined)
    log.warn({ end: end.toISOString() }, '--end is ignored: it bounds the first run only; later runs scan what is new, up to now')
  return undefined
}

/**
 * The listing a state asks for, and the objects of it still to scan: every key not processed with the same change
 * token, in a day not closed. One selection for `scan --state` (StateRun) and `plan --state`, so a sharded cycle
 * scans exactly what a single scheduled run would.
 */
export class StateSelection {
  readonly ledger: InstanceType<Engine['StateLedger']>
  readonly counts = { new: 0, changed: 0, processed: 0, closed: 0 }

  constructor(
    private readonly engine: Engine,
    state: ScanState,
    private readonly log: CliLogger,
    /** The first run's --end: the last delivery days it lists. Later runs list up to now. */
    private readonly listUntil: Date | undefined,
  ) {
    this.ledger = new engine.StateLedger(state)
  }

  /**
   * The listing's window: from the first open day (or the first run's --start), up to the first run's --end (its
   * delivery days, with the usual margin) or now. Records are never cut at --end: an object marked processed
   * must have been scanned whole, so the first run reports every event of the objects its window lists.
   */
  get window(): { start: Date | undefined; end: Date | undefined } {
    const from = this.ledger.listFrom()
    return { start: from === undefined ? undefined : new Date(`${from}T00:00:00Z`), end: this.listUntil }
  }

  /** The event-time lower bound every run keeps: the first run's --start. */
  get since(): Date | undefined {
    const s = this.ledger.state.since
    return s === null ? undefined : new Date(s)
  }

  /** Whether the listing met objects the state already holds: a run with nothing new is not an empty scan. */
  get sawTracked(): boolean {
    return this.counts.processed + this.counts.closed > 0
  }

  /** The listing, less what is processed (same key, same change token) or in a closed day. */
  async *select(objects: AsyncIterable<LogObject>): AsyncGenerator<LogObject> {
    for await (const o of objects) {
      // A local walk lists everything: the first run's --end bounds it here, as the S3 lister bounds its prefixes.
      if (this.listUntil !== undefined && !this.engine.keyInWindow(o.key, { end: this.listUntil })) continue
      const verdict = this.ledger.judge(o)
      this.counts[verdict]++
      if (verdict === 'changed') this.log.debug({ object: o.uri }, 'changed since it was processed (new ETag or size/mtime): scanned again')
      if (verdict === 'new' || verdict === 'changed') yield o
    }
  }

  /** One line: what the listing held. */
  countsText(): string {
    const c = this.counts
    return `${c.new} new, ${c.changed} changed, ${c.processed} already processed, ${c.closed} in closed days`
  }
}

/**
 * Engine errors from the state (lease held, corrupt, conflict, bad --lookback) are exit 2 with their message, and
 * so is a location the store cannot use (a file where the directory should be, no permission).
 */
export function usage<T>(f: () => Promise<T>): Promise<T>
export function usage<T>(f: () => T): T
export function usage<T>(f: () => T | Promise<T>): T | Promise<T> {
  const fail = (e: unknown): never => {
    if (isTrailscanError(e)) throw new CliExit(EXIT.usage, describeError(e))
    const code = (e as NodeJS.ErrnoException | undefined)?.code
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new CliExit(EXIT.usage, `state: ${(e as Error).message}`)
    throw e
  }
  try {
    const r = f()
    return r instanceof Promise ? r.catch(fail) : r
  } catch (e) {
    return fail(e)
  }
}
