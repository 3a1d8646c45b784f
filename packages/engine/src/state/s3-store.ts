/**
 * The state store on S3: `<prefix>state.json` (the document) and `<prefix>lease.json` (who runs now), both
 * written only with S3's conditional writes, so the bucket itself is the arbiter between runs:
 * - the lease is created with `If-None-Match: *` (one creator wins), renewed and released with `If-Match` on the
 *   ETag this run got back, and an expired lease is taken over with `If-Match` on the expired lease's ETag (of
 *   two runs taking over the same stale lease, one wins);
 * - the document is replaced with `If-Match: <the ETag it was read with>` (`If-None-Match: *` for the first
 *   commit). That ETag is the fencing token: a run that lost its lease while paused and then commits either
 *   finds the document moved on (412, nothing written) or commits first, and then the new holder's commit, based
 *   on the older ETag, is refused instead. Either way no commit is built on a document it did not read.
 *
 * S3 answers 412 PreconditionFailed to a failed condition, 409 ConditionalRequestConflict to a write that raced
 * another, and 404 NoSuchKey to `If-Match` on a key that is gone: all three mean "another run got there first".
 */
import type { S3Client } from '@aws-sdk/client-s3'
import { CorruptStateError, LeaseHeldError, StateConflictError } from '../errors.js'
import { toS3SourceError } from '../source/s3-errors.js'
import { s3Sdk } from '../source/s3-sdk.js'
import type { AcquireOptions, Lease, LeaseHolder, StateDocument, StateStore } from './state-store.js'

export const STATE_OBJECT = 'state.json'
export const LEASE_OBJECT = 'lease.json'

/** How long a lease lasts without renewal: a run renews it every third of this (`Lease.renew`). */
export const DEFAULT_LEASE_MS = 10 * 60_000

export interface S3StateStoreOptions {
  client: S3Client
  bucket: string
  /** Key prefix the two objects live under ('' or ending in '/'; a '/' is added otherwise). */
  prefix: string
  /** A lease's lifetime from its last write (default 10 minutes). */
  leaseMs?: number
  /** The clock leases are judged by (tests move it). */
  now?: () => number
}

interface AwsError {
  name?: string
  $metadata?: { httpStatusCode?: number }
}

/** True for S3's three answers meaning a conditional write lost to another writer. */
function lostRace(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsError
  const status = e.$metadata?.httpStatusCode
  return (
    status === 412 || status === 409 || e.name === 'PreconditionFailed' || e.name === 'ConditionalRequestConflict' || e.name === 'NoSuchKey'
  )
}

function isNoSuchKey(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsError
  return e.name === 'NoSuchKey' || (e.name === 'NotFound' && e.$metadata?.httpStatusCode === 404)
}

