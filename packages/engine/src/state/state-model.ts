import { CorruptStateError } from '../errors.js'

/**
 * The state of scheduled scans: what a person reads with `trailscan state show` or `cat`, and what the next run
 * starts from. Versioned JSON; every field is checked on read, and a document that is not this shape is refused
 * (exit 2) and never overwritten.
 *
 * Objects are grouped by the directory they sit in (`…/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`): one
 * group per account, region and delivery day, named by its own prefix so that no second key grammar is needed to
 * read it back (source/key-layout.ts parses the day). A file outside CloudTrail's layout is grouped by its directory
 * with no day: such groups never close.
 *
 * Size (measured on generated organization-trail keys): a tracked key costs about 130 bytes (its file name, 70–80
 * characters, its ETag, 34, indentation and punctuation), a finding id 42. CloudTrail writes at most about one object
 * per account and region every 5 minutes (288 a day), so 100 accounts × 17 regions with 3 open days track at most
 * ~1.5 M keys: ~190 MB. Closed days cost nothing but their counts in `closed`.
 */
export const STATE_FORMAT = 'trailscan-state'
export const STATE_VERSION = 1

export interface DayGroup {
  /** `YYYY-MM-DD` delivery day, or null for a directory outside CloudTrail's layout (never closed). */
  day: string | null
  /** File name (within the group's prefix) → change token: the S3 ETag, or `size:mtimeMs` for a local file. */
  keys: Record<string, string>
}

export interface LastRun {
  runId: string
  startedAt: string
  finishedAt: string
  /** Objects whose findings this run committed. */
  objects: number
  findings: number
  interrupted: boolean
}

export interface OutputMark {
  /** Bytes of the file that committed runs wrote; anything after them was written by a run that did not commit. */
  committedBytes: number
}

export interface ScanState {
  format: typeof STATE_FORMAT
  version: typeof STATE_VERSION
  /** The SOURCE arguments, resolved, that this state tracks: another source would meet days it never listed. */
  sources: string[]
  /** `--start` of the first run (ISO 8601), or null: events before it are never wanted. */
  since: string | null
  /** Delivery days before this one are closed (compacted away); null until a run completed its listing. */
  openFrom: string | null
  /** Group prefix (`s3://bucket/…/2026/12/03/` or a directory path with its separator) → its processed keys. */
  groups: Record<string, DayGroup>
  /** What the closed days held, kept as counts only. */
  closed: { days: number; keys: number; through: string | null }
  /** Ids of the findings emitted for each open delivery day (the object's day; '' for no day): cross-run dedup. */
  findingIds: Record<string, string[]>
  /** Each `--out … --append` file (absolute path) and how much of it is committed. */
  outputs: Record<string, OutputMark>
  /** The emit stage's cross-run state (alarm period counts, held exposures), opaque here; null before the first run. */
  carry: unknown
  /** Findings a remote sink has not acknowledged, to be delivered by the next run (filled by the delivery stage). */
  undelivered: unknown[]
  lastRun: LastRun | null
}

export function emptyState(sources: string[], since: string | null): ScanState {
  return {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    sources,
    since,
    openFrom: null,
    groups: {},
    closed: { days: 0, keys: 0, through: null },
    findingIds: {},
    outputs: {},
    carry: null,
    undelivered: [],
    lastRun: null,
  }
}

/** Two-space JSON with one group per line pair: a person can read it, a diff between two runs shows what changed. */
export function serializeState(s: ScanState): Buffer {
  return Buffer.from(`${JSON.stringify(s, null, 2)}\n`)
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** Reads a state document, refusing anything that is not a state this version can use, with the reason. */
export function parseState(body: Buffer, location: string): ScanState {
  const bad = (why: string): CorruptStateError =>
    new CorruptStateError(
      location,
      `state at ${location} is not usable: ${why}; it was left as it is (inspect it, or remove it with trailscan state reset)`,
    )
  let doc: unknown
  try {
    doc = JSON.parse(body.toString('utf8'))
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`)
  }
  if (!isObject(doc) || doc.format !== STATE_FORMAT) throw bad(`not a Trailscan state document (no "format": "${STATE_FORMAT}")`)
  const v = doc.version
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad('"version" is not an integer')
  if (v > STATE_VERSION) throw bad(`written by a newer Trailscan (state version ${v}; this one reads up to ${STATE_VERSION})`)
  // Version 1 is the first: an older number was never written by Trailscan.
  if (v < 1) throw bad(`state version ${v} was never written by Trailscan`)
  return checkV1(doc, bad)
}

function checkV1(d: Record<string, unknown>, bad: (why: string) => CorruptStateError): ScanState {
  const field = (name: string, ok: boolean, what: string): void => {
    if (!ok) throw bad(`"${name}" is not ${what}`)
  }
  field('sources', Array.isArray(d.sources) && d.sources.every((x) => typeof x === 'string'), 'a list of strings')
  field('since', d.since === null || (typeof d.since === 'string' && !Number.isNaN(Date.parse(d.since))), 'null or an ISO 8601 time')
  field('openFrom', d.openFrom === null || (typeof d.openFrom === 'string' && DAY.test(d.openFrom)), 'null or a YYYY-MM-DD day')
  field('groups', isObject(d.groups), 'an object')
  for (const [prefix, g] of Object.entries(d.groups as Record<string, unknown>)) {
    const ok = isObject(g) && (g.day === null || (typeof g.day === 'string' && DAY.test(g.day))) && isStringMap(g.keys)
    if (!ok) throw bad(`group "${prefix}" is not {day, keys: {name: token}}`)
  }
  const c = d.closed
  field(
    'closed',
    isObject(c) && isCount(c.days) && isCount(c.keys) && (c.through === null || typeof c.through === 'string'),
    '{days, keys, through}',
  )
  field('findingIds', isObject(d.findingIds), 'an object')
  for (const [day, ids] of Object.entries(d.findingIds as Record<string, unknown>))
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) throw bad(`findingIds["${day}"] is not a list of ids`)
  field('outputs', isObject(d.outputs), 'an object')
  for (const [path, o] of Object.entries(d.outputs as Record<string, unknown>))
    if (!isObject(o) || !isCount(o.committedBytes)) throw bad(`outputs["${path}"] is not {committedBytes}`)
  field('carry', 'carry' in d, 'present (null or the carried emit state)')
  field('undelivered', Array.isArray(d.undelivered), 'a list')
  const r = d.lastRun
  field(
    'lastRun',
    r === null ||
      (isObject(r) &&
        typeof r.runId === 'string' &&
        typeof r.startedAt === 'string' &&
        typeof r.finishedAt === 'string' &&
        isCount(r.objects) &&
        isCount(r.findings) &&
        typeof r.interrupted === 'boolean'),
    'null or {runId, startedAt, finishedAt, objects, findings, interrupted}',
  )
  return d as unknown as ScanState
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function isStringMap(x: unknown): x is Record<string, string> {
  return isObject(x) && Object.values(x).every((v) => typeof v === 'string')
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
}
