/**
 * A loopback HTTP proxy in front of s3rver that records every request and, per rule, answers with an S3 error
 * (503 SlowDown, 403 AccessDenied / InvalidAccessKeyId …), cuts or stalls a response body after some bytes, or
 * rewrites the ETag. It also plays a store that never ends: listings whose continuation tokens cycle or never
 * repeat, keys out of order, sizes that lie, bodies that never end, run past their length or drip.
 * Object PUTs and DELETEs get S3's conditional-write semantics (`If-None-Match: *`, `If-Match: <etag>`), which
 * s3rver lacks: see conditional-writes.ts.
 * Path-style requests only (`/bucket/key?query`), which is what the client sends with an endpoint URL.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { checkPreconditions, currentEtag, isObjectWrite, KeyLocks, withoutPreconditions } from './conditional-writes.js'

export interface SeenRequest {
  method: string
  bucket: string
  /** Object key for object requests; undefined for bucket-level requests (listings). */
  key: string | undefined
  query: Record<string, string>
  range: string | undefined
  ifMatch: string | undefined
  ifNoneMatch: string | undefined
}

export type FaultAction =
  | { type: 'error'; status: number; code: string; message?: string }
  | { type: 'slowdown' }
  /** Sends the headers and `afterBytes` of the body, then destroys the connection. */
  | { type: 'reset'; afterBytes: number }
  /** Sends the headers and `afterBytes` of the body, then goes silent (the client's idle timeout must fire). */
  | { type: 'stall'; afterBytes: number }
  /** Lets the request reach the store, then drops the connection instead of answering (a write that landed unseen). */
  | { type: 'lose-answer' }
  /** Passes the response through with another ETag (a store that ignores If-Match, on a changed object). */
  | { type: 'etag'; etag: string }
  /**
   * Listings: the first page is the store's own, truncated; every later page is empty and points on. `cycle`
   * sends tokens A, B, A, …; `fresh` a new token each time, forever.
   */
  | { type: 'tokens'; tokens: 'cycle' | 'fresh' }
  /** Listings: the store's own page with its keys and common prefixes in reverse order. */
  | { type: 'reverse-keys' }
  /** Object GETs: the store's headers, then its body chunked (no Content-Length) and spaces after it without end. */
  | { type: 'endless' }
  /** Object GETs: the store's body, then `extra` more bytes, counted in Content-Length (`counted`) or sent past it. */
  | { type: 'longer'; extra: number; counted: boolean }
  /** Object GETs: the store's response, its body sent `bytes` at a time every `everyMs`. */
  | { type: 'drip'; bytes: number; everyMs: number }

export interface FaultRule {
  method?: string
  /** Exact object key. */
  key?: string
  /** Matches listings (bucket-level GETs) whose prefix parameter equals this. */
  listPrefix?: string
  /** true: only requests with a Range header; false: only without. */
  ranged?: boolean
  /** How many matching requests the rule affects; unlimited when omitted. */
  times?: number
  action: FaultAction
}

