/**
 * The undelivered outbox: for each destination, the findings it has not acknowledged. A run hands the outbox it
 * was given (the state's) to `Delivery`, which sends those findings again before this run's, and gives back the
 * new outbox: what is still unacknowledged. Saving it with the rest of the state, after delivery, is what makes
 * delivery part of a run's commit. It is plain JSON (findings as Trailscan writes them), so it survives a
 * JSON.stringify / JSON.parse round trip unchanged.
 */
import type { Finding } from '../finding.js'

export const OUTBOX_VERSION = 1

export interface OutboxEntry {
  /** The text after `--to` (securityhub, sns:ARN, eventbridge:BUS, webhook:URL, slack:URL). */
  destination: string
  findings: Finding[]
}

export interface Outbox {
  version: typeof OUTBOX_VERSION
  entries: OutboxEntry[]
}

export function emptyOutbox(): Outbox {
  return { version: OUTBOX_VERSION, entries: [] }
}

/** Findings waiting, all destinations together. */
export function outboxSize(o: Outbox): number {
  return o.entries.reduce((n, e) => n + e.findings.length, 0)
}

function isFinding(v: unknown): v is Finding {
  const f = v as Partial<Finding> | null
  return (
    typeof f === 'object' &&
    f !== null &&
    f.kind === 'finding' &&
    typeof f.id === 'string' &&
    typeof f.ruleId === 'string' &&
    typeof f.severity === 'string'
  )
}

/**
 * An outbox read back (from a state file): checked, so that a damaged one is refused with the reason rather
 * than half-used. `where` names it in the message.
 */
export function parseOutbox(v: unknown, where: string): Outbox {
  const o = v as Partial<Outbox> | null
  if (typeof o !== 'object' || o === null || o.version !== OUTBOX_VERSION || !Array.isArray(o.entries))
    throw new TypeError(`${where}: not a version ${OUTBOX_VERSION} outbox ({version, entries})`)
  o.entries.forEach((e: Partial<OutboxEntry> | null, i) => {
    if (typeof e !== 'object' || e === null || typeof e.destination !== 'string' || !Array.isArray(e.findings))
      throw new TypeError(`${where}: entry ${i} is not {destination, findings}`)
    e.findings.forEach((f, j) => {
      if (!isFinding(f)) throw new TypeError(`${where}: entry ${i} (${e.destination}), finding ${j} is not a finding`)
    })
  })
  return o as Outbox
}
