import { randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import type { EmitCarry, Finding, Lease, LogObject, Outbox, ScanState, ScanSummary, StateStore, TrailscanError } from '@trailscan/engine'
import type { ScanArgs } from '../commands/scan-command.js'
import { EXIT } from '../exit-codes.js'
import { CliExit, describeError, isTrailscanError } from '../fail.js'
import type { CliLogger } from '../logger.js'
import { HeldLines } from '../output/held-lines.js'
import { openStateStore } from './open-state-store.js'

/** How often a run renews its lease: well inside the shortest lease a backend gives (10 minutes). */
const RENEW_EVERY_MS = 60_000

type Engine = typeof import('@trailscan/engine')

/**
 * One `scan --state` run, from the lease to the commit (ARCHITECTURE.md, "State and the commit protocol"):
 *
 * 1. take the lease (a live holder: exit 2, naming it, before anything is read or written);
 * 2. read the state (corrupt or unknown version: exit 2, never overwritten) and repair an `--append` file's
 *    uncommitted tail (output/held-lines.ts);
 * 3. list the open days, scan what is new or changed (`select`), remembering each object scan() emits;
 * 4. once the outputs are durable (flushed, fsync'd), commit: the processed keys, finding ids, the carry, each
 *    appended file's committed length, and, when the listing was complete, the days that closed;
 * 5. release the lease.
 *
 * A crash anywhere before 4 leaves the previous state: the next run redoes this run's objects, and the ids they
 * give are not written twice.
 */
export class StateRun {
  private readonly ledger: InstanceType<Engine['StateLedger']>
  readonly carry: EmitCarry
  private readonly counts = { new: 0, changed: 0, processed: 0, closed: 0 }
  private renewTimer: NodeJS.Timeout | undefined
  private lost: TrailscanError | undefined
  private readonly startedAt = new Date()
  /** Objects the commit marked processed; undefined until it succeeded. */
  private committed: number | undefined
  /** Errors scan() reported for objects; the summary's others are the listing's (ListingReport). */
  private objectErrors = 0

  private constructor(
    private readonly engine: Engine,
    private readonly store: StateStore,
    private readonly lease: Lease,
    private readonly version: string | null,
    state: ScanState,
    private readonly lookbackDays: number,
    private readonly append: { path: string; held: HeldLines } | undefined,
    private readonly log: CliLogger,
    /** The first run's --end: the last delivery days it lists. Later runs list up to now. */
    private readonly listUntil: Date | undefined,
  ) {
    this.ledger = new engine.StateLedger(state)
    this.carry = this.parseCarry(state.carry)
  }

  static async open(args: ScanArgs, log: CliLogger, start: Date | undefined, end?: Date): Promise<StateRun> {
    const engine = await import('@trailscan/engine')
    const lookbackDays = usage(() => engine.parseLookback(args.lookback ?? '2d'))
    const store = await openStateStore(args.state!, args, log)
    const now = Date.now()
    const holder = {
      runId: randomBytes(8).toString('hex'),
      host: hostname(),
      pid: process.pid,
      startedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 10 * 60_000).toISOString(),
    }
    const lease = await usage(() =>
      store.acquire(holder, {
        onTakeover: (stale) =>
          log.warn(
            { state: store.location, stale },
            `state ${store.location}: the lock of run ${stale.runId} (pid ${stale.pid} on ${stale.host}, started ${stale.startedAt}) was stale (its process gone, or its lease expired at ${stale.expiresAt}); taken over`,
          ),
      }),
    )
    try {
      const doc = await usage(() => store.read())
      const sources = args.paths.map((p) => (engine.isS3Uri(p) ? p : resolve(p)))
      let state: ScanState
      if (doc === null) state = engine.emptyState(sources, start?.toISOString() ?? null)
      else {
        state = usage(() => engine.parseState(doc.body, store.location))
        if (JSON.stringify([...state.sources].sort()) !== JSON.stringify([...sources].sort()))
          throw new CliExit(
            EXIT.usage,
            `state ${store.location} tracks ${state.sources.join(' ')}, not ${sources.join(' ')}: use another --state location for another source`,
          )
        if (start !== undefined && start.toISOString() !== state.since)
          log.warn({ since: state.since }, `--start is ignored: the state's first run set it (${state.since ?? 'none'})`)
        if (end !== undefined)
          log.warn({ end: end.toISOString() }, '--end is ignored: it bounds the first run only; later runs scan what is new, up to now')
      }
      let append: StateRun['append']
      if (args.append && args.out !== undefined) {
        const path = resolve(args.out)
        const held = HeldLines.read(path, state.outputs[path]?.committedBytes)
        if (held.cut > 0) log.warn({ out: path, bytes: held.cut }, `--out ${args.out}: a line cut by an interrupted run was removed`)
        if (!held.empty)
          log.warn(
            { out: path, ids: held.ids.size },
            `--out ${args.out}: ${held.ids.size} lines beyond what the state committed (a run stopped before its commit, or a file new to this state) will not be written again`,
          )
        append = { path, held }
      }
      const run = new StateRun(engine, store, lease, doc?.version ?? null, state, lookbackDays, append, log, doc === null ? end : undefined)
      run.keepLease()
      return run
    } catch (e) {
      await lease.release().catch(() => undefined)
      throw e
    }
  }

  /** What the output target must not write again (the uncommitted tail of an `--append` file). */
  get held(): HeldLines | undefined {
    return this.append?.held
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

  get seenIds(): Set<string> {
    return this.ledger.seenIds
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

  objectEmitted(uri: string): void {
    this.ledger.emitted(uri)
  }

  finding(f: Finding): void {
    this.ledger.finding(f.id, f.source.uri)
  }

  /** scan()'s onError: an object that could not be read in full is tried again by the next run. */
  error(e: TrailscanError): void {
    this.objectErrors++
    const object = e.location?.object
    if (e.code === 'TRAILSCAN_SOURCE_READ' && object !== undefined) this.ledger.failed(object)
  }

  /**
   * Commits what the run completed. Call only once every output is durable; `outputsOk` false (a write failed,
   * the reader left) commits nothing, so the next run redoes this one.
   */
  /**
   * The findings --to destinations had not acknowledged when the last run committed (emit/delivery/outbox.ts),
   * for this run to send first. A damaged outbox is refused like the rest of a damaged state.
   */
  undelivered(): Outbox {
    try {
      return this.engine.parseOutbox(
        { version: this.engine.OUTBOX_VERSION, entries: this.ledger.state.undelivered },
        `state ${this.store.location}: "undelivered"`,
      )
    } catch (e) {
      throw new CliExit(EXIT.usage, `${(e as Error).message}; the state was left as it is`)
    }
  }

  /** `undelivered`: the outbox after this run's deliveries (delivery is part of the commit); none without --to. */
  async commit(summary: ScanSummary, outputsOk: boolean, undelivered?: Outbox): Promise<void> {
    this.stopRenewing()
    try {
      if (this.lost) throw new CliExit(EXIT.usage, `${describeError(this.lost)}; this run's state was not committed`)
      if (!outputsOk) {
        this.log.warn({ state: this.store.location }, 'outputs incomplete: state not committed, the next run redoes these objects')
        return
      }
      const base = this.ledger.state
      const outputs = { ...base.outputs }
      if (this.append) outputs[this.append.path] = { committedBytes: statSync(this.append.path).size }
      // A listing that met an error may have missed part of an open day: no day closes until one lists them all.
      const complete = !summary.interrupted && summary.errors.length === this.objectErrors
      const next = this.ledger.next({
        ...(complete ? { closeBefore: this.engine.firstOpenDay(this.startedAt, this.lookbackDays) } : {}),
        carry: this.carry,
        outputs,
        ...(undelivered ? { undelivered: undelivered.entries } : {}),
        lastRun: {
          runId: this.lease.holder.runId,
          startedAt: this.startedAt.toISOString(),
          finishedAt: new Date().toISOString(),
          objects: this.ledger.objectsCompleted,
          findings: this.ledger.findingsEmitted,
          interrupted: summary.interrupted === true,
        },
      })
      await usage(() => this.store.write(this.engine.serializeState(next), this.version))
      this.committed = next.lastRun!.objects
      this.log.debug(
        { state: this.store.location, ...this.counts, committed: next.lastRun!.objects },
        `state ${this.store.location}: ${this.counts.new} new and ${this.counts.changed} changed objects scanned, ${this.counts.processed} already processed; ${next.lastRun!.objects} committed`,
      )
    } finally {
      await this.lease.release().catch(() => undefined)
    }
  }

  /** The state's line under the run's summary: what the listing held and what this run committed. */
  summaryLine(): string {
    const c = this.counts
    const committed = this.committed === undefined ? 'nothing committed' : `${this.committed} objects committed`
    return `state     ${c.new} new, ${c.changed} changed, ${c.processed} already processed, ${c.closed} in closed days; ${committed} to ${this.store.location}\n`
  }

  /** Gives the lease up without committing (the scan failed). */
  async abandon(): Promise<void> {
    this.stopRenewing()
    await this.lease.release().catch(() => undefined)
  }

  private keepLease(): void {
    this.renewTimer = setInterval(() => {
      this.lease.renew().catch((e: unknown) => {
        this.lost ??= e as TrailscanError
        this.log.error({ state: this.store.location }, `lease lost: ${describeError(e)}`)
      })
    }, RENEW_EVERY_MS)
    this.renewTimer.unref()
  }

  private stopRenewing(): void {
    if (this.renewTimer) clearInterval(this.renewTimer)
    this.renewTimer = undefined
  }

  private parseCarry(carry: unknown): EmitCarry {
    if (carry === null) return this.engine.newEmitCarry()
    try {
      return this.engine.parseEmitCarry(carry)
    } catch (e) {
      throw new CliExit(EXIT.usage, `state ${this.store.location} is not usable: its carry ${describeError(e)}; it was left as it is`)
    }
  }
}

/**
 * Engine errors from the state (lease held, corrupt, conflict, bad --lookback) are exit 2 with their message, and
 * so is a location the store cannot use (a file where the directory should be, no permission).
 */
function usage<T>(f: () => Promise<T>): Promise<T>
function usage<T>(f: () => T): T
function usage<T>(f: () => T | Promise<T>): T | Promise<T> {
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
