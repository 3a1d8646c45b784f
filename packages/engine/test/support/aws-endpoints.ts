/**
 * Loopback endpoints that speak the wire protocols of the services delivery uses, for the real SDK v3 clients:
 * Security Hub (REST-JSON, POST /findings/import), SNS (the query protocol: form-encoded requests, XML answers)
 * and EventBridge (JSON 1.1, X-Amz-Target AWSEvents.PutEvents). Each records what it accepted, checks the
 * service's limits (answering as the service would when one is broken, and noting it in `violations`), and
 * can throttle the next calls or fail chosen items of a batch on demand.
 */
import { randomUUID } from 'node:crypto'
import { startLoopback, type LoopbackServer, type Received, type Reply } from './loopback-http.js'

/** An item failure on demand: the item, and how many times the endpoint had already received it. */
export type ItemFault<T> = (item: T, seenBefore: number) => { code: string; message?: string; senderFault?: boolean } | undefined

interface Controls<T> {
  server: LoopbackServer
  url: string
  /** Limits broken by a request (none is expected). */
  violations: string[]
  /** The next `n` calls are answered with the service's throttling error. */
  throttle(n: number): void
  /** Chosen items of each batch fail with the given code (the rest of the batch succeeds). */
  failItems(f: ItemFault<T> | undefined): void
  stop(): Promise<void>
}

interface State<T> {
  throttle: number
  fault: ItemFault<T> | undefined
  violations: string[]
}

/** The controls of an endpoint, over the state its handler reads. */
function controls<T>(server: LoopbackServer, state: State<T>): Controls<T> {
  return {
    server,
    url: server.url,
    violations: state.violations,
    throttle(n) {
      state.throttle = n
    },
    failItems(f) {
      state.fault = f
    },
    stop: () => server.stop(),
  }
}

function newState<T>(): State<T> {
  return { throttle: 0, fault: undefined, violations: [] }
}

// ── Security Hub ────────────────────────────────────────────────────────────────────────────────────────────

export interface AsffSeen {
  Id: string
  ProductArn: string
  AwsAccountId: string
  [k: string]: unknown
}

export interface FakeSecurityHub extends Controls<AsffSeen> {
  /** Every BatchImportFindings call, as the list of findings it carried. */
  batches: AsffSeen[][]
  /** Findings stored, keyed by ProductArn and Id (an import of a known one updates it). */
  stored: Map<string, { finding: AsffSeen; imports: number }>
  /** Calls whose findings belong to `account` are refused as Security Hub refuses a caller of another account. */
  denyAccount(account: string, caller: string): void
}

export async function startSecurityHub(): Promise<FakeSecurityHub> {
  const denied = new Map<string, string>()
  const seen = new Map<string, number>()
  const batches: AsffSeen[][] = []
  const stored = new Map<string, { finding: AsffSeen; imports: number }>()
  const c = newState<AsffSeen>()
  const server = await startLoopback((req: Received): Reply => {
    const json = (status: number, body: unknown, type?: string): Reply => ({
      status,
      headers: { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) },
      body: JSON.stringify(body),
    })
    if (req.method !== 'POST' || req.path !== '/findings/import') return json(404, { message: 'no route' }, 'ResourceNotFoundException')
    if (c.throttle > 0) {
      c.throttle--
      return json(429, { message: 'Rate exceeded' }, 'TooManyRequestsException')
    }
    const findings = (JSON.parse(req.body) as { Findings: AsffSeen[] }).Findings
    if (findings.length < 1 || findings.length > 100) {
      c.violations.push(`BatchImportFindings with ${findings.length} findings`)
      return json(400, { Message: 'Findings must hold 1 to 100 findings' }, 'InvalidInputException')
    }
    if (Buffer.byteLength(req.body) > 6 * 1024 * 1024) c.violations.push(`BatchImportFindings of ${Buffer.byteLength(req.body)} bytes`)
    for (const f of findings) {
      const caller = denied.get(f.AwsAccountId)
      if (caller)
        return json(
          403,
          {
            Message: `User: arn:aws:sts::${caller}:assumed-role/scanner/session is not authorized to perform: securityhub:BatchImportFindings on resource: ${f.ProductArn}`,
          },
          'AccessDeniedException',
        )
    }
    batches.push(findings)
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = []
    for (const f of findings) {
      const before = seen.get(f.Id) ?? 0
      seen.set(f.Id, before + 1)
      const fault = c.fault?.(f, before)
      if (Buffer.byteLength(JSON.stringify(f)) > 240 * 1024) c.violations.push(`finding ${f.Id} over 240 KB`)
      if (fault) {
        failed.push({ Id: f.Id, ErrorCode: fault.code, ErrorMessage: fault.message ?? fault.code })
        continue
      }
      const key = `${f.ProductArn}\u0000${f.Id}`
      const prev = stored.get(key)
      stored.set(key, { finding: f, imports: (prev?.imports ?? 0) + 1 })
    }
    return json(200, { SuccessCount: findings.length - failed.length, FailedCount: failed.length, FailedFindings: failed })
  })
  return Object.assign(controls<AsffSeen>(server, c), {
    batches,
    stored,
    denyAccount: (account: string, caller: string) => void denied.set(account, caller),
  })
}

