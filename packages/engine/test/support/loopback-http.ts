/**
 * A loopback HTTP server that records every request (method, path, headers, body) and answers through a
 * handler. The AWS endpoints (aws-endpoints.ts) and the webhook/Slack receiver are built on it.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
}

export interface Reply {
  status: number
  headers?: Record<string, string>
  body?: string
}

export interface LoopbackServer {
  url: string
  requests: Received[]
  /** Replaces the handler (a test's own fault). */
  handle(h: (req: Received) => Reply): void
  stop(): Promise<void>
}

export async function startLoopback(handler: (req: Received) => Reply): Promise<LoopbackServer> {
  let h = handler
  const requests: Received[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(r)
      let reply: Reply
      try {
        reply = h(r)
      } catch (e) {
        reply = { status: 500, body: String(e) }
      }
      res.writeHead(reply.status, reply.headers ?? {})
      res.end(reply.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      h = next
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A webhook or Slack receiver: 200 for every POST, unless `answer` says otherwise for the n-th (0-based). */
export async function startReceiver(answer: (n: number, req: Received) => Reply | undefined = () => undefined): Promise<LoopbackServer> {
  let n = 0
  return startLoopback((req) => answer(n++, req) ?? { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' })
}
