import { randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import type { EmitCarry, Finding, Lease, LogObject, Outbox, ScanState, ScanSummary, StateStore, TrailscanError } from '@trailscan/engine'
import type { ScanArgs } from '../commands/scan-command.js'
import { EXIT } from '../exit-codes.js'
import { CliExit, describeError } from '../fail.js'
import type { CliLogger } from '../logger.js'
import { HeldLines } from '../output/held-lines.js'
import { openStateStore } from './open-state-store.js'
import { firstRunEnd, readSnapshot, StateSelection, usage } from './state-selection.js'

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
  private readonly selection: StateSelection
  private readonly ledger: InstanceType<Engine['StateLedger']>
  readonly carry: EmitCarry
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
    /** The state's version this run read: its commit replaces exactly that one (compare-and-swap). */
    readonly version: string | null,
    state: ScanState,
    private readonly lookbackDays: number,
    private readonly append: { path: string; held: HeldLines } | undefined,
    private readonly log: CliLogger,
    /** The first run's --end: the last delivery days it lists. Later runs list up to now. */
    listUntil: Date | undefined,
    /** When the listing this run commits was made (merge: the plan's): days close a lookback before it. */
    private readonly listedAt: Date,
  ) {
    this.selection = new StateSelection(engine, state, log, listUntil)
    this.ledger = this.selection.ledger
    this.carry = parseCarry(engine, state.carry, store.location)
  }

  /** `listedAt`: when the objects this run commits were listed, when not by this run (merge: the plan's listedAt). */
  static async open(args: ScanArgs, log: CliLogger, start: Date | undefined, end?: Date, listedAt?: Date): Promise<StateRun> {
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
      const snapshot = await readSnapshot(engine, store, args.paths, start)
      const { state, version } = snapshot
      const listUntil = firstRunEnd(log, snapshot, start, end)
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
      const run = new StateRun(engine, store, lease, version, state, lookbackDays, append, log, listUntil, listedAt ?? new Date(now))
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

  get window(): { start: Date | undefined; end: Date | undefined } {
    return this.selection.window
  }

  get since(): Date | undefined {
    return this.selection.since
  }

  get seenIds(): Set<string> {
    return this.ledger.seenIds
  }

  get sawTracked(): boolean {
    return this.selection.sawTracked
  }

  select(objects: AsyncIterable<LogObject>): AsyncGenerator<LogObject> {
    return this.selection.select(objects)
  }

  /**
   * A merge's objects: the plan's, as it listed them (plannedRefs); those a shard could not read (`failed`, from
   * `error`) stay unprocessed. What the plan listed was selected from this very state version, so each is new or
   * changed here.
   */
  planned(objects: readonly Parameters<InstanceType<Engine['StateLedger']>['judge']>[0][]): void {
    for (const o of objects) {
      const verdict = this.ledger.judge(o)
      this.selection.counts[verdict]++
      if (verdict === 'new' || verdict === 'changed') this.ledger.emitted(o.uri)
    }
  }

  objectEmitted(uri: string): void {
    this.ledger.emitted(uri)
  }

  finding(f: Finding): void {
    this.ledger.finding(f.id, f.source.uri)
  }

  /** scan()'s onError (or a shard's error, for merge): an object that could not be read in full is tried again by the next run. */
  error(e: { code: string; location?: { object?: string | undefined } | undefined }): void {
    this.objectErrors++
    const object = e.location?.object
    if (e.code === 'TRAILSCAN_SOURCE_READ' && object !== undefined) this.ledger.failed(object)
  }

  /**
   * The findings --to destinations had not acknowledged when the last run committed (emit/delivery/outbox.ts),
   * for this run to send first. Read before anything is scanned: a damaged outbox is refused like the rest of a
   * damaged state (exit 2), and the lease is given back.
   */
  async undelivered(): Promise<Outbox> {
    try {
      return this.engine.parseOutbox(
        { version: this.engine.OUTBOX_VERSION, entries: this.ledger.state.undelivered },
        `state ${this.store.location}: "undelivered"`,
      )
    } catch (e) {
      await this.abandon()
      throw new CliExit(EXIT.usage, `${(e as Error).message}; the state was left as it is`)
    }
  }

  /**
   * Commits what the run completed. Call only once every output is durable; `outputsOk` false (a write failed,
   * the reader left) commits nothing, so the next run redoes this one. `undelivered`: the outbox after this run's
   * deliveries (delivery is part of the commit); none without --to.
   */
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
        ...(complete ? { closeBefore: this.engine.firstOpenDay(this.listedAt, this.lookbackDays) } : {}),
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
      const c = this.selection.counts
      this.log.debug(
        { state: this.store.location, ...c, committed: next.lastRun!.objects },
        `state ${this.store.location}: ${c.new} new and ${c.changed} changed objects scanned, ${c.processed} already processed; ${next.lastRun!.objects} committed`,
      )
    } finally {
      await this.lease.release().catch(() => undefined)
    }
  }

  /** The state's line under the run's summary: what the listing held and what this run committed. */
  summaryLine(): string {
    const committed = this.committed === undefined ? 'nothing committed' : `${this.committed} objects committed`
    return `state     ${this.selection.countsText()}; ${committed} to ${this.store.location}\n`
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
}

/** The state's emit carry (a new one before the first run); a damaged one is exit 2 and left as it is. */
export function parseCarry(engine: Engine, carry: unknown, location: string): EmitCarry {
  if (carry === null) return engine.newEmitCarry()
  try {
    return engine.parseEmitCarry(carry)
  } catch (e) {
    throw new CliExit(EXIT.usage, `state ${location} is not usable: its carry ${describeError(e)}; it was left as it is`)
  }
}
