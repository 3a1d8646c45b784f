import pLimit from 'p-limit'
import { AlarmEvaluator } from './emit/alarms.js'
import type { EmitCarry } from './emit/carry.js'
import { endRun, floorOf, startFrom } from './emit/carry-settle.js'
import { ExposureTracker } from './emit/exposure-tracker.js'
import { DECODE_DEFAULTS } from './read/decompress.js'
import { DELIVERY_MARGIN_DAYS } from './source/key-filter.js'
import { compiledFrom } from './match/compile.js'
import type { CompiledRule } from './match/matcher.js'
import { FindingSink, type SinkOptions } from './emit/finding-sink.js'
import type { ObjectOutcome, ObjectScanner } from './scan/object-scanner.js'
import { objectScanner, type ScannerSetup } from './scan/scanner-setup.js'
import { WorkerPool, type PoolOptions } from './scan/worker-pool.js'
import { RecordFilter } from './select/record-filter.js'
import { refOf } from './source/object-ref.js'
import type { ListingReport } from './source/listing-report.js'
import type { LogObject } from './source/log-object.js'
import type { RetryReport } from './source/s3-retry.js'
import type { RuleDiagnostic } from './rules/schema.js'
import { countSkipped, countSkippedRules, emptySummary, finishSummary, type ScanSummary } from './emit/summary.js'

export type { AccountContext } from './emit/severity.js'

