import {
  RecordParseError,
  RuleSpecError,
  RuleSyntaxError,
  SourceReadError,
  TrailscanError,
  UsageError,
  type ErrorCode,
  type Location,
} from '../errors.js'
import type { compiledFrom } from '../match/compile.js'
import type { ObjectRef } from '../source/object-ref.js'
import { FatalS3Error } from '../source/s3-errors.js'
import type { BuiltFinding } from '../emit/finding.js'
import { packFindings, unpackFindings } from '../emit/packed-findings.js'
import type { ObjectOutcome } from './object-scanner.js'
import type { ScannerSetup } from './scanner-setup.js'

/**
 * What crosses between the main thread and a scan worker (scan/worker-pool.ts, scan/scan-worker.ts). Everything
 * is structured-clone data: rules travel as the specs they were compiled from, objects as references, and errors
 * as their fields, rebuilt on the main thread as the same classes (the sink tells a record fault by its class,
 * and a fatal S3 error by its `fatal` flag, which structured clone would drop).
 */
export interface WorkerSetup {
  /** What each rule was compiled from (its spec and compile options): each worker compiles its own copy. */
  rules: NonNullable<ReturnType<typeof compiledFrom>>[]
  scanner: ScannerSetup
}

export interface ScanRequest {
  id: number
  ref: ObjectRef
}

export interface WireError {
  name: string
  code: ErrorCode | undefined
  message: string
  location?: Location
  fatal?: boolean
  endsWhole?: boolean
}

/** The end of an object: its last findings (packed), the errors, counts and closings. */
export type WireOutcome = Omit<ObjectOutcome, 'errors' | 'findings'> & { errors: WireError[]; findings: Uint8Array }

/**
 * A worker's messages for one request: batches of findings while the object is read (`findings`), then its end
 * (`outcome`), or what `scan()` threw (it throws only for bugs, not bad data). A port keeps their order.
 */
export type ScanReply = { id: number; findings: Uint8Array } | { id: number; outcome: WireOutcome } | { id: number; thrown: WireError }

/** Findings per message from a worker while an object is read (scan/object-scanner.ts FindingBatches). */
export const FINDINGS_PER_MESSAGE = 256

/**
 * The buffers a reply gives up rather than copy: large ones only, since moving a buffer costs more than copying a
 * few KB (measured: a message with 5 findings, ~5 KB, is sent faster copied).
 */
export function transferable(r: ScanReply): ArrayBuffer[] {
  const bytes = 'findings' in r ? r.findings : 'outcome' in r ? r.outcome.findings : undefined
  if (!bytes || bytes.byteLength < MOVE_FROM_BYTES) return []
  // Only a buffer of its own: a view into a shared pool would take the rest of the pool with it.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : []
}

const MOVE_FROM_BYTES = 64 * 1024

export function toWire(e: unknown): WireError {
  const err = e instanceof Error ? e : new Error(String(e))
  const w: WireError = { name: err.name, code: err instanceof TrailscanError ? err.code : undefined, message: err.message }
  if (err instanceof TrailscanError && err.location) w.location = { ...err.location }
  const flags = err as { fatal?: unknown; endsWhole?: unknown }
  if (flags.fatal === true) w.fatal = true
  if (flags.endsWhole === true) w.endsWhole = true
  return w
}

// An object scan raises only these; another code (a state error) comes back as a TrailscanError with its code.
const BY_CODE: Partial<Record<ErrorCode, new (message: string, opts: { location?: Location }) => TrailscanError>> = {
  TRAILSCAN_RULE_SYNTAX: RuleSyntaxError,
  TRAILSCAN_RULE_SPEC: RuleSpecError,
  TRAILSCAN_SOURCE_READ: SourceReadError,
  TRAILSCAN_RECORD_PARSE: RecordParseError,
  TRAILSCAN_USAGE: UsageError,
}

/**
 * The error again: a FatalS3Error as one (callers test for it), any other engine error as its base class by code
 * (a GzipError comes back as a SourceReadError) with its name, flags and location: everything the sink, the
 * summary and the CLI read from it.
 */
export function fromWire(w: WireError): Error {
  const Cls = w.name === 'FatalS3Error' ? FatalS3Error : w.code ? BY_CODE[w.code] : undefined
  const opts = w.location ? { location: w.location } : {}
  const e: Error = Cls ? new Cls(w.message, opts) : w.code ? new TrailscanError(w.code, w.message, opts) : new Error(w.message)
  if (e.name !== w.name) Object.defineProperty(e, 'name', { value: w.name, configurable: true, writable: true })
  if (w.fatal) Object.defineProperty(e, 'fatal', { value: true, enumerable: true })
  if (w.endsWhole) Object.defineProperty(e, 'endsWhole', { value: true, enumerable: true })
  return e
}

export function outcomeToWire(out: ObjectOutcome): WireOutcome {
  return { ...out, errors: out.errors.map(toWire), findings: packFindings(Array.from(out.findings)) }
}

/**
 * The outcome again. `batches`: the findings sent before the end, packed, in order; each is let go once decoded,
 * and `decoded` told its size.
 */
export function outcomeFromWire(w: WireOutcome, batches: Uint8Array[] = [], decoded?: (bytes: number) => void): ObjectOutcome {
  batches.push(w.findings)
  return { ...w, errors: w.errors.map((e) => fromWire(e) as TrailscanError), findings: unpacked(batches, decoded) }
}

function* unpacked(batches: Uint8Array[], decoded: ((bytes: number) => void) | undefined): Generator<BuiltFinding> {
  for (let b = batches.shift(); b; b = batches.shift()) {
    const findings = unpackFindings(b)
    decoded?.(b.byteLength)
    yield* findings
  }
}
