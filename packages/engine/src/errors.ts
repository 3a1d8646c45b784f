import type { LeaseHolder } from './state/state-store.js'

/**
 * One root error class with a stable `code` per phase. Locations are structured data; only the CLI formats them,
 * so a library user can map an error back to a rule line or an object record without parsing a message.
 */
export type ErrorCode =
  | 'TRAILSCAN_RULE_SYNTAX'
  | 'TRAILSCAN_RULE_SPEC'
  | 'TRAILSCAN_SOURCE_READ'
  | 'TRAILSCAN_RECORD_PARSE'
  | 'TRAILSCAN_USAGE'
  | 'TRAILSCAN_STATE_CORRUPT'
  | 'TRAILSCAN_STATE_CONFLICT'
  | 'TRAILSCAN_LEASE_HELD'

export interface Location {
  ruleId?: string
  file?: string
  /** 0-based offset into the pattern text or the decompressed object. */
  offset?: number
  /** 1-based line and column in the pattern or rule file. */
  line?: number
  column?: number
  /** `s3://bucket/key` or a local path. */
  object?: string
  recordIndex?: number
}

export class TrailscanError extends Error {
  readonly code: ErrorCode
  readonly location: Location | undefined
  constructor(code: ErrorCode, message: string, opts: { location?: Location; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = new.target.name
    this.code = code
    this.location = opts.location
  }
}

/** A pattern AWS would reject. `location.offset` is the 0-based position in the pattern text. */
export class RuleSyntaxError extends TrailscanError {
  constructor(message: string, opts: { location?: Location; cause?: unknown } = {}) {
    super('TRAILSCAN_RULE_SYNTAX', message, opts)
  }
}

/** A rule file that does not fit the schema. */
export class RuleSpecError extends TrailscanError {
  constructor(message: string, opts: { location?: Location; cause?: unknown } = {}) {
    super('TRAILSCAN_RULE_SPEC', message, opts)
  }
}

/** An object that could not be listed, opened, decompressed or split. */
export class SourceReadError extends TrailscanError {
  constructor(message: string, opts: { location?: Location; cause?: unknown } = {}) {
    super('TRAILSCAN_SOURCE_READ', message, opts)
  }
}

/** One record (or a whole body) that is not what CloudTrail writes. */
export class RecordParseError extends TrailscanError {
  constructor(message: string, opts: { location?: Location; cause?: unknown } = {}) {
    super('TRAILSCAN_RECORD_PARSE', message, opts)
  }
}

export class UsageError extends TrailscanError {
  constructor(message: string, opts: { location?: Location; cause?: unknown } = {}) {
    super('TRAILSCAN_USAGE', message, opts)
  }
}

/** Line and column (1-based) of a 0-based offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`)
}

/** A state document that cannot be read as Trailscan state (bad JSON, wrong shape, unknown version). Never overwritten. */
export class CorruptStateError extends TrailscanError {
  readonly stateLocation: string
  constructor(stateLocation: string, message: string, opts: { cause?: unknown } = {}) {
    super('TRAILSCAN_STATE_CORRUPT', message, opts)
    this.stateLocation = stateLocation
  }
}

/** A compare-and-swap write whose expected version was not the current one: another run committed in between. */
export class StateConflictError extends TrailscanError {
  readonly stateLocation: string
  constructor(stateLocation: string, message: string, opts: { cause?: unknown } = {}) {
    super('TRAILSCAN_STATE_CONFLICT', message, opts)
    this.stateLocation = stateLocation
  }
}

/** Another live run holds the state's lease. `holder` says who, so the message can name it. */
export class LeaseHeldError extends TrailscanError {
  readonly stateLocation: string
  readonly holder: LeaseHolder
  constructor(stateLocation: string, holder: LeaseHolder, opts: { cause?: unknown } = {}) {
    super(
      'TRAILSCAN_LEASE_HELD',
      `state ${stateLocation} is held by run ${holder.runId} (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}, lease until ${holder.expiresAt})`,
      opts,
    )
    this.stateLocation = stateLocation
    this.holder = holder
  }
}