export interface FaultProxy {
  endpoint: string
  requests: SeenRequest[]
  addRule(rule: FaultRule): void
  clear(): void
  /** Listing requests seen, as `prefix|delimiter` strings in arrival order. */
  listings(): SeenRequest[]
  /** Object GETs seen. */
  gets(): SeenRequest[]
  stop(): Promise<void>
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULTPROXY</RequestId></Error>`
}

function matches(rule: FaultRule, seen: SeenRequest): boolean {
  if (rule.method !== undefined && rule.method !== seen.method) return false
  if (rule.key !== undefined && rule.key !== seen.key) return false
  if (rule.listPrefix !== undefined && (seen.key !== undefined || (seen.query['prefix'] ?? '') !== rule.listPrefix)) return false
  if (rule.ranged !== undefined && rule.ranged !== (seen.range !== undefined)) return false
  return true
}

/** Actions that answer from the store's response, rewritten. */
const REWRITES = new Set<FaultAction['type']>(['tokens', 'reverse-keys', 'endless', 'longer', 'drip'])

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function nextToken(mode: 'cycle' | 'fresh', token: string | undefined): string {
  if (mode === 'cycle') return token === 'A' ? 'B' : 'A'
  return `T${Number((token ?? 'T0').slice(1)) + 1}`
}

interface ListedKey {
  key: string
  size: number
  etag: string
}

interface ListedPage {
  keys: ListedKey[]
  prefixes: string[]
}

/** A ListObjectsV2 answer as S3 writes it. */
function listingXml(seen: SeenRequest, { keys, prefixes }: ListedPage, next: string | undefined): string {
  const contents = keys
    .map(
      (k) =>
        `<Contents><Key>${xmlEscape(k.key)}</Key><LastModified>2024-03-05T00:00:00.000Z</LastModified><ETag>${xmlEscape(k.etag)}</ETag><Size>${k.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('')
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Name>${xmlEscape(seen.bucket)}</Name><Prefix>${xmlEscape(seen.query['prefix'] ?? '')}</Prefix><KeyCount>${keys.length + prefixes.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
    `<IsTruncated>${next === undefined ? 'false' : 'true'}</IsTruncated>` +
    (seen.query['continuation-token'] === undefined
      ? ''
      : `<ContinuationToken>${xmlEscape(seen.query['continuation-token'])}</ContinuationToken>`) +
    (next === undefined ? '' : `<NextContinuationToken>${xmlEscape(next)}</NextContinuationToken>`) +
    contents +
    prefixes.map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`).join('') +
    (seen.query['delimiter'] === undefined ? '' : `<Delimiter>${xmlEscape(seen.query['delimiter'])}</Delimiter>`) +
    '</ListBucketResult>'
  )
}

/** The keys and common prefixes of a listing page s3rver wrote (plain XML: no CDATA, no comments). */
function parseListing(xml: string): ListedPage {
  const unescape = (s: string): string =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
  const tag = (block: string, name: string): string => unescape(new RegExp(`<${name}>([^<]*)</${name}>`).exec(block)?.[1] ?? '')
  const keys = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => ({
    key: tag(m[1]!, 'Key'),
    size: Number(tag(m[1]!, 'Size')),
    etag: tag(m[1]!, 'ETag'),
  }))
  const prefixes = [...xml.matchAll(/<CommonPrefixes>([\s\S]*?)<\/CommonPrefixes>/g)].map((m) => tag(m[1]!, 'Prefix'))
  return { keys, prefixes }
}

async function bodyOf(stream: http.IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of stream as AsyncIterable<Buffer>) parts.push(chunk)
  return Buffer.concat(parts)
}

/** Answers from the store's response, changed as the action says. */
function rewrite(
  ur: http.IncomingMessage,
  res: http.ServerResponse,
  headers: http.IncomingHttpHeaders,
  action: FaultAction,
  seen: SeenRequest,
): void {
  void bodyOf(ur).then((body) => {
    const status = ur.statusCode ?? 502
    if (status >= 300) {
      res.writeHead(status, headers).end(body)
      return
    }
    delete headers['content-length']
    delete headers['transfer-encoding']
    switch (action.type) {
      case 'tokens':
        res
          .writeHead(200, { 'content-type': 'application/xml' })
          .end(listingXml(seen, parseListing(body.toString('utf8')), nextToken(action.tokens, undefined)))
        return
      case 'reverse-keys': {
        const page = parseListing(body.toString('utf8'))
        res
          .writeHead(200, { 'content-type': 'application/xml' })
          .end(listingXml(seen, { keys: page.keys.reverse(), prefixes: page.prefixes.reverse() }, undefined))
        return
      }
      case 'endless': {
        res.writeHead(200, headers)
        const filler = Buffer.alloc(64 * 1024, 0x20)
        const pump = (): void => {
          while (!res.destroyed && res.write(filler));
        }
        res.on('drain', pump)
        res.write(body)
        pump()
        return
      }
      case 'longer': {
        const extra = Buffer.alloc(action.extra, 0x20)
        if (action.counted) {
          res.writeHead(200, { ...headers, 'content-length': String(body.length + extra.length) }).end(Buffer.concat([body, extra]))
          return
        }
        // Past Content-Length: straight onto the socket after the announced body.
        res.writeHead(200, { ...headers, 'content-length': String(body.length) })
        res.end(body, () => res.socket?.write(extra))
        return
      }
      case 'drip': {
        res.writeHead(status, { ...headers, 'content-length': String(body.length) })
        let at = 0
        const timer = setInterval(() => {
          if (res.destroyed || at >= body.length) {
            clearInterval(timer)
            if (!res.destroyed) res.end()
            return
          }
          res.write(body.subarray(at, at + action.bytes))
          at += action.bytes
        }, action.everyMs)
        res.on('close', () => clearInterval(timer))
        return
      }
      default:
        res.writeHead(status, headers).end(body)
    }
  })
}

export async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  const requests: SeenRequest[] = []
  let rules: FaultRule[] = []
  const locks = new KeyLocks()
  const sockets = new Set<Socket>()

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy')
    const [, bucket = '', ...rest] = url.pathname.split('/')
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      bucket: decodeURIComponent(bucket),
      key: rest.length === 0 ? undefined : decodeURIComponent(rest.join('/')),
      query: Object.fromEntries(url.searchParams),
      range: req.headers.range,
      ifMatch: req.headers['if-match'],
      ifNoneMatch: req.headers['if-none-match'],
    }
    if (seen.key === '') seen.key = undefined
    requests.push(seen)
    const rule = rules.find((r) => matches(r, seen))
    if (rule?.times !== undefined && --rule.times <= 0) rules = rules.filter((r) => r !== rule)
    const action = rule?.action
    if (action?.type === 'error' || action?.type === 'slowdown') {
      const [status, code, message] =
        action.type === 'slowdown'
          ? [503, 'SlowDown', 'Please reduce your request rate.']
          : [action.status, action.code, action.message ?? action.code]
      req.resume()
      res.writeHead(status, { 'content-type': 'application/xml' }).end(errorXml(code, message))
      return
    }
    if (action?.type === 'tokens' && seen.query['continuation-token'] !== undefined) {
      // A page after the first: nothing in it, and a token to go on with.
      const token = seen.query['continuation-token']
      req.resume()
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(listingXml(seen, { keys: [], prefixes: [] }, nextToken(action.tokens, token)))
      return
    }
    if (!isObjectWrite(seen.method, seen.key, seen.query)) {
      void forward(req.headers)
      return
    }
    void locks
      .run(`${seen.bucket}/${seen.key ?? ''}`, async () => {
        const failure = checkPreconditions(seen.method, req.headers, await currentEtag(upstreamPort, url.pathname, req.headers))
        if (failure === null) return forward(withoutPreconditions(req.headers))
        req.resume()
        res.writeHead(failure.status, { 'content-type': 'application/xml' }).end(errorXml(failure.code, failure.message))
      })
      .catch((e: unknown) => {
        // The store could not say what is there: a 500, which the client retries, as S3's own InternalError.
        req.resume()
        if (res.headersSent) res.destroy()
        else res.writeHead(500, { 'content-type': 'application/xml' }).end(errorXml('InternalError', String(e)))
      })

    /** Sends the request on to s3rver; settles when the answer to the client is finished or torn down. */
    function forward(headers: http.IncomingHttpHeaders): Promise<void> {
      const finished = new Promise<void>((resolve) => res.on('close', resolve))
      const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers }, (ur) => {
        if (action?.type === 'lose-answer') {
          ur.resume()
          res.socket?.destroy()
          return
        }
        const headers = { ...ur.headers }
        if (action?.type === 'etag') headers.etag = action.etag
        if (action !== undefined && REWRITES.has(action.type)) {
          rewrite(ur, res, headers, action, seen)
          return
        }
        res.writeHead(ur.statusCode ?? 502, headers)
        if (action?.type !== 'reset' && action?.type !== 'stall') {
          ur.pipe(res)
          return
        }
        let sent = 0
        const cut = (): void => {
          ur.destroy()
          if (action.type === 'reset') res.socket?.destroy()
        }
        ur.on('data', (chunk: Buffer) => {
          if (sent >= action.afterBytes) return
          const part = chunk.subarray(0, action.afterBytes - sent)
          sent += part.length
          if (sent < action.afterBytes) res.write(part)
          else res.write(part, cut)
        })
        ur.on('end', () => {
          if (sent < action.afterBytes) res.end()
        })
      })
      upstream.on('error', () => res.destroy())
      req.pipe(upstream)
      return finished
    }
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addRule: (rule) => void rules.push({ ...rule }),
    clear() {
      rules = []
      requests.length = 0
    },
    listings: () => requests.filter((r) => r.method === 'GET' && r.key === undefined && r.query['list-type'] === '2'),
    gets: () => requests.filter((r) => r.method === 'GET' && r.key !== undefined),
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
