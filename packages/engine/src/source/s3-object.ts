/**
 * An S3 object as a LogObject. `open()` streams GetObject's body (never to disk) and survives a body cut off
 * mid-way: it asks again from the first byte not yet delivered (Range) on the same version (If-Match on the
 * ETag), so the reader sees every byte exactly once, or a SourceReadError. A body never runs past the object's
 * listed size or its Content-Length, and each request has a deadline: a store that sends forever, or drips,
 * costs a bounded time and memory per object.
 */
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3'
import { s3Sdk } from './s3-sdk.js'
import { SourceReadError } from '../errors.js'
import { parseCloudTrailKey, type KeyInfo } from './key-layout.js'
import type { LogObject } from './log-object.js'
import { rememberOrigin, type ObjectOrigin } from './object-ref.js'
import { clientOptionsOf } from './s3-client.js'
import { isRetryableBodyError, toS3SourceError } from './s3-errors.js'
import type { RetryBudget } from './s3-retry.js'

export interface ResumeOptions {
  /** Resumes per open() before the body error is thrown. */
  attempts?: number
  /** First backoff delay in ms; doubles per attempt (with jitter), capped at 5 s. */
  baseDelayMs?: number
}

export interface S3ObjectContext {
  client: S3Client
  bucket: string
  requestPayer?: boolean
  resume?: ResumeOptions
  /**
   * Total deadline of one GET, from sending it to the last byte of its body (default 120 s). A request past it
   * is abandoned and resumed from the first byte not yet delivered, like a cut body. Listing pages have it too.
   */
  objectTimeoutMs?: number
  /** The run's retry budget; every resume takes one. */
  retryBudget?: RetryBudget
}

export interface S3ObjectEntry {
  key: string
  /** The key as the layout reads it, when the lister has parsed it already. */
  info?: KeyInfo
  /** Size in the listing, when the listing gave one: the body is never read past it. */
  size?: number
  etag?: string
  mtime?: Date
  /**
   * Read only the version with `etag` (a shard reading what its plan listed): the first GET asks with If-Match,
   * and an object changed since is reported, never read as if it were the one listed.
   */
  pinned?: boolean
}

const RESUME_DEFAULTS = { attempts: 5, baseDelayMs: 200 } as const
const MAX_DELAY_MS = 5_000
export const DEFAULT_OBJECT_TIMEOUT_MS = 120_000

/** The body ended cleanly but short of Content-Length: a proxy or server that closed early without an error. */
class PrematureEndError extends Error {
  constructor(offset: number, total: number) {
    super(`body ended after ${offset} of ${total} bytes`)
    this.name = 'PrematureEndError'
  }
}

/** One GET took longer than the object timeout (retryable: resumed where it stopped). */
class ObjectTimeoutError extends Error {
  constructor(ms: number) {
    super(`the request took longer than the object timeout of ${ms / 1000} s`)
    this.name = 'ObjectTimeoutError'
  }
}

/**
 * The body went on past its listed size or Content-Length. What came up to there is the object as announced,
 * so the reader ends it as a whole document (`endsWhole`) before reporting the cut.
 */