export interface ScanLogger {
  debug(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
}

export interface ScanOptions extends SinkOptions {
  objects: AsyncIterable<LogObject> | Iterable<LogObject>
  rules: readonly CompiledRule[]
  start?: Date
  end?: Date
  accounts?: readonly string[]
  regions?: readonly string[]
  /** Objects read at once (I/O concurrency), over all workers; output order stays the listing order. */
  concurrency?: number
  /**
   * Worker threads that read, inflate, split, select and match whole objects (default 1: all on this thread).
   * Listing, ordering and every stage that holds state across objects stay on this thread, so findings, their
   * order and the summary are the same for every value. Objects with no reference a worker can open (stdin, a
   * caller's own LogObject) and rules not made by compileRule are scanned on this thread.
   */
  workers?: number
  /** Cap on decompressed bytes per object. */
  maxObjectBytes?: number
  /** Margin, in days, between a key's delivery date and the event times it may hold. */
  deliveryMarginDays?: number
  /**
   * Evaluate CIS-style alarms over event time; the periods land in the summary. With a `carry`, only periods no
   * earlier run reported, counted with the earlier runs' events.
   */
  alarms?: boolean
  /**
   * What the listers met (source/listing-report.ts): its skipped files and listing errors land in the summary,
   * which is the report's own.
   */
  listing?: ListingReport
  /** The run's S3 retry budget (RetryBudget), reported as `summary.retries`. */
  retries?: { report(): RetryReport }
  /**
   * Stops the scan: no further object is taken from the listing, objects already read are emitted in order up
   * to the first one still being read, held public exposures are delivered, and the summary is marked
   * `interrupted`. Findings already handed to `onFinding` stay; none is cut.
   */
  signal?: AbortSignal
  /** The rule set's diagnostics (RuleSet.diagnostics): the rules it skipped are counted in the summary. */
  ruleDiagnostics?: readonly RuleDiagnostic[]
  /**
   * What alarms and exposure tracking remember across runs and shards (emit/carry.ts). Read at the start;
   * rewritten in place when the scan returns, interrupted or not (not when it throws): it then covers every
   * object whose findings were handed to `onFinding`.
   */
  carry?: EmitCarry
  /** Called after each object, for progress displays. */
  onObject?(info: { uri: string; storedBytes: number; records: number }): void
  logger?: ScanLogger
}

const DEFAULTS = { concurrency: 8, deliveryMarginDays: DELIVERY_MARGIN_DAYS } as const

/**
 * Sources × compiled rules → findings, in listing order, with a summary of everything read, skipped and failed.
 * Bad data never stops the scan: each fault is reported with its object and record, and the scan goes on.
 * Findings go through `onFinding` in listing order, except public exposures, which come last (FindingSink).
 */
export async function scan(options: ScanOptions): Promise<ScanSummary> {
  return scanWith(options)
}

/** scan(), with the worker pool's options open to tests (a faulty worker script, other limits). */
export async function scanWith(
  options: ScanOptions,
  pool: Partial<Pick<PoolOptions, 'script' | 'resourceLimits'>> & { heldBytes?: number } = {},
): Promise<ScanSummary> {
  const t0 = performance.now()
  const summary = options.listing?.summary ?? emptySummary()
  if (options.ruleDiagnostics) countSkippedRules(summary, options.ruleDiagnostics)
  const marginDays = options.deliveryMarginDays ?? DEFAULTS.deliveryMarginDays
  const filter = new RecordFilter(options, marginDays)
  const setup: ScannerSetup = {
    filter: {
      ...(options.start ? { start: options.start } : {}),
      ...(options.end ? { end: options.end } : {}),
      ...(options.accounts ? { accounts: options.accounts } : {}),
      ...(options.regions ? { regions: options.regions } : {}),
    },
    marginDays,
    decode: { ...DECODE_DEFAULTS, ...(options.maxObjectBytes ? { maxBytes: options.maxObjectBytes } : {}) },
  }
  let local: ObjectScanner | undefined
  const { heldBytes: maxHeld = MAX_HELD_BYTES, ...poolOptions } = pool
  const workers = workerPool(options, setup, poolOptions)
  const scanObject = (o: LogObject): Promise<ObjectOutcome> => {
    const ref = workers && refOf(o)
    return ref ? workers.scan(ref) : (local ??= objectScanner(options.rules, setup)).scan(o)
  }
  try {
    const full = workers ? () => workers.heldBytes > maxHeld : () => false
    return await run(options, summary, filter, scanObject, full, t0)
  } finally {
    // Stopped, the scan does not wait for objects still in the workers; finished, there are none.
    const closed = workers?.close()
    if (!summary.interrupted) await closed
  }
}

/** The pool, when more than one worker is asked for and every rule can be compiled again from its spec. */
function workerPool(
  options: ScanOptions,
  scanner: ScannerSetup,
  pool: Partial<Pick<PoolOptions, 'script' | 'resourceLimits'>>,
): WorkerPool | undefined {
  const size = options.workers ?? 1
  if (size <= 1) return undefined
  const rules = options.rules.map(compiledFrom)
  if (rules.some((r) => r === undefined)) {
    options.logger?.debug({ workers: size }, 'rules not made by compileRule cannot be sent to worker threads: scanning on one thread')
    return undefined
  }
  return new WorkerPool({ size, setup: { rules: rules as NonNullable<(typeof rules)[number]>[], scanner }, ...pool })
}

async function run(
  options: ScanOptions,
  summary: ScanSummary,
  filter: RecordFilter,
  scanObject: (o: LogObject) => Promise<ObjectOutcome>,
  full: () => boolean,
  t0: number,
): Promise<ScanSummary> {
  // A carry is read once, here, and written once, at the end: nothing mid-scan sees it half-updated.
  const base = options.carry ? startFrom(options.carry) : undefined
  const tracker = new ExposureTracker(base?.closings)
  const alarms = options.alarms
    ? new AlarmEvaluator(
        options.rules.map((r) => ({ id: r.id, title: r.spec.title, alarm: r.spec.alarm })),
        base?.alarms,
        base ? floorOf(base) : -Infinity,
      )
    : undefined
  const sink = new FindingSink(options, summary, alarms)

  const keep = (o: LogObject): boolean => {
    if (o.key.kind === 'digest') summary.objects.digests++
    else if (o.key.kind === 'insight') summary.objects.insights++
    else if (!filter.objectMayPass(o)) summary.objects.pruned++
    else return true
    options.logger?.debug({ object: o.uri, kind: o.key.kind }, 'object not scanned for events')
    return false
  }

  const emit = (out: ObjectOutcome, o: LogObject): void => {
    const r = out.read
    if (r.notCloudTrail !== undefined) {
      countSkipped(summary, o.uri, 'not-cloudtrail', r.notCloudTrail)
      options.logger?.debug({ object: o.uri, reason: r.notCloudTrail }, 'not CloudTrail: skipped')
      options.onObject?.({ uri: o.uri, storedBytes: r.stats.storedBytes, records: 0 })
      return
    }
    summary.records.read += r.records
    summary.records.filteredOut += out.filteredOut
    summary.bytes.stored += r.stats.storedBytes
    summary.bytes.decompressed += r.stats.decodedBytes
    if (r.digest) summary.objects.digests++
    else summary.objects.read++
    if (r.failed) summary.objects.failed++
    options.onObject?.({ uri: o.uri, storedBytes: r.stats.storedBytes, records: r.records })
    // In listing order, whichever thread read the object.
    for (const c of out.closings) tracker.add(c)
    for (const e of out.errors) sink.error(e)
    for (const f of out.findings) sink.finding(f)
  }

  // Ordered concurrency: objects are read in parallel but their results are emitted in listing order, so output
  // is reproducible; the window bounds how many finished objects wait in memory, and, with workers, the bytes of
  // their findings (`full`): over that, no further object is started until the earliest ones are emitted.
  const concurrency = options.concurrency ?? DEFAULTS.concurrency
  const limit = pLimit(concurrency)
  const pending: { o: LogObject; out: Promise<ObjectOutcome | undefined>; done?: ObjectOutcome }[] = []
  const stop = stopped(options.signal)
  const next = async (): Promise<void> => {
    const p = pending[0]!
    const out = await stop.race(p.out)
    if (out === STOPPED || out === undefined) return
    pending.shift()
    emit(out, p.o)
  }
  const listing = iterate(options.objects)
  // Local objects under 1 MB are read synchronously and the rest of the work chains promises, so a scan can run
  // for seconds without returning to the event loop, where an abort (a signal handler, a timer) would run.
  let yielded = performance.now()
  const letAbortIn = async (): Promise<void> => {
    if (!options.signal || performance.now() - yielded < YIELD_EVERY_MS) return
    await new Promise((resolve) => setImmediate(resolve))
    yielded = performance.now()
  }
  while (!stop.aborted) {
    await letAbortIn()
    const asked = Promise.resolve(listing.next())
    // Left behind by a stop, a listing that fails later must not become an unhandled rejection.
    asked.catch(() => undefined)
    const r = await stop.race(asked)
    if (r === STOPPED || r.done) break
    const o = r.value
    summary.objects.listed++
    if (!keep(o)) continue
    // Objects queued behind the concurrency limit are not started once the scan is stopped.
    const entry: (typeof pending)[number] = { o, out: limit(async () => (stop.aborted ? undefined : scanObject(o))) }
    entry.out.then(
      (d) => (entry.done = d),
      () => undefined,
    )
    pending.push(entry)
    while (pending.length > 0 && !stop.aborted && (pending.length >= 2 * concurrency || full())) await next()
  }
  while (pending.length > 0 && !stop.aborted) {
    await letAbortIn()
    await next()
  }
  if (stop.aborted) {
    // Whatever finished reading before the stop still counts, in listing order; the rest is left unread.
    for (const p of pending) {
      if (!p.done) break
      emit(p.done, p.o)
    }
    summary.interrupted = true
    // The listing may be waiting on the network: ask it to end, but do not wait for it.
    void (async () => listing.return?.(undefined))().catch(() => undefined)
  }
  const exposures = sink.finish(tracker)

  if (alarms) summary.alarms = alarms.settle()
  if (base && options.carry) {
    const { carry, remediations } = endRun(base, { alarms, exposures, closings: tracker.seen() })
    if (remediations.length > 0) summary.remediations = remediations
    Object.assign(options.carry, carry)
  }
  options.listing?.fillIn(summary)
  if (options.retries) summary.retries = options.retries.report()
  finishSummary(summary, t0, performance.now())
  return summary
}

/**
 * Findings from workers, packed, that may wait for their objects' turn before no further object is started. A
 * finding packs to about 1 KB: some 30,000, a few objects' worth even of the largest objects.
 */
const MAX_HELD_BYTES = 32 * 2 ** 20

const STOPPED = Symbol('stopped')
const YIELD_EVERY_MS = 20

/**
 * Waits that end early with STOPPED when `signal` aborts. Each wait adds its own abort listener and removes it when
 * it settles: a race against one promise that never settles would keep every value it was raced with (every
 * object's outcome: hundreds of MB over a large scan).
 */
function stopped(signal: AbortSignal | undefined): {
  race<T>(p: Promise<T>): Promise<T | typeof STOPPED>
  readonly aborted: boolean
} {
  return {
    race: <T>(p: Promise<T>): Promise<T | typeof STOPPED> => {
      if (!signal) return p
      if (signal.aborted) return Promise.resolve(STOPPED)
      return new Promise<T | typeof STOPPED>((resolve, reject) => {
        const onAbort = (): void => resolve(STOPPED)
        signal.addEventListener('abort', onAbort, { once: true })
        void p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
      })
    },
    get aborted() {
      return signal?.aborted ?? false
    },
  }
}

function iterate<T>(objects: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in objects ? objects[Symbol.asyncIterator]() : objects[Symbol.iterator]()
}
