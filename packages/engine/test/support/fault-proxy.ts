/**
 * A loopback HTTP proxy in front of s3rver that records every request and, per rule, answers with an S3 error
 * (503 SlowDown, 403 AccessDenied / InvalidAccessKeyId …), cuts or stalls a response body after some bytes, or
 * rewrites the ETag. Path-style requests only (`/bucket/key?query`), which is what the client sends with an
 * endpoint URL.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface SeenRequest {
  method: string
  bucket: string
  /** Object key for object requests; undefined for bucket-level requests (listings). */
  key: string | undefined
  query: Record<string, string>
  range: string | undefined
  ifMatch: string | undefined
}

export type FaultAction =
  | { type: 'error'; status: number; code: string; message?: string }
  | { type: 'slowdown' }
  /** Sends the headers and `afterBytes` of the body, then destroys the connection. */
  | { type: 'reset'; afterBytes: number }
  /** Sends the headers and `afterBytes` of the body, then goes silent (the client's idle timeout must fire). */
  | { type: 'stall'; afterBytes: number }
  /** Passes the response through with another ETag (a store that ignores If-Match, on a changed object). */
  | { type: 'etag'; etag: string }

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

export async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  const requests: SeenRequest[] = []
  let rules: FaultRule[] = []
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
      ifMatch: req.headers['if-match'] as string | undefined,
    }
    if (seen.key === '') seen.key = undefined
    requests.push(seen)
    const rule = rules.find((r) => matches(r, seen))
    if (rule?.times !== undefined && --rule.times <= 0) rules = rules.filter((r) => r !== rule)
    const action = rule?.action
    if (action?.type === 'error' || action?.type === 'slowdown') {
      const [status, code, message] =
        action.type === 'slowdown' ? [503, 'SlowDown', 'Please reduce your request rate.'] : [action.status, action.code, action.message ?? action.code]
      req.resume()
      res.writeHead(status, { 'content-type': 'application/xml' }).end(errorXml(code, message))
      return
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (ur) => {
        const headers = { ...ur.headers }
        if (action?.type === 'etag') headers.etag = action.etag
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
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
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