// ── SNS ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface SnsMessage {
  TopicArn: string
  Id: string
  Message: string
  Subject?: string
  MessageGroupId?: string
  MessageDeduplicationId?: string
  MessageAttributes: Record<string, { DataType: string; StringValue?: string }>
}

export interface FakeSns extends Controls<SnsMessage> {
  /** Every PublishBatch call, as its entries. */
  batches: SnsMessage[][]
  /** Messages accepted. */
  published: SnsMessage[]
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** `A.member.1.B.entry.2.C=v` form fields → nested objects (members and entries as arrays, 1-based). */
function entriesOf(form: URLSearchParams): SnsMessage[] {
  const topic = form.get('TopicArn') ?? ''
  const out = new Map<number, SnsMessage>()
  for (const [k, v] of form) {
    const m = /^PublishBatchRequestEntries\.member\.(\d+)\.(.+)$/.exec(k)
    if (!m) continue
    const i = Number(m[1])
    const e: SnsMessage = out.get(i) ?? { TopicArn: topic, Id: '', Message: '', MessageAttributes: {} }
    out.set(i, e)
    const attr = /^MessageAttributes\.entry\.(\d+)\.(Name|Value\.DataType|Value\.StringValue)$/.exec(m[2]!)
    if (attr) {
      const slot = `#${attr[1]}`
      const a = (e.MessageAttributes[slot] ??= { DataType: '' }) as { DataType: string; StringValue?: string; name?: string }
      if (attr[2] === 'Name') a.name = v
      else if (attr[2] === 'Value.DataType') a.DataType = v
      else a.StringValue = v
    } else (e as unknown as Record<string, string>)[m[2]!] = v
  }
  return [...out.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, e]) => {
      const attrs: SnsMessage['MessageAttributes'] = {}
      for (const a of Object.values(e.MessageAttributes) as { name?: string; DataType: string; StringValue?: string }[])
        attrs[a.name ?? '?'] = { DataType: a.DataType, ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}) }
      return { ...e, MessageAttributes: attrs }
    })
}

/** Bytes SNS counts for a message: its body plus every attribute's name, type and value. */
export function snsMessageBytes(m: SnsMessage): number {
  let n = Buffer.byteLength(m.Message)
  for (const [name, a] of Object.entries(m.MessageAttributes))
    n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue ?? '')
  return n
}