/** A lease object's JSON → its holder; anything else is an error naming the object (never taken over blindly). */
function parseHolder(uri: string, body: Buffer): LeaseHolder {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch (e) {
    throw new CorruptStateError(uri, `lease ${uri} is not JSON: ${(e as Error).message}`, { cause: e })
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  const text = (name: string): string => {
    if (typeof v[name] !== 'string') throw new CorruptStateError(uri, `lease ${uri} has no string "${name}"`)
    return v[name]
  }
  if (typeof v['pid'] !== 'number') throw new CorruptStateError(uri, `lease ${uri} has no numeric "pid"`)
  const holder = { runId: text('runId'), host: text('host'), pid: v['pid'], startedAt: text('startedAt'), expiresAt: text('expiresAt') }
  if (Number.isNaN(Date.parse(holder.expiresAt))) throw new CorruptStateError(uri, `lease ${uri} has an unreadable "expiresAt"`)
  return holder
}

export class S3StateStore implements StateStore {
  readonly location: string
  private readonly client: S3Client
  private readonly bucket: string
  private readonly stateKey: string
  private readonly leaseKey: string
  private readonly leaseMs: number
  private readonly now: () => number

  constructor(opts: S3StateStoreOptions) {
    const prefix = opts.prefix === '' || opts.prefix.endsWith('/') ? opts.prefix : `${opts.prefix}/`
    this.client = opts.client
    this.bucket = opts.bucket
    this.stateKey = `${prefix}${STATE_OBJECT}`
    this.leaseKey = `${prefix}${LEASE_OBJECT}`
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS
    this.now = opts.now ?? Date.now
    this.location = `s3://${opts.bucket}/${prefix}`
  }

  private uri(key: string): string {
    return `s3://${this.bucket}/${key}`
  }

  /** The object's bytes and ETag, or null when there is none. */
  private async get(key: string): Promise<StateDocument | null> {
    try {
      const out = await this.client.send(new (s3Sdk().GetObjectCommand)({ Bucket: this.bucket, Key: key }))
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array())
      if (out.ETag === undefined) throw new Error(`${this.uri(key)}: the store sent no ETag, so it cannot be written conditionally`)
      return { body, version: out.ETag }
    } catch (e) {
      if (isNoSuchKey(e)) return null
      throw this.failure(e, key, 'reading')
    }
  }

  /** An S3 failure as an error naming the state object, so the CLI reports it like any unreadable source. */
  private failure(err: unknown, key: string, what: string): Error {
    if ((err as AwsError | undefined)?.name === 'NotImplemented')
      return toS3SourceError(err, this.uri(key), `${what} state: the store does not support conditional writes (If-Match / If-None-Match);`)
    return toS3SourceError(err, this.uri(key), `${what} state`)
  }

  /** Writes the object under a condition; the new ETag, or null when S3 said another writer got there first. */
  private async put(key: string, body: Buffer, condition: { IfMatch: string } | { IfNoneMatch: '*' }): Promise<string | null> {
    try {
      const out = await this.client.send(
        new (s3Sdk().PutObjectCommand)({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json', ...condition }),
      )
      if (out.ETag === undefined) throw new Error(`${this.uri(key)}: the store sent no ETag for a write`)
      return out.ETag
    } catch (e) {
      if (!lostRace(e)) throw this.failure(e, key, 'writing')
      // A retried PUT whose first attempt landed is refused by its own write: the object then holds exactly
      // these bytes, and the write did happen.
      const now = await this.get(key)
      return now !== null && now.body.equals(body) ? now.version : null
    }
  }

  read(): Promise<StateDocument | null> {
    return this.get(this.stateKey)
  }

  async write(body: Buffer, expected: string | null): Promise<string> {
    const etag = await this.put(this.stateKey, body, expected === null ? { IfNoneMatch: '*' } : { IfMatch: expected })
    if (etag !== null) return etag
    const uri = this.uri(this.stateKey)
    throw new StateConflictError(
      this.location,
      expected === null
        ? `state ${uri} was created by another run meanwhile; nothing written`
        : `state ${uri} was changed by another run since it was read (ETag ${expected}); nothing written`,
    )
  }

  async lease(): Promise<LeaseHolder | null> {
    const doc = await this.get(this.leaseKey)
    return doc === null ? null : parseHolder(this.uri(this.leaseKey), doc.body)
  }

  private holderBody(holder: LeaseHolder): { holder: LeaseHolder; body: Buffer } {
    const fresh = { ...holder, expiresAt: new Date(this.now() + this.leaseMs).toISOString() }
    return { holder: fresh, body: Buffer.from(`${JSON.stringify(fresh, null, 2)}\n`) }
  }

  async acquire(holder: LeaseHolder, opts: AcquireOptions = {}): Promise<Lease> {
    // Each turn either wins, finds a live holder (an error), or saw the lease change under it; a few turns
    // settle any race, since each lost one means another run now holds a fresh lease.
    for (let turn = 0; turn < 4; turn++) {
      const mine = this.holderBody(holder)
      const created = await this.put(this.leaseKey, mine.body, { IfNoneMatch: '*' })
      if (created !== null) return this.leaseOf(mine.holder, created)
      const current = await this.get(this.leaseKey)
      if (current === null) continue // released between the two requests
      const held = parseHolder(this.uri(this.leaseKey), current.body)
      if (Date.parse(held.expiresAt) > this.now()) throw new LeaseHeldError(this.location, held)
      opts.onTakeover?.(held)
      const taken = await this.put(this.leaseKey, mine.body, { IfMatch: current.version })
      if (taken !== null) return this.leaseOf(mine.holder, taken)
    }
    const last = await this.lease()
    if (last !== null) throw new LeaseHeldError(this.location, last)
    throw new StateConflictError(this.location, `lease ${this.uri(this.leaseKey)} kept changing; no lease taken`)
  }

  private leaseOf(first: LeaseHolder, firstEtag: string): Lease {
    let holder = first
    let etag = firstEtag
    let released = false
    /** Why the lease is no longer ours, once a renewal found that out. */
    let lost: Error | undefined
    // Renewals run one at a time: two at once would both send If-Match on the same ETag and the second would
    // mistake the first's success for a takeover.
    let queue: Promise<void> = Promise.resolve()

    const renewOnce = async (): Promise<void> => {
      if (lost !== undefined) throw lost
      if (released) throw new StateConflictError(this.location, `lease ${this.uri(this.leaseKey)} was released; it cannot be renewed`)
      const next = this.holderBody(holder)
      const written = await this.put(this.leaseKey, next.body, { IfMatch: etag })
      if (written !== null) {
        holder = next.holder
        etag = written
        return
      }
      const now = await this.lease()
      lost =
        now !== null
          ? new LeaseHeldError(this.location, now)
          : new StateConflictError(this.location, `lease ${this.uri(this.leaseKey)} was deleted (state reset?) while this run held it`)
      throw lost
    }
    const renew = (): Promise<void> => (queue = queue.catch(() => undefined).then(renewOnce))

    // A long run keeps its lease without the caller's help: renewed every third of its lifetime, so two
    // renewals can fail before it expires. A renewal that finds the lease taken is kept and thrown by the next
    // renew(); the commit itself is fenced by the state's ETag either way.
    const timer = setInterval(() => void renew().catch(() => undefined), Math.max(1, Math.floor(this.leaseMs / 3)))
    timer.unref()

    return {
      get holder() {
        return holder
      },
      renew,
      release: async () => {
        if (released) return
        released = true
        clearInterval(timer)
        await queue.catch(() => undefined)
        if (lost !== undefined) return
        try {
          await this.client.send(new (s3Sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: this.leaseKey, IfMatch: etag }))
        } catch (e) {
          // Already gone, or another run's now: either way not ours to delete.
          if (!lostRace(e) && !isNoSuchKey(e)) throw this.failure(e, this.leaseKey, 'releasing the lease of')
        }
      },
    }
  }

  async reset(): Promise<void> {
    for (const key of [this.stateKey, this.leaseKey]) {
      try {
        await this.client.send(new (s3Sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: key }))
      } catch (e) {
        throw this.failure(e, key, 'deleting')
      }
    }
  }
}
