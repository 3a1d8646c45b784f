/**
 * An S3 object as a LogObject. `open()` streams GetObject's body (never to disk) and survives a body cut off
 * mid-way: it asks again from the first byte not yet delivered (Range) on the same version (If-Match on the
 * ETag), so the reader sees every byte exactly once, or a SourceReadError.
 */
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3'
import { s3Sdk } from './s3-sdk.js'
import { SourceReadError } from '../errors.js'
import { parseCloudTrailKey } from './key-layout.js'
import type { LogObject } from './log-object.js'
import { isRetryableBodyError, toS3SourceError } from './s3-errors.js'

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
}

export interface S3ObjectEntry {
  key: string
  size: number
  etag?: string
  mtime?: Date
}

const RESUME_DEFAULTS = { attempts: 5, baseDelayMs: 200 } as const
const MAX_DELAY_MS = 5_000

/** The body ended cleanly but short of Content-Length: a proxy or server that closed early without an error. */
class PrematureEndError extends Error {
  constructor(offset: number, total: number) {
    super(`body ended after ${offset} of ${total} bytes`)
    this.name = 'PrematureEndError'
  }
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`
}

/** A LogObject for one listed key. */
export function s3LogObject(ctx: S3ObjectContext, entry: S3ObjectEntry): LogObject {
  const obj: LogObject = {
    uri: s3Uri(ctx.bucket, entry.key),
    size: entry.size,
    key: parseCloudTrailKey(entry.key),
    open: () => openS3Object(ctx, entry.key),
  }
  if (entry.etag !== undefined) obj.etag = entry.etag.replaceAll('"', '')
  if (entry.mtime !== undefined) obj.mtime = entry.mtime
  return obj
}

function send(ctx: S3ObjectContext, key: string, from?: { offset: number; etag: string }): Promise<GetObjectCommandOutput> {
  return ctx.client.send(
    new (s3Sdk().GetObjectCommand)({
      Bucket: ctx.bucket,
      Key: key,
      ...(ctx.requestPayer === true ? { RequestPayer: 'requester' as const } : {}),
      ...(from === undefined ? {} : { Range: `bytes=${from.offset}-`, IfMatch: from.etag }),
    }),
  )
}

function bodyOf(out: GetObjectCommandOutput, uri: string): Readable {
  // In Node the SDK body is an IncomingMessage (a Readable) with SDK helpers mixed in.
  if (out.Body instanceof Readable) return out.Body
  throw new SourceReadError(`reading ${uri}: the S3 response has no readable body`, { location: { object: uri } })
}

/** GetObject streamed, resumed with Range + If-Match when the body is cut. Throws SourceReadError. */
export async function openS3Object(ctx: S3ObjectContext, key: string): Promise<Readable> {
  const uri = s3Uri(ctx.bucket, key)
  let first: GetObjectCommandOutput
  try {
    first = await send(ctx, key)
  } catch (err) {
    throw toS3SourceError(err, uri, 'cannot open')
  }
  const body = bodyOf(first, uri)
  return Readable.from(resumingBytes(ctx, key, uri, body, first.ContentLength, first.ETag), { objectMode: false })
}

/** One Range request for the rest of the object; checks that the store honoured both Range and If-Match. */
async function reopen(ctx: S3ObjectContext, key: string, uri: string, offset: number, etag: string): Promise<Readable> {
  let out: GetObjectCommandOutput
  try {
    out = await send(ctx, key, { offset, etag })
  } catch (err) {
    if (isRetryableBodyError(err)) throw err
    throw toS3SourceError(err, uri, `resuming at byte ${offset} of`)
  }
  const fail = (why: string): never => {
    if (out.Body instanceof Readable) out.Body.destroy()
    throw new SourceReadError(`resuming at byte ${offset} of ${uri}: ${why}`, { location: { object: uri } })
  }
  // Stores that ignore If-Match (some S3 look-alikes) would hand back another version: compare ourselves.
  if (out.ETag !== undefined && out.ETag !== etag) fail('object changed while it was being read (ETag differs)')
  if (out.ContentRange?.startsWith(`bytes ${offset}-`) !== true) fail('the store ignored the Range request')
  return bodyOf(out, uri)
}

async function* resumingBytes(
  ctx: S3ObjectContext,
  key: string,
  uri: string,
  firstBody: Readable,
  total: number | undefined,
  etag: string | undefined,
): AsyncGenerator<Buffer, void, undefined> {
  const attempts = ctx.resume?.attempts ?? RESUME_DEFAULTS.attempts
  const baseDelayMs = ctx.resume?.baseDelayMs ?? RESUME_DEFAULTS.baseDelayMs
  let body: Readable | undefined = firstBody
  let offset = 0
  let cause: unknown
  try {
    for (let failures = 0; ; ) {
      if (body !== undefined) {
        cause = undefined
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) {
            offset += chunk.length
            yield chunk
          }
          if (total !== undefined && offset < total) cause = new PrematureEndError(offset, total)
        } catch (err) {
          cause = err
        }
        body.destroy()
        body = undefined
        // A cut after the last byte lost nothing.
        if (cause === undefined || (total !== undefined && offset >= total)) return
      }
      if (etag === undefined || !isRetryableBodyError(cause) || failures >= attempts) {
        throw toS3SourceError(cause, uri, `reading (${offset} bytes in)`)
      }
      failures++
      const delay = Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** (failures - 1))
      await sleep(delay / 2 + Math.random() * (delay / 2))
      try {
        body = await reopen(ctx, key, uri, offset, etag)
      } catch (err) {
        if (err instanceof SourceReadError) throw err
        cause = err
      }
    }
  } finally {
    body?.destroy()
  }
}
