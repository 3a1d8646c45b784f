/**
 * Conditional writes as AWS S3 enforces them, for the fault proxy: s3rver 3.7.1 ignores `If-None-Match` and
 * `If-Match` on PUT and DELETE, so without this a compare-and-swap against the test store would always succeed.
 *
 * What AWS documents (S3 user guide, "conditional writes" and "conditional deletes"; PutObject / DeleteObject):
 * - PutObject `If-None-Match: *`: the key must not exist, else 412 PreconditionFailed. Any value but `*` is not
 *   implemented (501 NotImplemented).
 * - PutObject `If-Match: <etag>`: the current object's ETag must equal it, else 412 PreconditionFailed; no
 *   object under the key at all is 404 NoSuchKey.
 * - DeleteObject `If-Match: <etag>` (general purpose buckets too; `*` means "exists"): a different ETag is
 *   412 PreconditionFailed. An absent object fails the condition as RFC 9110 reads it (412).
 * - A conflicting write that lands while a conditional one is in flight is 409 ConditionalRequestConflict; with
 *   every write to a key serialised here that cannot happen, so a test that wants it injects it with a rule.
 *
 * Every PUT and DELETE of one key runs under one lock, conditional or not: the ETag is read and the write is
 * forwarded before the next write to that key starts, so two racing writers can never both pass a check.
 */
import http from 'node:http'

/** Runs tasks one after another per key; tasks on different keys run concurrently. */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve()
    let done!: () => void
    const mine = new Promise<void>((resolve) => (done = resolve))
    const tail = before.then(() => mine)
    this.tails.set(key, tail)
    await before
    try {
      return await task()
    } finally {
      done()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}

export interface ConditionalFailure {
  status: number
  code: string
  message: string
}

/** The ETag without quotes or a weak prefix: clients send it quoted or bare, s3rver answers it quoted. */
function bareEtag(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')
}

/** Whether an If-Match list (`"a", "b"` or `*`) admits the current ETag. */
function ifMatchAdmits(header: string, current: string): boolean {
  return header.split(',').some((tag) => tag.trim() === '*' || bareEtag(tag) === bareEtag(current))
}

/** True for the requests whose preconditions S3 evaluates: object PUT (not a multipart part) and object DELETE. */
export function isObjectWrite(method: string, key: string | undefined, query: Record<string, string>): boolean {
  if (key === undefined) return false
  if (method === 'DELETE') return query['uploadId'] === undefined
  return method === 'PUT' && query['uploadId'] === undefined && query['partNumber'] === undefined
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** The current ETag of `path` (`/bucket/key`) on the upstream store, or null when there is no object. */
export function currentEtag(upstreamPort: number, path: string, headers: http.IncomingHttpHeaders): Promise<string | null> {
  // Only what identifies the caller: s3rver checks the access key id, not the (PUT's) signature.
  // A HEAD has no payload: the hash of nothing (s3rver insists on the header with a SigV4 authorization).
  const pass: http.OutgoingHttpHeaders = { 'x-amz-content-sha256': EMPTY_SHA256 }
  for (const name of ['authorization', 'x-amz-date', 'x-amz-security-token', 'host']) {
    if (headers[name] !== undefined) pass[name] = headers[name]
  }
  return new Promise((resolve, reject) => {
    const head = http.request({ host: '127.0.0.1', port: upstreamPort, method: 'HEAD', path, headers: pass }, (res) => {
      res.resume()
      const status = res.statusCode ?? 502
      if (status === 404) resolve(null)
      else if (status === 200 && typeof res.headers.etag === 'string') resolve(res.headers.etag)
      else reject(new Error(`HEAD ${path}: status ${status} from the store`))
    })
    head.on('error', reject)
    head.end()
  })
}

/** The error S3 would answer for these preconditions against the current ETag, or null when the write may proceed. */
export function checkPreconditions(method: string, headers: http.IncomingHttpHeaders, current: string | null): ConditionalFailure | null {
  const ifNoneMatch = headers['if-none-match']
  const ifMatch = headers['if-match']
  const failed: ConditionalFailure = {
    status: 412,
    code: 'PreconditionFailed',
    message: 'At least one of the pre-conditions you specified did not hold',
  }
  if (method === 'PUT' && ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      return { status: 501, code: 'NotImplemented', message: 'A header you provided implies functionality that is not implemented' }
    }
    if (current !== null) return failed
  }
  if (ifMatch !== undefined) {
    if (current === null) {
      return method === 'PUT' ? { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' } : failed
    }
    if (!ifMatchAdmits(ifMatch, current)) return failed
  }
  return null
}

/** The request's headers without the preconditions this module has already evaluated. */
export function withoutPreconditions(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const rest = { ...headers }
  delete rest['if-match']
  delete rest['if-none-match']
  return rest
}