export async function startSns(): Promise<FakeSns> {
  const seen = new Map<string, number>()
  const batches: SnsMessage[][] = []
  const published: SnsMessage[] = []
  const c = newState<SnsMessage>()
  const xml = (status: number, body: string): Reply => ({ status, headers: { 'content-type': 'text/xml' }, body })
  const error = (status: number, type: string, code: string, message: string): Reply =>
    xml(
      status,
      `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    )
  const server = await startLoopback((req) => {
    const form = new URLSearchParams(req.body)
    if (form.get('Action') !== 'PublishBatch') return error(400, 'Sender', 'InvalidAction', `unsupported action ${form.get('Action')}`)
    if (c.throttle > 0) {
      c.throttle--
      return error(400, 'Sender', 'Throttling', 'Rate exceeded')
    }
    const entries = entriesOf(form)
    const total = entries.reduce((n, m) => n + snsMessageBytes(m), 0)
    if (entries.length < 1 || entries.length > 10) {
      c.violations.push(`PublishBatch with ${entries.length} entries`)
      return error(400, 'Sender', 'TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.')
    }
    if (total > 262_144) {
      c.violations.push(`PublishBatch of ${total} bytes`)
      return error(400, 'Sender', 'BatchRequestTooLong', 'The length of all the messages put together is more than the limit.')
    }
    for (const m of entries) {
      // SNS's subject rules: printable ASCII, no line breaks, under 100 characters, starting with a letter, digit or punctuation.
      if (m.Subject !== undefined && (!/^[\x21-\x7e][\x20-\x7e]*$/.test(m.Subject) || m.Subject.length >= 100)) {
        c.violations.push(`subject ${JSON.stringify(m.Subject)}`)
        return error(400, 'Sender', 'InvalidParameter', 'Invalid parameter: Subject')
      }
    }
    batches.push(entries)
    const ok: string[] = []
    const failed: string[] = []
    for (const m of entries) {
      const id = (JSON.parse(m.Message) as { findingId: string }).findingId
      const before = seen.get(id) ?? 0
      seen.set(id, before + 1)
      const fault = c.fault?.(m, before)
      if (fault)
        failed.push(
          `<member><Id>${m.Id}</Id><Code>${fault.code}</Code><Message>${xmlEscape(fault.message ?? fault.code)}</Message><SenderFault>${fault.senderFault ?? true}</SenderFault></member>`,
        )
      else {
        published.push(m)
        ok.push(`<member><Id>${m.Id}</Id><MessageId>${randomUUID()}</MessageId></member>`)
      }
    }
    return xml(
      200,
      `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>${ok.join('')}</Successful><Failed>${failed.join('')}</Failed></PublishBatchResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishBatchResponse>`,
    )
  })
  return Object.assign(controls<SnsMessage>(server, c), { batches, published })
}

// ── EventBridge ─────────────────────────────────────────────────────────────────────────────────────────────

export interface EventEntry {
  Source: string
  DetailType: string
  Detail: string
  EventBusName?: string
  Time?: number
  Resources?: string[]
}

export interface FakeEventBridge extends Controls<EventEntry> {
  /** Every PutEvents call, as its entries. */
  batches: EventEntry[][]
  /** Events accepted. */
  accepted: EventEntry[]
}

/** An entry's size as EventBridge counts it (Time 14 bytes; Source, DetailType, Detail, Resources in UTF-8). */
export function eventEntryBytes(e: EventEntry): number {
  return (
    (e.Time !== undefined ? 14 : 0) +
    Buffer.byteLength(e.Source) +
    Buffer.byteLength(e.DetailType) +
    Buffer.byteLength(e.Detail) +
    (e.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0)
  )
}

export async function startEventBridge(): Promise<FakeEventBridge> {
  const seen = new Map<string, number>()
  const batches: EventEntry[][] = []
  const accepted: EventEntry[] = []
  const c = newState<EventEntry>()
  const json = (status: number, body: unknown): Reply => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
  })
  const server = await startLoopback((req) => {
    if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents')
      return json(400, { __type: 'UnknownOperationException', message: 'unknown operation' })
    if (c.throttle > 0) {
      c.throttle--
      return json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' })
    }
    const entries = (JSON.parse(req.body) as { Entries: EventEntry[] }).Entries
    const total = entries.reduce((n, e) => n + eventEntryBytes(e), 0)
    if (entries.length < 1 || entries.length > 10) {
      c.violations.push(`PutEvents with ${entries.length} entries`)
      return json(400, { __type: 'ValidationException', message: 'Entries must hold 1 to 10 entries' })
    }
    if (total > 1_048_576) {
      c.violations.push(`PutEvents of ${total} bytes`)
      return json(400, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit' })
    }
    batches.push(entries)
    let failedCount = 0
    const results = entries.map((e) => {
      const id = (JSON.parse(e.Detail) as { id: string }).id
      const before = seen.get(id) ?? 0
      seen.set(id, before + 1)
      const fault = c.fault?.(e, before)
      if (fault) {
        failedCount++
        return { ErrorCode: fault.code, ErrorMessage: fault.message ?? fault.code }
      }
      accepted.push(e)
      return { EventId: randomUUID() }
    })
    return json(200, { FailedEntryCount: failedCount, Entries: results })
  })
  return Object.assign(controls<EventEntry>(server, c), { batches, accepted })
}

/** Environment for the SDK's default chain and service endpoints, pointed at these servers (CLI tests). */
export function awsTestEnv(endpoints: { securityhub?: string; sns?: string; eventbridge?: string }): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(endpoints.securityhub ? { AWS_ENDPOINT_URL_SECURITYHUB: endpoints.securityhub } : {}),
    ...(endpoints.sns ? { AWS_ENDPOINT_URL_SNS: endpoints.sns } : {}),
    ...(endpoints.eventbridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge } : {}),
  }
}
