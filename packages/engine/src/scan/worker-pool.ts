import { Worker, type ResourceLimits } from 'node:worker_threads'
import { SourceReadError } from '../errors.js'
import type { ObjectRef } from '../source/object-ref.js'
import type { ObjectOutcome } from './object-scanner.js'
import { fromWire, outcomeFromWire, type ScanReply, type ScanRequest, type WorkerSetup } from './worker-protocol.js'

/**
 * Each worker's heap. The old generation: normal objects need far less; the cap is there so one object that needs
 * an outsized heap (a record of hundreds of MB parsed) fails alone, reported as not scanned, instead of taking the
 * process and every other object with it. The young generation: V8's default (two 16 MB semi-spaces, kept full
 * once grown) was most of a worker's resident memory; almost everything a worker allocates (a record, its parse)
 * dies within one record, so 4 MB semi-spaces collect as much for the same CPU.
 */
export const WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 12 }

export interface PoolOptions {
  /** Worker threads at most; they start as objects arrive, so a scan of one object starts one. */
  size: number
  setup: WorkerSetup
  /** The worker's module (tests start a faulty one); by default scan-worker.js beside this file. */
  script?: URL
  resourceLimits?: ResourceLimits
}

interface Job {
  ref: ObjectRef
  /** Workers that stopped while this object was in them. */
  crashes: number
  /** Its findings sent so far, packed; dropped if the worker stops, since the object is read again whole. */
  batches: Uint8Array[]
  resolve(o: ObjectOutcome): void
  reject(e: unknown): void
}

interface Slot {
  worker: Worker
  jobs: Map<number, Job>
  /** Stored bytes of the objects in it. */
  bytes: number
  /** Runs one object at a time: an object a crash caught in company, read again alone. */
  solo: boolean
  /** Stopped on purpose: its exit is no crash. */
  retired: boolean
  why?: string
}

/** Run from the TypeScript sources (the test runner), the worker is the built file: Node cannot start a .ts worker. */
function defaultScript(): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../../dist/scan/scan-worker.js', here) : new URL('./scan-worker.js', here)
}

/**
 * Worker threads that scan whole objects (scan/scan-worker.ts). An object goes to the worker with the fewest bytes
 * in flight; how many objects are in flight is bounded by the caller (scan(): its `concurrency` over all workers),
 * and so are the findings held here until their object's turn (`heldBytes`, scan()'s ordering window).
 * A worker that throws or exits takes no object with it silently: each object it held is read again alone on a
 * fresh worker, and one that stops that worker too comes back as a failed object with an error naming it.
 */
export class WorkerPool {
  private readonly slots: Slot[] = []
  private solo: Slot | undefined
  private readonly soloQueue: { id: number; job: Job }[] = []
  private nextId = 0
  private closed = false
  private readonly script: URL
  private held = 0

  constructor(private readonly opts: PoolOptions) {
    this.script = opts.script ?? defaultScript()
  }

  scan(ref: ObjectRef): Promise<ObjectOutcome> {
    return new Promise((resolve, reject) => this.send(this.pick(), this.nextId++, { ref, crashes: 0, batches: [], resolve, reject }))
  }

  /**
   * Bytes of packed findings received and not decoded yet: of objects still being read, and of objects read
   * whose outcome waits for its turn in the listing order (decoded as it is emitted).
   */
  get heldBytes(): number {
    return this.held
  }

  /** Stops every worker; objects still in them are not wanted any more (the scan ended or was stopped). */
  async close(): Promise<void> {
    this.closed = true
    const all = [...this.slots, ...(this.solo ? [this.solo] : [])]
    for (const s of all) s.retired = true
    await Promise.all(all.map((s) => s.worker.terminate()))
  }

  private pick(): Slot {
    let best: Slot | undefined
    for (const s of this.slots) if (!best || s.bytes < best.bytes) best = s
    if (best && (best.jobs.size === 0 || this.slots.length >= this.opts.size)) return best
    const s = this.spawn(false)
    this.slots.push(s)
    return s
  }

  private send(slot: Slot, id: number, job: Job): void {
    slot.jobs.set(id, job)
    slot.bytes += job.ref.size
    const req: ScanRequest = { id, ref: job.ref }
    slot.worker.postMessage(req)
  }

  private spawn(solo: boolean): Slot {
    const worker = new Worker(this.script, {
      workerData: this.opts.setup,
      resourceLimits: this.opts.resourceLimits ?? WORKER_LIMITS,
    })
    const slot: Slot = { worker, jobs: new Map(), bytes: 0, solo, retired: false }
    worker.on('message', (r: ScanReply) => this.reply(slot, r))
    worker.on('error', (e) => (slot.why ??= e.message))
    // A reply that cannot be read back would leave its object waiting forever: treat it as the worker failing.
    worker.on('messageerror', (e) => {
      slot.why ??= `a reply could not be read: ${e.message}`
      void worker.terminate()
    })
    worker.on('exit', (code) => this.exited(slot, code))
    return slot
  }

  private reply(slot: Slot, r: ScanReply): void {
    const job = slot.jobs.get(r.id)
    if (!job) return
    if ('findings' in r) {
      job.batches.push(r.findings)
      this.held += r.findings.byteLength
      return
    }
    slot.jobs.delete(r.id)
    slot.bytes -= job.ref.size
    if ('thrown' in r) {
      this.drop(job)
      job.reject(fromWire(r.thrown))
    } else {
      this.held += r.outcome.findings.byteLength
      job.resolve(outcomeFromWire(r.outcome, job.batches, (n) => (this.held -= n)))
    }
    if (slot.solo) this.nextSolo()
  }

  private exited(slot: Slot, code: number): void {
    if (slot.retired || this.closed) return
    const i = this.slots.indexOf(slot)
    if (i >= 0) this.slots.splice(i, 1)
    if (this.solo === slot) this.solo = undefined
    const why = slot.why ?? `exited with code ${code}`
    for (const [id, job] of slot.jobs) {
      this.drop(job)
      job.crashes++
      if (job.crashes === 1 && !slot.solo) this.soloQueue.push({ id, job })
      else job.resolve(notScanned(job.ref, why))
    }
    slot.jobs.clear()
    this.nextSolo()
  }

  /** Forgets the findings an object sent before its worker failed. */
  private drop(job: Job): void {
    for (const b of job.batches) this.held -= b.byteLength
    job.batches = []
  }

  /** Objects caught in a crash, one at a time on their own worker, so the one that causes it is found. */
  private nextSolo(): void {
    if (this.closed || (this.solo && this.solo.jobs.size > 0)) return
    const next = this.soloQueue.shift()
    if (!next) {
      if (this.solo) {
        this.solo.retired = true
        void this.solo.worker.terminate()
        this.solo = undefined
      }
      return
    }
    this.solo ??= this.spawn(true)
    this.send(this.solo, next.id, next.job)
  }
}

/** The outcome of an object no worker could scan: counted as read and failed, with the reason as its error. */
function notScanned(ref: ObjectRef, why: string): ObjectOutcome {
  const error = new SourceReadError(`not scanned: the worker thread reading it stopped (${why}), also when it was read again on its own`, {
    location: { object: ref.uri },
  })
  return {
    findings: [],
    errors: [error],
    read: { stats: { storedBytes: 0, decodedBytes: 0, gzip: false }, records: 0, digest: false, failed: true },
    filteredOut: 0,
    closings: [],
  }
}