class BodyOverrunError extends SourceReadError {
  readonly endsWhole = true
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`
}

/** A LogObject for one listed key. */
export function s3LogObject(ctx: S3ObjectContext, entry: S3ObjectEntry): LogObject {
  const obj: LogObject = {
    uri: s3Uri(ctx.bucket, entry.key),
    size: entry.size ?? 0,
    key: entry.info ?? parseCloudTrailKey(entry.key),
    open: () => openS3Object(ctx, entry.key, entry.size, entry.pinned === true ? entry.etag : undefined),
  }
  if (entry.etag !== undefined) obj.etag = entry.etag.replaceAll('"', '')
  if (entry.mtime !== undefined) obj.mtime = entry.mtime
  const client = clientOptionsOf(ctx.client)
  if (client) {
    const origin: ObjectOrigin = { kind: 's3', bucket: ctx.bucket, key: entry.key, client }
    if (entry.size !== undefined) origin.listedSize = entry.size
    if (entry.pinned === true) origin.pinned = true
    if (ctx.retryBudget) origin.budget = ctx.retryBudget.share()
    if (ctx.requestPayer !== undefined) origin.requestPayer = ctx.requestPayer
    if (ctx.resume) origin.resume = ctx.resume
    if (ctx.objectTimeoutMs !== undefined) origin.objectTimeoutMs = ctx.objectTimeoutMs
    rememberOrigin(obj, origin)
  }
  return obj
}

/**
 * The LogObject for one S3 object named by bucket and key, with no listing: the object an S3 event notification
 * names, say (its key arrives URL-encoded, `+` for a space: decode it first). Give the size and ETag the
 * notification carries when there are any: the body is then never read past that size, and a resumed body is
 * asked for on that version. Without a size, the body is bounded by its Content-Length.
 */
export function s3Object(opts: S3ObjectContext & { key: string; size?: number; etag?: string }): LogObject {
  const { key, size, etag, ...ctx } = opts
  return s3LogObject(ctx, { key, ...(size !== undefined ? { size } : {}), ...(etag !== undefined ? { etag } : {}) })
}

/**
 * The deadline of one request: before the response it aborts the request, after it destroys the body, either
 * way with an ObjectTimeoutError. (Listings use it too: the SDK reads a listing's body before `send` returns.)
 */
export class RequestDeadline {
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private body: Readable | undefined
  expired = false

  constructor(readonly ms: number) {
    this.timer = setTimeout(() => {
      this.expired = true
      const err = new ObjectTimeoutError(ms)
      if (this.body === undefined) this.controller.abort(err)
      else this.body.destroy(err)
    }, ms)
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  watch(body: Readable): void {
    this.body = body
  }

  clear(): void {
    clearTimeout(this.timer)
  }
}

async function send(
  ctx: S3ObjectContext,
  key: string,
  deadline: RequestDeadline,
  from?: { offset: number; etag: string },
  pin?: string,
): Promise<GetObjectCommandOutput> {
  try {
    return await ctx.client.send(
      new (s3Sdk().GetObjectCommand)({
        Bucket: ctx.bucket,
        Key: key,
        ...(ctx.requestPayer === true ? { RequestPayer: 'requester' as const } : {}),
        ...(from === undefined ? {} : { Range: `bytes=${from.offset}-`, IfMatch: from.etag }),
        ...(from === undefined && pin !== undefined ? { IfMatch: pin } : {}),
      }),
      { abortSignal: deadline.signal },
    )
  } catch (err) {
    deadline.clear()
    throw deadline.expired ? new ObjectTimeoutError(deadline.ms) : err
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode
}

function bodyOf(out: GetObjectCommandOutput, uri: string): Readable {
  // In Node the SDK body is an IncomingMessage (a Readable) with SDK helpers mixed in.
  if (out.Body instanceof Readable) return out.Body
  throw new SourceReadError(`reading ${uri}: the S3 response has no readable body`, { location: { object: uri } })
}

/** GetObject streamed, resumed with Range + If-Match when the body is cut or late. Throws SourceReadError. */
export async function openS3Object(ctx: S3ObjectContext, key: string, listedSize?: number, pinnedEtag?: string): Promise<Readable> {
  const reader = new ObjectReader(ctx, key, listedSize)
  await reader.open(pinnedEtag)
  return Readable.from(reader.bytes(), { objectMode: false })
}

class ObjectReader {
  private readonly uri: string
  private readonly timeoutMs: number
  private readonly attempts: number
  private readonly baseDelayMs: number
  private failures = 0
  private body: Readable | undefined
  private deadline: RequestDeadline | undefined
  private total: number | undefined
  private etag: string | undefined
  /** Bytes the body may have: the smaller of the listed size and the first response's Content-Length. */
  private limit: { bytes: number; what: string } | undefined

  constructor(
    private readonly ctx: S3ObjectContext,
    private readonly key: string,
    listedSize: number | undefined,
  ) {
    this.uri = s3Uri(ctx.bucket, key)
    this.timeoutMs = ctx.objectTimeoutMs ?? DEFAULT_OBJECT_TIMEOUT_MS
    this.attempts = ctx.resume?.attempts ?? RESUME_DEFAULTS.attempts
    this.baseDelayMs = ctx.resume?.baseDelayMs ?? RESUME_DEFAULTS.baseDelayMs
    if (listedSize !== undefined) this.limit = { bytes: listedSize, what: 'listed size' }
  }

  /** The first GET; a late answer is asked for again (within the attempts and the budget), any other error thrown. */
  async open(pinnedEtag?: string): Promise<void> {
    const pin = pinnedEtag === undefined ? undefined : `"${pinnedEtag.replaceAll('"', '')}"`
    for (;;) {
      const deadline = new RequestDeadline(this.timeoutMs)
      let out: GetObjectCommandOutput
      try {
        out = await send(this.ctx, this.key, deadline, undefined, pin)
      } catch (err) {
        if (pin !== undefined && statusOf(err) === 412) throw this.changed(pin, undefined)
        if (!(err instanceof ObjectTimeoutError)) throw toS3SourceError(err, this.uri, 'cannot open')
        await this.backoff(err, 'cannot open')
        continue
      }
      // A store that ignores If-Match hands back whatever is there now: compare ourselves.
      if (pin !== undefined && out.ETag !== undefined && out.ETag !== pin) {
        deadline.clear()
        if (out.Body instanceof Readable) out.Body.destroy()
        throw this.changed(pin, out.ETag)
      }
      this.total = out.ContentLength
      this.etag = out.ETag
      if (this.total !== undefined && (this.limit === undefined || this.total < this.limit.bytes))
        this.limit = { bytes: this.total, what: 'Content-Length' }
      this.watch(out, deadline)
      return
    }
  }

  private watch(out: GetObjectCommandOutput, deadline: RequestDeadline): void {
    try {
      this.body = bodyOf(out, this.uri)
    } finally {
      if (this.body === undefined) deadline.clear()
    }
    deadline.watch(this.body)
    this.deadline = deadline
  }

  private changed(planned: string, now: string | undefined): SourceReadError {
    const was = now === undefined ? '' : `, now ${now}`
    return new SourceReadError(`${this.uri} changed since it was planned (ETag ${planned}${was}): not scanned; make the plan again`, {
      location: { object: this.uri },
    })
  }

  /** Waits before the next attempt, or throws the failure when the object's attempts or the run's budget are spent. */
  private async backoff(cause: unknown, what: string): Promise<void> {
    if (this.failures >= this.attempts) throw toS3SourceError(cause, this.uri, what)
    const budget = this.ctx.retryBudget
    if (budget !== undefined && !budget.take()) {
      const err = toS3SourceError(cause, this.uri, what)
      throw new SourceReadError(`${err.message}; ${budget.refusal()}`, { location: { object: this.uri }, cause })
    }
    this.failures++
    const delay = Math.min(MAX_DELAY_MS, this.baseDelayMs * 2 ** (this.failures - 1))
    await sleep(delay / 2 + Math.random() * (delay / 2))
  }

  /** One Range request for the rest of the object; checks that the store honoured both Range and If-Match. */
  private async reopen(offset: number, etag: string): Promise<void> {
    const deadline = new RequestDeadline(this.timeoutMs)
    let out: GetObjectCommandOutput
    try {
      out = await send(this.ctx, this.key, deadline, { offset, etag })
    } catch (err) {
      if (isRetryableBodyError(err)) throw err
      throw toS3SourceError(err, this.uri, `resuming at byte ${offset} of`)
    }
    const fail = (why: string): never => {
      deadline.clear()
      if (out.Body instanceof Readable) out.Body.destroy()
      throw new SourceReadError(`resuming at byte ${offset} of ${this.uri}: ${why}`, { location: { object: this.uri } })
    }
    // Stores that ignore If-Match (some S3 look-alikes) would hand back another version: compare ourselves.
    if (out.ETag !== undefined && out.ETag !== etag) fail('object changed while it was being read (ETag differs)')
    if (out.ContentRange?.startsWith(`bytes ${offset}-`) !== true) fail('the store ignored the Range request')
    this.watch(out, deadline)
  }

  private release(): void {
    this.deadline?.clear()
    this.deadline = undefined
    this.body?.destroy()
    this.body = undefined
  }

  async *bytes(): AsyncGenerator<Buffer, void, undefined> {
    let offset = 0
    let cause: unknown
    try {
      for (;;) {
        if (this.body !== undefined) {
          cause = undefined
          try {
            for await (const chunk of this.body as AsyncIterable<Buffer>) {
              if (this.limit !== undefined && offset + chunk.length > this.limit.bytes) {
                // A store that sends more than it announced (or without end) gets no more of our memory.
                const keep = this.limit.bytes - offset
                offset += keep
                if (keep > 0) yield chunk.subarray(0, keep)
                throw new BodyOverrunError(
                  `reading ${this.uri}: the body is longer than its ${this.limit.what} of ${this.limit.bytes} bytes; read up to there`,
                  { location: { object: this.uri } },
                )
              }
              offset += chunk.length
              yield chunk
            }
            if (this.total !== undefined && offset < this.total) cause = new PrematureEndError(offset, this.total)
          } catch (err) {
            if (err instanceof SourceReadError) throw err
            cause = err
          }
          this.release()
          // A cut after the last byte lost nothing.
          if (cause === undefined || (this.total !== undefined && offset >= this.total)) return
        }
        const what = `reading (${offset} bytes in)`
        if (this.etag === undefined || !isRetryableBodyError(cause)) throw toS3SourceError(cause, this.uri, what)
        await this.backoff(cause, what)
        try {
          await this.reopen(offset, this.etag)
        } catch (err) {
          if (err instanceof SourceReadError) throw err
          cause = err
        }
      }
    } finally {
      this.release()
    }
  }
}
